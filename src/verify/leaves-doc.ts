import * as z from "zod/mini";
import { requestsRoot, type RequestLeaf } from "../report";
import { FlareFlowError } from "../errors";
import { WindowLeaves as WindowLeavesSchema, type LineLeaves, type WindowLeaves } from "../keys/http/wire/answers";
import { wireIssue } from "../keys/http/wire/common";

/**
 * The requests under a window's line roots, as the connector records them and the key service
 * serves them to a line's customer (the schema is the key service's wire contract, wire/answers.ts).
 * Numbers are decimal strings (uint64). Parsed with no trust: whoever reads it recomputes each
 * root and compares it with the attested report.
 */

export type { WindowLeaves };

export class InvalidLeavesError extends FlareFlowError {
  override readonly name = "InvalidLeavesError";
  override readonly docs = "README.md#verifiable-bills";
}

/** Parses a window's leaves document (hostile input) and checks it is for `window`. */
export function parseWindowLeaves(raw: unknown, window: bigint): WindowLeaves {
  const r = z.safeParse(WindowLeavesSchema, raw);
  if (!r.success) throw new InvalidLeavesError(`the leaves document of window ${window}: ${wireIssue(r.error, "the document")}`, { cause: r.error });
  if (r.data.window !== window.toString()) throw new InvalidLeavesError(`the leaves document names window ${r.data.window}, not ${window}`);
  return r.data;
}

/** The leaves as the tree takes them. */
export function leavesOf(line: LineLeaves): RequestLeaf[] {
  return line.requests.map((r) => ({ requestId: r.requestId, tokens: BigInt(r.tokens) }));
}

/** Whether the requests of `line` hash to its requestsRoot (false for a repeated request id too). */
export function leavesMatchRoot(line: LineLeaves): boolean {
  try {
    return requestsRoot(leavesOf(line)) === line.requestsRoot;
  } catch {
    return false;
  }
}
