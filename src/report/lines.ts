import { encodeBytes32String } from "ethers";
import { UINT64_MAX } from "./window";
import { FlareFlowError } from "../errors";
import { isRequestsRoot, isValidFamily } from "./fields";

export { isRequestsRoot, isValidFamily, MAX_FAMILY_BYTES } from "./fields";

/**
 * One subscription's usage of one model family in one window.
 * On chain: `UsageLine { uint64 subscriptionId; bytes32 family; uint64 tokens; uint64 requests;
 * bytes32 requestsRoot; }`, `family` left-aligned ASCII in a bytes32; "" (bytes32(0)) is the
 * unmapped / default family; `requestsRoot` the Merkle root of the line's requests (requests.ts),
 * as 0x and 64 lowercase hex digits.
 */
export type UsageLine = {
  subscriptionId: bigint;
  family: string;
  tokens: bigint;
  requests: bigint;
  requestsRoot: string;
};

/** What orders lines in a report: the subscription, then the family. */
export type LineKey = Pick<UsageLine, "subscriptionId" | "family">;

/** Why a report's lines were refused. */
export class InvalidLinesError extends FlareFlowError {
  override readonly name = "InvalidLinesError";
  override readonly docs = "README.md#verifiable-bills";
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** The family as its on-chain bytes32 (left-aligned ASCII, zero-padded). */
export function familyToBytes32(family: string): string {
  if (!isValidFamily(family)) throw new RangeError(`invalid family name: ${JSON.stringify(family)}`);
  return encodeBytes32String(family);
}

/**
 * Report order: subscriptionId ascending, then family ascending as bytes32. For zero-padded ASCII
 * that is byte-wise string order with a prefix first ("" < "gpt" < "gpt-4").
 */
export function compareLines(a: LineKey, b: LineKey): number {
  if (a.subscriptionId !== b.subscriptionId) return a.subscriptionId < b.subscriptionId ? -1 : 1;
  return compareFamilies(a.family, b.family);
}

function compareFamilies(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** A sorted copy of the lines (report order); does not validate. */
export function sortLines<T extends LineKey>(lines: readonly T[]): T[] {
  return [...lines].sort(compareLines);
}

function checkUint64(value: bigint, what: string, index: number): void {
  if (typeof value !== "bigint" || value < 0n || value > UINT64_MAX) {
    throw new InvalidLinesError(`line ${index}: ${what} ${String(value)} is not a uint64`, index);
  }
}

/**
 * Throws InvalidLinesError unless the lines are a valid report: every number a uint64, every
 * family printable ASCII of at most 31 bytes, every requestsRoot 32 bytes of lowercase hex, sorted in report order, no duplicate
 * (subscriptionId, family).
 */
export function validateLines(lines: readonly UsageLine[]): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    checkUint64(line.subscriptionId, "subscriptionId", i);
    checkUint64(line.tokens, "tokens", i);
    checkUint64(line.requests, "requests", i);
    if (typeof line.family !== "string" || !isValidFamily(line.family)) {
      throw new InvalidLinesError(`line ${i}: invalid family ${JSON.stringify(line.family)}`, i);
    }
    if (!isRequestsRoot(line.requestsRoot)) {
      throw new InvalidLinesError(`line ${i}: requestsRoot ${JSON.stringify(line.requestsRoot)} is not 32 bytes of lowercase 0x-hex`, i);
    }
    if (i > 0) {
      const order = compareLines(lines[i - 1], line);
      if (order === 0) throw new InvalidLinesError(`line ${i}: duplicate subscription and family`, i);
      if (order > 0) throw new InvalidLinesError(`line ${i}: lines are not sorted`, i);
    }
  }
}
