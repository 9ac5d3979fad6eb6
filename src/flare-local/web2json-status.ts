import { FlareFlowError, type FlareFlowErrorOptions } from "../errors";

/**
 * Flare's Web2Json verifier, as the stand-in imitates it: flare-foundation/verifier-indexer-api
 * release v1.6.0-rc.0 (commit d7a5978, the newest; its Web2Json code is unchanged since).
 * The status strings are its `AttestationResponseStatus` (src/verification/response-status.ts)
 * and the limits its `web2JsonDefaultParams` (src/config/defaults/web2-json-config.ts).
 */

export const WEB2JSON_STATUS = {
  VALID: "VALID",
  INVALID_SOURCE_URL: "INVALID: INVALID SOURCE URL",
  INVALID_HTTP_METHOD: "INVALID: INVALID OR NOT ALLOWED HTTP METHOD",
  INVALID_HEADERS: "INVALID: INVALID HEADERS",
  INVALID_QUERY_PARAMS: "INVALID: INVALID QUERY PARAMETERS",
  INVALID_BODY: "INVALID: INVALID BODY",
  INVALID_JQ_FILTER: "INVALID: INVALID JQ FILTER",
  INVALID_ABI_SIGNATURE: "INVALID: INVALID ABI SIGNATURE",
  INVALID_RESPONSE_CONTENT_TYPE: "INVALID: INVALID RESPONSE CONTENT TYPE",
  INVALID_RESPONSE_JSON: "INVALID: INVALID JSON RESPONSE",
  INVALID_JQ_PARSE_ERROR: "INVALID: JQ PARSE ERROR",
  INVALID_FETCH_ERROR: "INVALID: FETCH ERROR",
  INVALID_ENCODE_ERROR: "INVALID: ABI ENCODING ERROR",
  PROCESSING_TIMEOUT: "INVALID: PROCESSING TIMEOUT",
  UNKNOWN_ERROR: "UNKNOWN ERROR",
} as const;

export type Web2JsonStatus = (typeof WEB2JSON_STATUS)[keyof typeof WEB2JSON_STATUS];
export type Web2JsonRefusal = Exclude<Web2JsonStatus, "VALID">;

/** `Web2JsonSecurityParams` with Flare's default values. */
export const FLARE_WEB2JSON_LIMITS = {
  maxResponseSize: 100 * 1024,
  maxRedirects: 0,
  requestTimeoutMs: 5_000,
  maxUrlLength: 2_000,
  maxHeaders: 15,
  maxQueryParams: 15,
  maxBodyJsonDepth: 6,
  maxBodyJsonKeys: 500,
  maxJqFilterLength: 5_000,
  maxAbiSignatureLength: 5_000,
  processingTimeoutMs: 500,
  /** validate-jq.ts MAX_AST_NODES. */
  maxJqAstNodes: 10_000,
  /** validate-url.ts DNS_LOOKUP_TIMEOUT_MS. */
  dnsLookupTimeoutMs: 2_000,
} as const;

/** A refusal with Flare's status; the message says why (for logs, never sent on chain). */
export class Web2JsonRefused extends FlareFlowError {
  override readonly name = "Web2JsonRefused";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
  constructor(
    readonly status: Web2JsonRefusal,
    message: string,
    options?: FlareFlowErrorOptions,
  ) {
    super(`${status}: ${message}`, options);
  }
}
