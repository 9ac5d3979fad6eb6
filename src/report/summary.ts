import { AbiCoder } from "ethers";
// The report structs' ABI from the compiler's artifact (named import: a bundler keeps only `abi`).
import { abi } from "../../artifacts/solidity/contracts/UsageReportAbi.sol/IUsageReportAbi.json";
import type { UsageSummaryStructOutput } from "../evm/typechain/solidity/contracts/UsageReportAbi.sol/IUsageReportAbi";
import { abiParameter, tupleType, type StructFields } from "../evm/abi";
import type { UsageLine } from "./lines";
import { reportDigest } from "./digest";
import { UINT64_MAX } from "../pricing/units";

/** The flat tuple the Web2Json attestation carries: Solidity `UsageSummary`. */
export type UsageSummary = StructFields<UsageSummaryStructOutput>;

const SUMMARY_PARAMETER = abiParameter(abi, "usageSummary", "summary");

/**
 * The Web2Json `abiSignature` of the summary: the compiler's ABI of the `summary` parameter
 * (solidity/contracts/UsageReportAbi.sol), as JSON. Flat on purpose: FDC's Web2Json refuses arrays
 * and nested tuples. This exact string is pinned in UsageReportVerifier's request spec.
 */
export const USAGE_SUMMARY_ABI_SIGNATURE: string = JSON.stringify(SUMMARY_PARAMETER);

/** ethers type string of the summary tuple (same layout as the ABI signature). */
export const USAGE_SUMMARY_TYPE: string = tupleType(SUMMARY_PARAMETER);

/** The summary of a window's lines (validates them; total tokens must fit a uint64). */
export function summarize(window: bigint, lines: readonly UsageLine[]): UsageSummary {
  const digest = reportDigest(window, lines);
  const totalTokens = lines.reduce((sum, l) => sum + l.tokens, 0n);
  if (totalTokens > UINT64_MAX) throw new RangeError(`total tokens ${totalTokens} exceed uint64`);
  return { window, digest, lineCount: BigInt(lines.length), totalTokens };
}

/** abi.encode(UsageSummary): the Web2Json response's `abiEncodedData` (128 bytes). */
export function encodeSummary(summary: UsageSummary): string {
  return AbiCoder.defaultAbiCoder().encode(
    [USAGE_SUMMARY_TYPE],
    [[summary.window, summary.digest, summary.lineCount, summary.totalTokens]],
  );
}

/** Decodes `abiEncodedData` back into a summary. */
export function decodeSummary(data: string): UsageSummary {
  const [tuple] = AbiCoder.defaultAbiCoder().decode([USAGE_SUMMARY_TYPE], data);
  const [window, digest, lineCount, totalTokens] = tuple as unknown as [bigint, string, bigint, bigint];
  return { window, digest, lineCount, totalTokens };
}

/** The URL of a window's report under the publisher's base URL (what the oracles read). */
export function reportUrl(baseUrl: string, window: bigint): string {
  return `${baseUrl}/reports/${window.toString()}`;
}

/** The URL of a window's summary under the publisher's base URL (no query string: FDC drops it). */
export function summaryUrl(baseUrl: string, window: bigint): string {
  return `${reportUrl(baseUrl, window)}/summary`;
}
