/** Request bodies parsed with the wire's schemas; a refusal is a 400 that names the field. */
import * as z from "zod/mini";
import { keyError } from "./errors";
import { wireIssue } from "./wire";

/** The body parsed by `schema`, or a 400 naming the first field it refuses. */
export function parseBody<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  const r = z.safeParse(schema, body);
  if (!r.success) throw keyError(400, "bad_request", wireIssue(r.error));
  return r.data;
}
