/**
 * Verifies a wallet proof: FCL composite signatures (what
 * currentUser.signUserMessage returns) over a challenge, checked against the
 * account's keys on Flow by cadence/scripts/account/verify_user_signature.cdc.
 */
import { accountVerifyUserSignature } from "../../flow/generated/scripts";
import { codec, runScript, type FlowContext } from "../../flow/runtime";
import { HttpError } from "./errors";

import type { CompositeSignature } from "./wire";

export type { CompositeSignature };

const MAX_SIGNATURES = 20;
/** Flow account key indices are 32-bit: a larger one would overflow in the Cadence check after the nonce is spent. */
const MAX_KEY_INDEX = 0xffff_ffff;

/** Validates the `signatures` field of a request body. */
export function parseSignatures(value: unknown): CompositeSignature[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, "bad_request", "signatures must be a non-empty array of {addr, keyId, signature} (FCL's signUserMessage result)");
  }
  if (value.length > MAX_SIGNATURES) throw new HttpError(400, "bad_request", `at most ${MAX_SIGNATURES} signatures`);
  return value.map((raw: unknown, i) => {
    if (typeof raw !== "object" || raw === null) throw new HttpError(400, "bad_request", `signatures[${i}] must be an object`);
    const s = raw as Record<string, unknown>;
    let addr: string;
    try {
      addr = codec.normalizeAddress(s["addr"], `signatures[${i}].addr`);
    } catch {
      throw new HttpError(400, "bad_request", `signatures[${i}].addr must be a Flow address`);
    }
    const keyId = s["keyId"];
    if (typeof keyId !== "number" || !Number.isSafeInteger(keyId) || keyId < 0 || keyId > MAX_KEY_INDEX) {
      throw new HttpError(400, "bad_request", `signatures[${i}].keyId must be an account key index (0 to ${MAX_KEY_INDEX})`);
    }
    const signature = s["signature"];
    if (typeof signature !== "string" || !/^(0x)?([0-9a-fA-F]{2}){1,256}$/.test(signature)) {
      throw new HttpError(400, "bad_request", `signatures[${i}].signature must be hex`);
    }
    return { addr, keyId, signature: signature.replace(/^0x/, "").toLowerCase() };
  });
}

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
    throw new HttpError(403, "not_owner", "the signing account is not this subscription's customer");
  }
  const valid = await runScript(ctx, accountVerifyUserSignature, {
    address: owner,
    messageHex,
    keyIndices: signatures.map((s) => s.keyId),
    signatures: signatures.map((s) => s.signature),
  });
  if (!valid) throw new HttpError(401, "bad_signature", "the signature does not verify against the customer's account keys");
}
