import { WEB2JSON_LOWEST_USED_TIMESTAMP, WEB2JSON_LOWEST_USED_TIMESTAMP_UNTIL_V1_5 } from "../fdc";

/**
 * Releases of Flare's verifier (flare-foundation/verifier-indexer-api) whose Web2Json answers the
 * stand-in can give. They differ in `lowestUsedTimestamp`: 0 up to v1.5.0, 2^64 - 1 from
 * v1.6.0-rc.0 (commit 32cace5). The rules of request-rules.ts and jq-rules.ts are v1.6.0-rc.0's
 * (v1.5.0 also let `as $x` through; the stand-in refuses it in both: never looser than the newest).
 */
export const VERIFIER_RELEASES = ["v1.6.0-rc.0", "v1.5.0"] as const;
export type VerifierRelease = (typeof VERIFIER_RELEASES)[number];
export const DEFAULT_VERIFIER_RELEASE: VerifierRelease = "v1.6.0-rc.0";

export function lowestUsedTimestampOf(release: VerifierRelease): bigint {
  return release === "v1.5.0" ? WEB2JSON_LOWEST_USED_TIMESTAMP_UNTIL_V1_5 : WEB2JSON_LOWEST_USED_TIMESTAMP;
}
