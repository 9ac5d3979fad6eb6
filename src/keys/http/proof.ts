/**
 * Verifies a wallet proof: FCL composite signatures (what
 * currentUser.signUserMessage returns) over a challenge, checked against the
 * account's keys on Flow by cadence/scripts/account/verify_user_signature.cdc.
 */
import { accountVerifyUserSignature } from "../../flow/generated/scripts";
import { runScript, type FlowContext } from "../../flow/runtime";
import { keyError } from "./errors";
import type { CompositeSignature } from "./wire";

/**
 * Throws 403 unless every signature is by `owner`, and 401 unless they are a
 * valid user signature of `messageHex` by keys of `owner` worth >= 1000.
 */
export async function verifyOwnership(
  ctx: FlowContext,
  owner: string,
  messageHex: string,
  signatures: readonly CompositeSignature[],
): Promise<void> {
  if (signatures.some((s) => s.addr !== owner)) {
    throw keyError(403, "not_owner", "the signing account is not this subscription's customer");
  }
  const valid = await runScript(ctx, accountVerifyUserSignature, {
    address: owner,
    messageHex,
    keyIndices: signatures.map((s) => s.keyId),
    signatures: signatures.map((s) => s.signature),
  });
  if (!valid) throw keyError(401, "bad_signature", "the signature does not verify against the customer's account keys");
}
