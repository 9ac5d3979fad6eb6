import { isHexString } from "ethers";
import { encodeWeb2JsonResponse, type Web2JsonResponse } from "./web2json";
import { FlareFlowError } from "../errors";

/**
 * The proof answer of Flare's Data Availability layer (flare-foundation/data-availability), in
 * either shape its releases serve:
 * - v1.0.0 (and v1.0.0-rc.4) `POST /api/v1/fdc/proof-by-request-round-raw`:
 *   `{response_hex, attestation_type, proof}` (fdc/serializers/v1/data.py, AttestationResultRawV1Serializer);
 * - `POST /api/v1/fdc/proof-by-request-round` and v0.0.x `POST /api/v0/fdc/get-proof-round-id-bytes`:
 *   `{response: {...decoded IWeb2Json.Response...}, proof}` (AttestationResultV1Serializer,
 *   AttestationResultV0Serializer; v0 writes integers as decimal strings, v1 as JSON numbers).
 * Both come down to the ABI-encoded response and its Merkle proof.
 */

export type DaProof = { responseHex: string; proof: string[] };

/** An answer that is neither shape, or whose decoded response cannot be re-encoded exactly. */
export class DaAnswerError extends FlareFlowError {
  override readonly name = "DaAnswerError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function proofOf(answer: Json): string[] {
  const proof = answer.proof;
  if (!Array.isArray(proof) || proof.some((p) => typeof p !== "string" || !isHexString(p, 32))) {
    throw new DaAnswerError("proof is not a list of 32-byte hashes");
  }
  return proof as string[];
}

function bytes32(value: unknown, name: string): string {
  if (typeof value !== "string" || !isHexString(value, 32)) throw new DaAnswerError(`response.${name} is not a 32-byte hex string`);
  return value.toLowerCase();
}

/** A uint64 written as a decimal string (v0) or a JSON number (v1): a number past 2^53 has lost digits. */
function uint64(value: unknown, name: string): bigint {
  if (typeof value === "string" && /^(0|[1-9][0-9]{0,19})$/.test(value)) {
    const n = BigInt(value);
    if (n < 1n << 64n) return n;
  }
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "number") {
    throw new DaAnswerError(`response.${name} is a JSON number beyond 2^53 (${value}): its exact value is lost; use the -raw endpoint`);
  }
  throw new DaAnswerError(`response.${name} is not a uint64`);
}

function text(record: Json, name: string, path: string): string {
  const value = record[name];
  if (typeof value !== "string") throw new DaAnswerError(`${path}.${name} is not a string`);
  return value;
}

function decodedResponse(value: unknown): Web2JsonResponse {
  if (!isRecord(value) || !isRecord(value.requestBody) || !isRecord(value.responseBody)) {
    throw new DaAnswerError("response is not a decoded IWeb2Json.Response");
  }
  const rb = value.requestBody;
  const data = value.responseBody.abiEncodedData;
  if (typeof data !== "string" || !isHexString(data)) throw new DaAnswerError("response.responseBody.abiEncodedData is not hex");
  const field = (name: string) => text(rb, name, "response.requestBody");
  return {
    attestationType: bytes32(value.attestationType, "attestationType"),
    sourceId: bytes32(value.sourceId, "sourceId"),
    votingRound: uint64(value.votingRound, "votingRound"),
    lowestUsedTimestamp: uint64(value.lowestUsedTimestamp, "lowestUsedTimestamp"),
    requestBody: {
      url: field("url"),
      httpMethod: field("httpMethod"),
      headers: field("headers"),
      queryParams: field("queryParams"),
      body: field("body"),
      postProcessJq: field("postProcessJq"),
      abiSignature: field("abiSignature"),
    },
    responseBody: { abiEncodedData: data.toLowerCase() },
  };
}

/**
 * The proof in a DA layer answer, or undefined when the answer says it has none yet (no
 * `response_hex` and no `response`). Throws DaAnswerError for anything malformed.
 */
export function parseDaProofAnswer(answer: unknown): DaProof | undefined {
  if (!isRecord(answer)) throw new DaAnswerError("answer is not a JSON object");
  const raw = answer.response_hex;
  if (raw !== undefined && raw !== null && raw !== "") {
    if (typeof raw !== "string" || !isHexString(raw)) throw new DaAnswerError("response_hex is not hex");
    return { responseHex: raw.toLowerCase(), proof: proofOf(answer) };
  }
  if (answer.response !== undefined && answer.response !== null) {
    return { responseHex: encodeWeb2JsonResponse(decodedResponse(answer.response)).toLowerCase(), proof: proofOf(answer) };
  }
  return undefined;
}
