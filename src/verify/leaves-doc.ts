import { checkRequestId, isRequestsRoot, isValidFamily, requestsRoot, type RequestLeaf } from "../report";
import { FlareFlowError } from "../errors";

/**
 * The requests under a window's line roots, as the connector records them and the key service
 * serves them to a line's customer. Numbers are decimal strings (uint64). Parsed here with no
 * trust: whoever reads it recomputes each root and compares it with the attested report.
 */

export type LineLeavesDocument = {
  subscriptionId: string;
  family: string;
  requestsRoot: string;
  requests: { requestId: string; tokens: string }[];
};

export type WindowLeaves = { window: string; lines: LineLeavesDocument[] };

export class InvalidLeavesError extends FlareFlowError {
  override readonly name = "InvalidLeavesError";
  override readonly docs = "README.md#verifiable-bills";
}

const UINT64 = /^(0|[1-9][0-9]{0,19})$/;
const MAX_UINT64 = (1n << 64n) - 1n;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function uint64(value: unknown, what: string): string {
  if (typeof value !== "string" || !UINT64.test(value) || BigInt(value) > MAX_UINT64) throw new InvalidLeavesError(`${what} is not a decimal uint64 string: ${JSON.stringify(value)}`);
  return value;
}

/** Parses one line's leaves (hostile input). */
export function parseLineLeaves(raw: unknown, what: string): LineLeavesDocument {
  if (!isRecord(raw)) throw new InvalidLeavesError(`${what} is not an object`);
  const subscriptionId = uint64(raw.subscriptionId, `${what} subscriptionId`);
  if (typeof raw.family !== "string" || !isValidFamily(raw.family)) throw new InvalidLeavesError(`${what}: invalid family ${JSON.stringify(raw.family)}`);
  if (!isRequestsRoot(raw.requestsRoot)) throw new InvalidLeavesError(`${what}: requestsRoot is not 32 bytes of lowercase 0x-hex`);
  if (!Array.isArray(raw.requests)) throw new InvalidLeavesError(`${what}: requests is not an array`);
  const requests = raw.requests.map((r: unknown, i: number) => {
    if (!isRecord(r)) throw new InvalidLeavesError(`${what} request ${i} is not an object`);
    try {
      checkRequestId(r.requestId);
    } catch (error) {
      throw new InvalidLeavesError(`${what} request ${i}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return { requestId: r.requestId as string, tokens: uint64(r.tokens, `${what} request ${i} tokens`) };
  });
  return { subscriptionId, family: raw.family, requestsRoot: raw.requestsRoot, requests };
}

/** Parses a window's leaves document and checks it is for `window`. */
export function parseWindowLeaves(raw: unknown, window: bigint): WindowLeaves {
  if (!isRecord(raw)) throw new InvalidLeavesError("a leaves document is a JSON object");
  if (uint64(raw.window, "window") !== window.toString()) throw new InvalidLeavesError(`the leaves document names window ${String(raw.window)}, not ${window}`);
  if (!Array.isArray(raw.lines)) throw new InvalidLeavesError("leaves.lines is not an array");
  return { window: window.toString(), lines: raw.lines.map((l: unknown, i: number) => parseLineLeaves(l, `window ${window} line ${i}`)) };
}

/** The leaves as the tree takes them. */
export function leavesOf(line: LineLeavesDocument): RequestLeaf[] {
  return line.requests.map((r) => ({ requestId: r.requestId, tokens: BigInt(r.tokens) }));
}

/** Whether the requests of `line` hash to its requestsRoot (false for a repeated request id too). */
export function leavesMatchRoot(line: LineLeavesDocument): boolean {
  try {
    return requestsRoot(leavesOf(line)) === line.requestsRoot;
  } catch {
    return false;
  }
}
