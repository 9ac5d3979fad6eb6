import { AbiCoder, concat, dataLength, encodeBytes32String, isHexString, keccak256 } from "ethers";
// Flare's IWeb2Json structs as the compiler read them from @flarenetwork/flare-periphery-contracts
// (named import: a bundler keeps only `abi`).
import { abi } from "../../artifacts/@flarenetwork/flare-periphery-contracts/coston2/IWeb2JsonVerification.sol/IWeb2JsonVerification.json";
import type { IWeb2Json } from "../evm/typechain/@flarenetwork/flare-periphery-contracts/coston2/IWeb2JsonVerification";
import { abiComponent, abiParameter, tupleType, type StructFields } from "../evm/abi";
import { FlareMerkleTree } from "./merkle";
import { FlareFlowError } from "../errors";

/**
 * Web2Json attestation data as in `IWeb2Json` (@flarenetwork/flare-periphery-contracts), and
 * the Merkle leaf and proof Flare's FdcVerification checks: leaf = keccak256(abi.encode(response)).
 */

/** Attestation type id of Web2Json: bytes32("Web2Json"). */
export const WEB2JSON_ATTESTATION_TYPE: string = encodeBytes32String("Web2Json");

/** The source id Web2Json uses on Flare's testnets: bytes32("PublicWeb2"). */
export const PUBLIC_WEB2_SOURCE_ID: string = encodeBytes32String("PublicWeb2");

/** FDC's protocol id on the Relay. */
export const FDC_PROTOCOL_ID = 200;

/**
 * `lowestUsedTimestamp` of a Web2Json response. Flare's verifier (flare-foundation/verifier-indexer-api)
 * answers 0 up to release v1.5.0 and 2^64 - 1 ("no timestamp" sentinel) from v1.6.0-rc.0 on
 * (commit 32cace5, `NO_TIMESTAMP_SENTINEL`). The response's Merkle leaf and message integrity code
 * hash this field, so a proof carries whichever the attesting verifiers used; readers take it from
 * the proof and never assume one.
 */
export const WEB2JSON_LOWEST_USED_TIMESTAMP = (1n << 64n) - 1n;
/** `lowestUsedTimestamp` of responses from Flare's verifier up to v1.5.0 (as in the developer hub's published proof). */
export const WEB2JSON_LOWEST_USED_TIMESTAMP_UNTIL_V1_5 = 0n;

/** IWeb2Json.RequestBody. */
export type Web2JsonRequestBody = StructFields<IWeb2Json.RequestBodyStructOutput>;

/** IWeb2Json.ResponseBody. */
export type Web2JsonResponseBody = StructFields<IWeb2Json.ResponseBodyStructOutput>;

/** IWeb2Json.Response. */
export type Web2JsonResponse = StructFields<IWeb2Json.ResponseStructOutput>;

/** IWeb2Json.Request (what FdcHub.requestAttestation carries, ABI-encoded). */
export type Web2JsonRequest = {
  attestationType: string;
  sourceId: string;
  messageIntegrityCode: string;
  requestBody: Web2JsonRequestBody;
};

/** IWeb2Json.Proof. */
export type Web2JsonProof = StructFields<IWeb2Json.ProofStructOutput>;

/** IWeb2Json.Response's ABI, from the compiled IWeb2JsonVerification (`verifyWeb2Json(Proof _proof)`). */
const RESPONSE_PARAMETER = abiComponent(abiParameter(abi, "verifyWeb2Json", "_proof"), "data");

const REQUEST_BODY_TYPE = tupleType(abiComponent(RESPONSE_PARAMETER, "requestBody"));

/** ethers type string of IWeb2Json.Response. */
export const WEB2JSON_RESPONSE_TYPE: string = tupleType(RESPONSE_PARAMETER);

