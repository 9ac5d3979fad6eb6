import * as z from "zod/mini";
import { FlareFlowError } from "../errors";

/**
 * LiteLLM's server is untrusted input: a body of the wrong shape becomes a clear
 * `invalid_response` error naming the path, never a crash deeper in the code or a silently
 * wrong number on a bill. The schemas (./parse) word each refusal "expected ..., got ...";
 * parseShape puts zod's first issue in that sentence behind its path (`data[1].spend`).
 */
export class ShapeError extends FlareFlowError {
  override readonly name = "ShapeError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
  constructor(readonly path: string, detail: string) {
    super(`${path || "body"}: ${detail}`);
  }
}

/** What came, in short: a string in full only when it is short. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return v.length > 40 ? "string" : `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return `number ${v}`;
  return typeof v;
}

/** A schema's `error` option: the refusal in those words, from the value refused. */
export const expected = (what: string) => ({ error: (issue: { input?: unknown }) => `expected ${what}, got ${describe(issue.input)}` });

/** `value` read by `schema`, or a ShapeError at `path` ("" for the body) and the first refused field below it. */
export function parseShape<T>(schema: z.ZodMiniType<T>, value: unknown, path: string): T {
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  let issue: z.core.$ZodIssue | undefined = r.error.issues[0];
  let where: PropertyKey[] = issue?.path ?? [];
  // A union every branch refused: the branch that got furthest into the value says why, else the first.
  while (issue?.code === "invalid_union") {
    const firsts: (z.core.$ZodIssue | undefined)[] = issue.errors.map((branch) => branch[0]);
    const inner: z.core.$ZodIssue | undefined = firsts.find((i) => i !== undefined && (i.path.length > 0 || i.code !== "invalid_type")) ?? firsts[0];
    if (inner === undefined) break;
    issue = inner;
    where = [...where, ...inner.path];
  }
  const at = where.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : s === "" ? String(p) : `${s}.${String(p)}`), path);
  throw new ShapeError(at, issue?.message ?? "malformed");
}
