import { keccak256 } from "./keccak";
import { ZeroHash, getBytes, id } from "ethers";
import { UINT64_MAX } from "../pricing/units";
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

/**
 * A line's requests side by side: request `ids[i]` used `tokens[i]` (a safe integer). The
 * connector holds a window's million requests this way, one pair of arrays per line, rather
 * than an object and a bigint per request (about 70 MB at a million).
 */
export type LineRequests = { readonly ids: readonly string[]; readonly tokens: readonly number[] };

export class InvalidRequestLeafError extends FlareFlowError {
  override readonly name = "InvalidRequestLeafError";
  override readonly docs = "README.md#verifiable-bills";
}

const encoder = new TextEncoder();
const DOMAIN_BYTES = getBytes(REQUEST_LEAF_DOMAIN);

/** Throws unless `requestId` is a request id a leaf may carry. */
function validRequestId(requestId: unknown): string {
  if (typeof requestId !== "string") throw new InvalidRequestLeafError(`a request id is a string: ${JSON.stringify(requestId)}`);
  if (!isWellFormedRequestId(requestId)) throw new InvalidRequestLeafError(`request id ${JSON.stringify(requestId.slice(0, 80))} is not well-formed Unicode (a lone surrogate)`);
  return requestId;
}

/** Throws unless `requestId` is a request id a leaf may carry; returns its UTF-8 bytes. */
export function checkRequestId(requestId: unknown): Uint8Array {
  return encoder.encode(validRequestId(requestId));
}

/*
 * Scratch buffers of the hashing below, reused from call to call rather than a buffer per id
 * and two per line (a window hashes a million requests in 50,000 lines). Lines up to
 * SCRATCH_LEAVES requests reuse the tree buffers; a larger one gets its own, so one huge line
 * is not kept.
 */
const preimage = new Uint8Array(96);
preimage.set(DOMAIN_BYTES, 0);
const pair = new Uint8Array(64);
/** A UTF-8 encoding takes at most 3 bytes per UTF-16 unit. */
let idBytes = new Uint8Array(3 * 128);
const SCRATCH_LEAVES = 4096;
const scratchHashes = new Uint8Array(SCRATCH_LEAVES * 32);
const scratchTree = new Uint8Array((2 * SCRATCH_LEAVES - 1) * 32);
const scratchOrder = new Uint32Array(SCRATCH_LEAVES);

/** Validates one request id and starts its leaf's preimage: the id's hash, tokens zeroed. */
function beginLeaf(requestId: unknown): void {
  const id = validRequestId(requestId);
  if (idBytes.length < 3 * id.length) idBytes = new Uint8Array(3 * id.length);
  keccak256(idBytes, preimage, 32, 0, encoder.encodeInto(id, idBytes).written);
  preimage.fill(0, 64);
}

/** Validates one request and writes its leaf hash into `out` at `offset`. */
function writeLeaf(leaf: RequestLeaf, out: Uint8Array, offset: number): void {
  beginLeaf(leaf.requestId);
  const tokens = leaf.tokens;
  if (typeof tokens !== "bigint" || tokens < 0n || tokens > UINT64_MAX) throw new InvalidRequestLeafError(`request ${leaf.requestId}: tokens ${String(tokens)} is not a uint64`);
  let rest = tokens;
  for (let i = 95; rest > 0n; i--) {
    preimage[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  keccak256(preimage, out, offset);
}

const TWO_32 = 0x1_0000_0000;

/** writeLeaf for a request held side by side: the same uint64 word, from a safe integer. */
function writeLeafOf(requestId: string, tokens: number, out: Uint8Array, offset: number): void {
  beginLeaf(requestId);
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new InvalidRequestLeafError(`request ${requestId}: tokens ${String(tokens)} is not a uint64`);
  const low = tokens % TWO_32;
  const high = (tokens - low) / TWO_32;
  for (let i = 0; i < 4; i++) {
    preimage[95 - i] = (low >>> (8 * i)) & 0xff;
    preimage[91 - i] = (high >>> (8 * i)) & 0xff;
  }
  keccak256(preimage, out, offset);
}

/** The leaf hash of one request (validates it), 0x-hex. */
export function requestLeafHash(leaf: RequestLeaf): string {
  const hash = new Uint8Array(32);
  writeLeaf(leaf, hash, 0);
  return hex32(hash);
}

/** Compares the 32 bytes at offset `a` of `bytes` with those at offset `b`. */
function compareAt(bytes: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) if (bytes[a + i] !== bytes[b + i]) return bytes[a + i] - bytes[b + i];
  return 0;
}

/** Throws unless every request id of `leaves` is distinct. */
export function checkDistinctRequests(leaves: readonly RequestLeaf[]): void {
  checkDistinctIds(leaves.map((leaf) => leaf.requestId));
}

function checkDistinctIds(ids: readonly string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new InvalidRequestLeafError(`request id ${JSON.stringify(id)} appears twice`);
    seen.add(id);
  }
}

