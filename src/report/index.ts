/**
 * The FlareFlow usage-report format, one encoding on Coston2 and Flow.
 * (The oracle-signature message, when it comes, belongs in its own file here.)
 */
export { Windows, WINDOW_SECONDS_BOUNDS } from "./window";
/** The format's integers are uint64s (Solidity) and UInt64s (Cadence). */
export { UINT64_MAX } from "../pricing/units";
export {
  type UsageLine,
  MAX_FAMILY_BYTES,
  InvalidLinesError,
  isValidFamily,
  familyToBytes32,
  compareLines,
  sortLines,
  validateLines,
  isRequestsRoot,
} from "./lines";
export { REPORT_DOMAIN, REPORT_ENCODING_TYPES, LINE_TUPLE, lineTuples, encodeReport, reportDigest } from "./digest";
export {
  type RequestLeaf,
  REQUEST_LEAF_DOMAIN,
  EMPTY_REQUESTS_ROOT,
  InvalidRequestLeafError,
  checkRequestId,
  requestLeafHash,
  checkDistinctRequests,
  requestsRoot,
  requestsRootOf,
  type LineRequests,
} from "./requests";
export {
  type UsageSummary,
  USAGE_SUMMARY_ABI_SIGNATURE,
  USAGE_SUMMARY_TYPE,
  summarize,
  encodeSummary,
  decodeSummary,
  reportUrl,
  summaryUrl,
} from "./summary";
export * from "./oracle";
