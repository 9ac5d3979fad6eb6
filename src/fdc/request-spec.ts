import { AbiCoder, keccak256, toUtf8Bytes } from "ethers";
import { USAGE_SUMMARY_ABI_SIGNATURE } from "../report";
import { PUBLIC_WEB2_SOURCE_ID } from "./web2json";

/**
 * The jq filter Flare's Web2Json verifiers apply to a window's summary
 * document: the four fields of the attested tuple, in its order.
 */
export const SUMMARY_JQ_FILTER = "{window: .window, digest: .digest, lineCount: .lineCount, totalTokens: .totalTokens}";

/** Every request field but the URL, as UsageReportVerifier pins it. */
export interface ReportRequestSpec {
  sourceId: string;
  httpMethod: string;
  headers: string;
  queryParams: string;
  body: string;
  postProcessJq: string;
  abiSignature: string;
}

/**
 * The one request every report attestation carries (a Web2Json request is
 * public on chain: no secret in any field).
 */
export function reportRequestSpec(): ReportRequestSpec {
  return {
    sourceId: PUBLIC_WEB2_SOURCE_ID,
    httpMethod: "GET",
    headers: "{}",
    queryParams: "{}",
    body: "{}",
    postProcessJq: SUMMARY_JQ_FILTER,
    abiSignature: USAGE_SUMMARY_ABI_SIGNATURE,
  };
}

/**
 * The hash UsageReportVerifier stores for a spec: keccak256 of the ABI
 * encoding of the six field hashes (method, headers, query, body, jq, ABI
 * signature), so a deploy can tell whether the pinned request is current.
 */
export function requestSpecHash(spec: ReportRequestSpec): string {
  const fields = [spec.httpMethod, spec.headers, spec.queryParams, spec.body, spec.postProcessJq, spec.abiSignature];
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32[6]"], [fields.map((f) => keccak256(toUtf8Bytes(f)))]));
}