/**
 * A Web2Json request as FdcHub carries it, in Flare's own layout: the three header words
 * `abi.encode(attestationType, sourceId, messageIntegrityCode)` followed by `abi.encode(requestBody)`
 * as an encoding of its own, so word 3 (the body's offset) is 0x20. Not `abi.encode(request)` and
 * not the four fields as one parameter list (word 3 would be 0x80). Source: flare-foundation
 * verifier-indexer-api (`AttestationDefinitionStore.encodeRequest` / `parseRequest`, 3 x 32-byte
 * prefix then the body), and the request bytes in flare-hardhat-starter
 * `scripts/crossChainFdc/request.ts` and the developer hub's Web2Json guide.
 */
const REQUEST_HEADER_TYPES = ["bytes32", "bytes32", "bytes32"] as const;
const REQUEST_HEADER_BYTES = 3 * 32;

/** A byte string that is not a Web2Json request in Flare's layout. */
export class Web2JsonRequestDecodeError extends FlareFlowError {
  override readonly name = "Web2JsonRequestDecodeError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
}

/** Salt of the message integrity code. */
const MIC_SALT = "Flare";

function requestBodyTuple(b: Web2JsonRequestBody): string[] {
  return [b.url, b.httpMethod, b.headers, b.queryParams, b.body, b.postProcessJq, b.abiSignature];
}

function responseTuple(r: Web2JsonResponse): unknown[] {
  return [
    r.attestationType,
    r.sourceId,
    r.votingRound,
    r.lowestUsedTimestamp,
    requestBodyTuple(r.requestBody),
    [r.responseBody.abiEncodedData],
  ];
}

/** abi.encode(response). */
export function encodeWeb2JsonResponse(response: Web2JsonResponse): string {
  return AbiCoder.defaultAbiCoder().encode([WEB2JSON_RESPONSE_TYPE], [responseTuple(response)]);
}

/** The response's Merkle leaf: keccak256(abi.encode(response)). */
export function web2JsonLeaf(response: Web2JsonResponse): string {
  return keccak256(encodeWeb2JsonResponse(response));
}

/** Message integrity code: keccak256(abi.encode(response with votingRound 0, "Flare")). */
export function messageIntegrityCode(response: Web2JsonResponse): string {
  const zeroed = responseTuple({ ...response, votingRound: 0n });
  return keccak256(AbiCoder.defaultAbiCoder().encode([WEB2JSON_RESPONSE_TYPE, "string"], [zeroed, MIC_SALT]));
}

/** The request bytes FdcHub.requestAttestation takes (Flare's layout, see REQUEST_HEADER_TYPES). */
export function encodeWeb2JsonRequest(request: Web2JsonRequest): string {
  const coder = AbiCoder.defaultAbiCoder();
  const header = coder.encode(REQUEST_HEADER_TYPES, [request.attestationType, request.sourceId, request.messageIntegrityCode]);
  return concat([header, coder.encode([REQUEST_BODY_TYPE], [requestBodyTuple(request.requestBody)])]).toLowerCase();
}

/**
 * Decodes FdcHub request bytes in Flare's layout. Only the canonical encoding is accepted
 * (decoding and re-encoding must give the same bytes), so the old four-field layout, trailing
 * bytes or a body with odd offsets are refused with Web2JsonRequestDecodeError, never a raw
 * ethers error.
 */
