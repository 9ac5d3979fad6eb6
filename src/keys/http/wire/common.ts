/**
 * What both directions of the key service's wire share: how a refusal is worded, the messages of
 * objects and arrays, a UInt64 in canonical decimal text, the proof actions and the nonce.
 */
import * as z from "zod/mini";
import { UINT64_MAX } from "../../../pricing/units";

/** The first issue as one sentence: its field's path (signatures[1].addr) or `root`, then the schema's predicate. */
export function wireIssue(error: z.core.$ZodError, root = "the body"): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${root} is malformed`;
  const where = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
  return `${where === "" ? root : where} ${issue.message}`;
}

export const OBJECT = { error: "must be an object" };
export const ARRAY = { error: "must be an array" };
export const TEXT = { error: "must be a string" };

/** What a proof is for: each action needs its own single-use challenge. */
export const ACTIONS = ["reveal", "usage", "rotate"] as const;
export const ProofAction = z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(", ")}` });
export type ProofAction = z.infer<typeof ProofAction>;

/** A UInt64 in canonical decimal text (no sign, no leading zero), as the service writes ids. */
export function canonicalUInt64(message: string) {
  return z.string({ error: message }).check(
    z.regex(/^(0|[1-9][0-9]{0,19})$/, { error: message, abort: true }),
    z.refine((s) => BigInt(s) <= UINT64_MAX, { error: message }),
  );
}

const NONCE = "must be the 64 hex digits the challenge returned";
/** A challenge's single-use nonce. */
export const Nonce = z.string({ error: NONCE }).check(z.regex(/^[0-9a-f]{64}$/, { error: NONCE }));

