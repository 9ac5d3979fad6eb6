/**
 * Which key a customer may be handed, and the refusal that says why not.
 */
import { openKey } from "./crypto";
import { keyError } from "./http/errors";
import { currentKey, type SubscriptionRecord } from "./state";

/** The plaintext of `generation`, which must be the subscription's current, issued, stored key. */
export function deliverable(sub: SubscriptionRecord, generation: number, kek: Buffer): { key: string; alias: string; hash: string } {
  if (sub.lifecycle === "closed") throw keyError(410, "closed", `subscription ${sub.id} is closed; its keys are deleted`);
  const cur = currentKey(sub);
  if (cur === undefined || cur.revoked) {
    throw keyError(409, "no_key", `subscription ${sub.id} has no key (revoked); request a new one with /v1/keys/rotate`);
  }
  if (cur.generation !== generation) {
    throw keyError(409, "superseded", `the key of subscription ${sub.id} was replaced meanwhile; reveal the current one`);
  }
  if (cur.litellm === "live" && cur.flow === "attached" && cur.sealed === null) {
    throw keyError(
      409,
      "key_not_stored",
      `the key of subscription ${sub.id} was issued before this key service lost its records: it still works, but it cannot be shown again; rotate to get a new one`,
    );
  }
  if (cur.litellm !== "live" || cur.flow !== "attached" || cur.sealed === null) {
    throw keyError(409, "key_pending", `the key of subscription ${sub.id} is still being issued; try again shortly`);
  }
  return { key: openKey(kek, sub.id, cur.alias, cur.sealed), alias: cur.alias, hash: cur.hash };
}
