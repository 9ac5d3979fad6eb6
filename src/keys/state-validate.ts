/**
 * Reads what comes back from the state file with its schemas (state.ts): it is external input
 * like any other (a hand edit, a disk error, a file from another version).
 */
import * as z from "zod/mini";
import { Cursor, SubscriptionRecord } from "./state";
import { FlareFlowError } from "../errors";

export class StateFileError extends FlareFlowError {
  override readonly name = "StateFileError";
  override readonly docs = "README.md#services";
}

/** `v` read by `schema`, or a StateFileError at `path` and the first refused field ("line 2.sub.keys[0].hash: ..."). */
function parse<T>(schema: z.ZodMiniType<T>, v: unknown, path: string): T {
  const r = z.safeParse(schema, v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = (issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  throw new StateFileError(`${path}${where}: ${issue?.message ?? "malformed"}`);
}

export function parseCursor(v: unknown, path: string): Cursor {
  return parse(Cursor, v, path);
}

export function parseSubscriptionRecord(v: unknown, path: string): SubscriptionRecord {
  return parse(SubscriptionRecord, v, path);
}
