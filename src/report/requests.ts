import { keccak256 } from "./keccak";
import { ZeroHash, getBytes, hexlify, id } from "ethers";
import { UINT64_MAX } from "./window";
import { FlareFlowError } from "../errors";
import { isWellFormedRequestId } from "./fields";

/**
 * Per-request evidence: each report line commits to the requests it sums.
 *
 *   leaf(id, tokens) = keccak256(abi.encode(bytes32 REQUEST_LEAF_DOMAIN, bytes32 keccak256(utf8(id)), uint64 tokens))
 *   requestsRoot     = the root of OpenZeppelin's SimpleMerkleTree (@openzeppelin/merkle-tree
 *                      1.0.8, `SimpleMerkleTree.of(leaves, { sortLeaves: true })`) over the leaves:
 *                      leaves sorted ascending as bytes32, laid out as a heap, pairs hashed
 *                      sorted (keccak256(min ‖ max)); 32 zero bytes for a line without requests.
 *
 * The root is computed here on bytes (the connector hashes every request of a window) and the
 * tests hold it equal to SimpleMerkleTree's for every size; OpenZeppelin's `MerkleProof.verify`
 * and `SimpleMerkleTree.verify` check a single request's proof against it.
 *
 * The leaf preimage is 96 bytes under its own domain tag, so no inner node (64 bytes) can pass as
 * a leaf. The order is the tree's own (sorted leaf hashes), so the root does not depend on the
 * order the requests were logged in. `id` is the LiteLLM spend row's `request_id`, which is the
 * chat completion's response id (litellm/proxy/spend_tracking/spend_tracking_utils.py,
 * get_logging_payload: `id = response_obj.get("id") or kwargs.get("litellm_call_id")`), so an
 * OpenAI-compatible client's own log names the same requests.
 */

/** keccak256("FlareFlow.RequestLeaf.v1"): first word of a request leaf's preimage. */
export const REQUEST_LEAF_DOMAIN: string = id("FlareFlow.RequestLeaf.v1");

/** The root of a line with no request. */
export const EMPTY_REQUESTS_ROOT: string = ZeroHash;

/**
 * A request id is any string of well-formed Unicode. The id is not ours to choose (the provider's
 * response id, or LiteLLM's call id), and its leaf hashes the id's UTF-8 bytes whatever they hold, so no id can stop a window from being reported: a rule that
 * refused odd ids would let one customer's request halt everyone's bills. Lone surrogates are the
 * one exception, because two of them encode to the same bytes (PostgreSQL, where LiteLLM keeps the
 * id, cannot store them either).
 */
export type RequestLeaf = { requestId: string; tokens: bigint };

export class InvalidRequestLeafError extends FlareFlowError {
  override readonly name = "InvalidRequestLeafError";
  override readonly docs = "README.md#verifiable-bills";
}

const encoder = new TextEncoder();
const DOMAIN_BYTES = getBytes(REQUEST_LEAF_DOMAIN);

/** Throws unless `requestId` is a request id a leaf may carry; returns its UTF-8 bytes. */
export function checkRequestId(requestId: unknown): Uint8Array {
  if (typeof requestId !== "string") throw new InvalidRequestLeafError(`a request id is a string: ${JSON.stringify(requestId)}`);
  if (!isWellFormedRequestId(requestId)) throw new InvalidRequestLeafError(`request id ${JSON.stringify(requestId.slice(0, 80))} is not well-formed Unicode (a lone surrogate)`);
  return encoder.encode(requestId);
}

// Scratch buffers of the hashing below (one leaf or one pair at a time).
const preimage = new Uint8Array(96);
preimage.set(DOMAIN_BYTES, 0);
const pair = new Uint8Array(64);

/** Validates one request and writes its leaf hash into `out` at `offset`. */
function writeLeaf(leaf: RequestLeaf, out: Uint8Array, offset: number): void {
  const idBytes = checkRequestId(leaf.requestId);
  const tokens = leaf.tokens;
  if (typeof tokens !== "bigint" || tokens < 0n || tokens > UINT64_MAX) throw new InvalidRequestLeafError(`request ${leaf.requestId}: tokens ${String(tokens)} is not a uint64`);
  keccak256(idBytes, preimage, 32);
  preimage.fill(0, 64);
  let rest = tokens;
  for (let i = 95; rest > 0n; i--) {
    preimage[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  keccak256(preimage, out, offset);
}

/** The leaf hash of one request (validates it), 0x-hex. */
export function requestLeafHash(leaf: RequestLeaf): string {
  const hash = new Uint8Array(32);
  writeLeaf(leaf, hash, 0);
  return hexlify(hash);
}

/** Compares the 32 bytes at offset `a` of `bytes` with those at offset `b`. */
function compareAt(bytes: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) if (bytes[a + i] !== bytes[b + i]) return bytes[a + i] - bytes[b + i];
  return 0;
}

/** Throws unless every request id of `leaves` is distinct. */
export function checkDistinctRequests(leaves: readonly RequestLeaf[]): void {
  const seen = new Set<string>();
  for (const leaf of leaves) {
    if (seen.has(leaf.requestId)) throw new InvalidRequestLeafError(`request id ${JSON.stringify(leaf.requestId)} appears twice`);
    seen.add(leaf.requestId);
  }
}

/**
 * The requestsRoot of a line's requests (EMPTY_REQUESTS_ROOT for none); refuses a request id
 * given twice. SimpleMerkleTree's layout: n sorted leaves at heap positions 2n-2 down to n-1,
 * node i = hashPair(node 2i+1, node 2i+2).
 */
export function requestsRoot(leaves: readonly RequestLeaf[]): string {
  if (leaves.length === 0) return EMPTY_REQUESTS_ROOT;
  checkDistinctRequests(leaves);
  const n = leaves.length;
  // Hashes side by side in two buffers, 32 bytes each (a node at 32 × its heap position): a
  // window's million requests would otherwise be three million small arrays to collect.
  const hashes = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) writeLeaf(leaves[i], hashes, i * 32);
  const order = Array.from({ length: n }, (_, i) => i * 32).sort((a, b) => compareAt(hashes, a, b));
  const tree = new Uint8Array((2 * n - 1) * 32);
  for (let k = 0; k < n; k++) tree.set(hashes.subarray(order[k], order[k] + 32), (2 * n - 2 - k) * 32);
  for (let i = n - 2; i >= 0; i--) {
    const left = (2 * i + 1) * 32;
    const right = left + 32;
    const smallerFirst = compareAt(tree, left, right) <= 0;
    pair.set(tree.subarray(left, right + 32), 0);
    if (!smallerFirst) {
      pair.set(tree.subarray(right, right + 32), 0);
      pair.set(tree.subarray(left, left + 32), 32);
    }
    keccak256(pair, tree, i * 32);
  }
  return hexlify(tree.subarray(0, 32));
}