/**
 * The requestsRoot of a line's requests (EMPTY_REQUESTS_ROOT for none); refuses a request id
 * given twice.
 */
export function requestsRoot(leaves: readonly RequestLeaf[]): string {
  if (leaves.length === 0) return EMPTY_REQUESTS_ROOT;
  checkDistinctRequests(leaves);
  const hashes = leafHashBuffer(leaves.length);
  for (let i = 0; i < leaves.length; i++) writeLeaf(leaves[i], hashes, i * 32);
  return rootOfLeafHashes(hashes, leaves.length);
}

/** requestsRoot of the same requests held side by side (the connector's form). */
export function requestsRootOf(requests: LineRequests): string {
  const { ids, tokens } = requests;
  if (ids.length !== tokens.length) throw new InvalidRequestLeafError(`${ids.length} request ids but ${tokens.length} token counts`);
  if (ids.length === 0) return EMPTY_REQUESTS_ROOT;
  checkDistinctIds(ids);
  const hashes = leafHashBuffer(ids.length);
  for (let i = 0; i < ids.length; i++) writeLeafOf(ids[i], tokens[i], hashes, i * 32);
  return rootOfLeafHashes(hashes, ids.length);
}

/** Room for n leaf hashes: the scratch buffer, or a new one for a line larger than it. */
function leafHashBuffer(n: number): Uint8Array {
  return n <= SCRATCH_LEAVES ? scratchHashes : new Uint8Array(n * 32);
}

/** Copies the 32 bytes at `from` in `source` to `to` in `target`. */
function copy32(source: Uint8Array, from: number, target: Uint8Array, to: number): void {
  for (let i = 0; i < 32; i++) target[to + i] = source[from + i];
}

/**
 * The root over n leaf hashes (32 bytes each, side by side in `hashes`), in SimpleMerkleTree's
 * layout: n sorted leaves at heap positions 2n-2 down to n-1, node i = hashPair(node 2i+1, node 2i+2).
 * Hashes stay side by side in two buffers (a node at 32 × its heap position): a window's million
 * requests would otherwise be three million small arrays to collect.
 */
function rootOfLeafHashes(hashes: Uint8Array, n: number): string {
  const scratch = n <= SCRATCH_LEAVES;
  const order = scratch ? scratchOrder.subarray(0, n) : new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k * 32;
  order.sort((a, b) => compareAt(hashes, a, b));
  const tree = scratch ? scratchTree : new Uint8Array((2 * n - 1) * 32);
  for (let k = 0; k < n; k++) copy32(hashes, order[k] as number, tree, (2 * n - 2 - k) * 32);
  for (let i = n - 2; i >= 0; i--) {
    const left = (2 * i + 1) * 32;
    const right = left + 32;
    if (compareAt(tree, left, right) <= 0) {
      keccak256(tree, tree, i * 32, left, right + 32);
    } else {
      copy32(tree, right, pair, 0);
      copy32(tree, left, pair, 32);
      keccak256(pair, tree, i * 32);
    }
  }
  return hex32(tree);
}

const HEX_DIGITS = new TextEncoder().encode("0123456789abcdef");
const hexScratch = new Uint8Array(66);
hexScratch[0] = 0x30; // "0"
hexScratch[1] = 0x78; // "x"
const ascii = new TextDecoder();

/**
 * The first 32 bytes of `bytes` as 0x-hex, in one flat string. Not ethers' hexlify: it appends
 * two characters at a time, and the string it returns holds all 64 intermediate ones (about
 * 1.5 kB) until something flattens it, which for a window's 50,000 line roots was 77 MB kept.
 */
function hex32(bytes: Uint8Array): string {
  for (let i = 0; i < 32; i++) {
    hexScratch[2 + 2 * i] = HEX_DIGITS[bytes[i] >> 4] as number;
    hexScratch[3 + 2 * i] = HEX_DIGITS[bytes[i] & 0x0f] as number;
  }
  return ascii.decode(hexScratch);
}
