/** Request bodies parsed with the wire's schemas; a refusal is a 400 that names the field. */
import * as z from "zod/mini";
import { HttpError } from "./errors";

/** The first issue as one sentence: its field's path (signatures[1].addr), then the schema's predicate. */
export function wireIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "is malformed";
  const where = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
  return `${where === "" ? "the body" : where} ${issue.message}`;
}

/** The body parsed by `schema`, or a 400 naming the first field it refuses. */
export function parseBody<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  const r = z.safeParse(schema, body);
  if (!r.success) throw new HttpError(400, "bad_request", wireIssue(r.error));
  return r.data;
}
