import { FlareFlowError } from "../errors";

/**
 * A LiteLLM answer of the wrong shape (parse.ts reads every answer with its schema): the server
 * is untrusted input, and a body of the wrong shape becomes a clear `invalid_response` error
 * naming the path, never a crash deeper in the code or a silently wrong number on a bill.
 */
export class ShapeError extends FlareFlowError {
  override readonly name = "ShapeError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
  constructor(readonly path: string, expected: string, got: unknown) {
    super(`${path || "body"}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return v.length > 40 ? "string" : `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return `number ${v}`;
  return typeof v;
}
