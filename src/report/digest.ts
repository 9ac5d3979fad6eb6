import { AbiCoder, id, keccak256 } from "ethers";
// The report structs' ABI from the compiler's artifact (named import: a bundler keeps only `abi`).
import { abi } from "../../artifacts/solidity/contracts/UsageReportAbi.sol/IUsageReportAbi.json";
import { abiParameter, tupleType } from "../evm/abi";
import { familyToBytes32, validateLines, type UsageLine } from "./lines";
import { UINT64_MAX } from "./window";

/**
 * keccak256("FlareFlow.UsageReport.v2"): the report digest's domain separator. v2 added each
 * line's requestsRoot; a v1 digest can never equal a v2 one.
 */
export const REPORT_DOMAIN: string = id("FlareFlow.UsageReport.v2");

/** ABI type of a report line: Solidity `UsageLine`, from the compiler's artifact. */
export const LINE_TUPLE: string = tupleType(abiParameter(abi, "usageLine", "line"));

/** The ABI values of lines (validated beforehand). */
export function lineTuples(lines: readonly UsageLine[]): unknown[][] {
  return lines.map((l) => [l.subscriptionId, familyToBytes32(l.family), l.tokens, l.requests, l.requestsRoot]);
}

/** ABI types of the digest preimage: (bytes32 domain, uint64 window, UsageLine[] lines). */
export const REPORT_ENCODING_TYPES = ["bytes32", "uint64", `${LINE_TUPLE}[]`] as const;

function checkWindow(window: bigint): void {
  if (window < 0n || window > UINT64_MAX) throw new RangeError(`window ${window} is not a uint64`);
}

/**
 * abi.encode(REPORT_DOMAIN, uint64 window, UsageLine[] lines), the digest preimage.
 * Validates the lines first (sorted, unique, in range).
 */
export function encodeReport(window: bigint, lines: readonly UsageLine[]): string {
  checkWindow(window);
  validateLines(lines);
  return AbiCoder.defaultAbiCoder().encode(REPORT_ENCODING_TYPES, [REPORT_DOMAIN, window, lineTuples(lines)]);
}

/** keccak256(encodeReport(window, lines)): what Coston2 stores and Flow recomputes. */
export function reportDigest(window: bigint, lines: readonly UsageLine[]): string {
  return keccak256(encodeReport(window, lines));
}