export function decodeWeb2JsonRequest(data: string): Web2JsonRequest {
  if (!isHexString(data)) throw new Web2JsonRequestDecodeError("request bytes are not a 0x-prefixed hex string");
  if (dataLength(data) < REQUEST_HEADER_BYTES + 32) {
    throw new Web2JsonRequestDecodeError(`request is ${dataLength(data)} bytes, shorter than its three header words and a body`);
  }
  const coder = AbiCoder.defaultAbiCoder();
  const hex = data.slice(2);
  let request: Web2JsonRequest;
  try {
    const [attestationType, sourceId, messageIntegrityCode] = coder.decode(REQUEST_HEADER_TYPES, `0x${hex.slice(0, 2 * REQUEST_HEADER_BYTES)}`) as unknown as [string, string, string];
    const [body] = coder.decode([REQUEST_BODY_TYPE], `0x${hex.slice(2 * REQUEST_HEADER_BYTES)}`) as unknown as [string[]];
    const [url, httpMethod, headers, queryParams, requestBodyText, postProcessJq, abiSignature] = body;
    request = {
      attestationType,
      sourceId,
      messageIntegrityCode,
      requestBody: { url, httpMethod, headers, queryParams, body: requestBodyText, postProcessJq, abiSignature },
    };
  } catch (error) {
    throw new Web2JsonRequestDecodeError(`the body after the three header words is not an ABI-encoded IWeb2Json.RequestBody (${error instanceof Error ? error.message.split(" (")[0] : String(error)})`, { cause: error });
  }
  if (encodeWeb2JsonRequest(request) !== data.toLowerCase()) {
    throw new Web2JsonRequestDecodeError("request bytes are not the canonical encoding (three header words, then abi.encode(requestBody) with word 3 = 0x20)");
  }
  return request;
}

/** What one attested Web2Json response is made of. */
export type Web2JsonAttestation = {
  votingRound: bigint;
  requestBody: Web2JsonRequestBody;
  responseBody: Web2JsonResponseBody;
  /** Defaults to PUBLIC_WEB2_SOURCE_ID. */
  sourceId?: string;
  /** Defaults to WEB2JSON_ATTESTATION_TYPE. */
  attestationType?: string;
  /** Defaults to WEB2JSON_LOWEST_USED_TIMESTAMP. */
  lowestUsedTimestamp?: bigint;
};

/** The full IWeb2Json.Response of an attestation. */
export function web2JsonResponse(a: Web2JsonAttestation): Web2JsonResponse {
  return {
    attestationType: a.attestationType ?? WEB2JSON_ATTESTATION_TYPE,
    sourceId: a.sourceId ?? PUBLIC_WEB2_SOURCE_ID,
    votingRound: a.votingRound,
    lowestUsedTimestamp: a.lowestUsedTimestamp ?? WEB2JSON_LOWEST_USED_TIMESTAMP,
    requestBody: a.requestBody,
    responseBody: a.responseBody,
  };
}

/** A voting round's Merkle root and the proof of each of its responses. */
export type RoundProofs = {
  root: string;
  tree: FlareMerkleTree;
  proofs: Web2JsonProof[];
};

/**
 * Builds a voting round as Flare's providers do: one leaf per response (plus `extraLeaves`, e.g.
 * other attestation types of the round), the Flare tree, and an IWeb2Json.Proof per response.
 * All responses must carry the same voting round.
 */
export function buildRoundProofs(responses: readonly Web2JsonResponse[], extraLeaves: readonly string[] = []): RoundProofs {
  if (responses.length === 0) throw new RangeError("a round needs at least one response");
  const round = responses[0].votingRound;
  if (responses.some((r) => r.votingRound !== round)) throw new RangeError("responses of different voting rounds");
  const leaves = responses.map(web2JsonLeaf);
  const tree = FlareMerkleTree.build([...leaves, ...extraLeaves]);
  const proofs = responses.map((data, i) => ({ merkleProof: tree.proofFor(leaves[i]), data }));
  return { root: tree.root, tree, proofs };
}

/**
 * Given a Web2Json request body and response body, the IWeb2Json.Proof and the round root it
 * proves into (alone in its round, or beside `extraLeaves`).
 */
export function buildWeb2JsonProof(
  attestation: Web2JsonAttestation,
  extraLeaves: readonly string[] = [],
): { proof: Web2JsonProof; root: string; leaf: string } {
  const response = web2JsonResponse(attestation);
  const { root, proofs } = buildRoundProofs([response], extraLeaves);
  return { proof: proofs[0], root, leaf: web2JsonLeaf(response) };
}
