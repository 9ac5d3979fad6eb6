/**
 * What the key service knows and wants, per subscription. Event handlers only
 * change the desired state here (and that change is journaled together with
 * the cursor); the reconciler then drives LiteLLM and Flow towards it, one
 * journaled step at a time.
 */
import * as z from "zod/mini";
import { keyDecision } from "./decision";

/*
 * The state file's shapes: schemas (state-validate.ts reads the file with them, since it is
 * external input like any other) and the types inferred from them. Each message completes
 * "<where in the file>: ".
 */
const STRING = { error: "expected a string" };
const OBJECT = { error: "expected an object" };
const Natural = z.int({ error: "expected a non-negative integer" }).check(z.nonnegative({ error: "expected a non-negative integer" }));
const Strings = z.array(z.string(STRING), { error: "expected an array" });
function oneOf<const T extends readonly [string, ...string[]]>(options: T) {
  return z.enum(options, { error: `expected one of ${options.join(", ")}` });
}

/** Where the subscription stands on Flow, as the events told us. */
export const Lifecycle = oneOf(["active", "suspended", "closing", "closed"]);
export type Lifecycle = z.infer<typeof Lifecycle>;

/** A raw key encrypted (crypto.ts SealedKey): base64 of the GCM nonce, tag and ciphertext. */
const Sealed = z.object({ iv: z.string(STRING), tag: z.string(STRING), data: z.string(STRING) }, OBJECT);

/**
 * One key of a subscription. Generation 0 is issued on SubscriptionCreated;
 * each rotation (or re-issue after a revocation) adds the next one.
 */
export const KeyGeneration = z.object(
  {
    generation: Natural,
    /** LiteLLM's key_alias; "" for an adopted key until LiteLLM is asked. */
    alias: z.string(STRING),
    /** sha256 hex of the raw key: LiteLLM's token and the hash on Flow. */
    hash: z.string(STRING).check(z.regex(/^[0-9a-f]{64}$/, { error: "expected 64 lowercase hex digits" })),
    /**
     * The raw key, encrypted; dropped once the key is deleted or revoked. Null
     * as well for a key adopted from the chain after the journal was lost: it
     * works, but its plaintext is gone.
     */
    sealed: z.nullable(Sealed),
    /**
     * pending: not yet created in LiteLLM; live: created; deleted: gone for
     * good; unknown: adopted from a KeyIssued/KeyRotated event this journal did
     * not know (it was lost or restored from an older copy), to be looked up in
     * LiteLLM by its hash.
     */
    litellm: oneOf(["pending", "live", "deleted", "unknown"]),
    /**
     * pending: not on Flow yet; sending: a transaction may be in flight (see
     * sentFromHeight); attached: Flow carried this hash; skipped: the
     * subscription closed before the hash could be attached.
     */
    flow: oneOf(["pending", "sending", "attached", "skipped"]),
    /** Sealed height just before the attaching transaction was sent. */
    sentFromHeight: z.nullable(Natural),
    /** Whether LiteLLM has this key blocked, as last set by this service. */
    blocked: z.boolean({ error: "expected a boolean" }),
    /** The models last applied to the key in LiteLLM. */
    models: Strings,
    /** Set by a KeyRevoked event: the key is deleted and never attached again. */
    revoked: z.boolean({ error: "expected a boolean" }),
  },
  OBJECT,
);
export type KeyGeneration = z.infer<typeof KeyGeneration>;

export const SubscriptionRecord = z.object(
  {
    id: z.string(STRING).check(z.regex(/^\d+$/, { error: "expected a decimal subscription id" })),
    customer: z.string(STRING),
    provider: z.string(STRING),
    /** Models the key may call; empty means all (LiteLLM's convention). */
    models: Strings,
    maxBudgetPerPeriod: z.nullable(z.string(STRING)),
    lifecycle: Lifecycle,
    /**
     * Set by the live limit (live/limiter.ts) when pending usage has used up the escrow or reached
     * the period cap; null while there is room. Journaled, so a restart keeps the block until the
     * limit has been recomputed from Flow and LiteLLM. Absent in journals written before it existed
     * (read as null: no live block).
     */
    liveBlock: z.pipe(z.optional(z.nullable(oneOf(["escrow", "cap"]))), z.transform((b) => b ?? null)),
    keys: z.array(KeyGeneration, { error: "expected an array" }),
  },
  OBJECT,
);
export type SubscriptionRecord = z.infer<typeof SubscriptionRecord>;

export const Cursor = z.object(
  {
    /** Lowest height that may still hold unhandled events. */
    height: Natural,
    /** The last handled event at `height`, or null when none of its events is handled yet. */
    last: z.nullable(z.object({ transactionIndex: Natural, eventIndex: Natural }, OBJECT)),
  },
  OBJECT,
);
export type Cursor = z.infer<typeof Cursor>;

export function currentKey(sub: SubscriptionRecord): KeyGeneration | undefined {
  return sub.keys[sub.keys.length - 1];
}

/** Whether the key must be blocked: keyDecision over the chain's lifecycle and the live limit. */
export function shouldBeBlocked(sub: SubscriptionRecord): boolean {
  return keyDecision(sub.lifecycle, sub.liveBlock).blocked;
}

function sameModels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

/** Whether generation `k` must end up deleted in LiteLLM. */
export function mustDelete(sub: SubscriptionRecord, k: KeyGeneration): boolean {
  return sub.lifecycle === "closed" || k.revoked || k !== currentKey(sub);
}

/**
 * The current key is gone from LiteLLM although the subscription should have
 * one (LiteLLM lost it, and with the journal lost its plaintext is gone too):
 * it must be replaced by a new generation.
 */
export function keyLost(sub: SubscriptionRecord): boolean {
  const cur = currentKey(sub);
  return cur !== undefined && cur.litellm === "deleted" && !mustDelete(sub, cur) && (sub.lifecycle === "active" || sub.lifecycle === "suspended");
}

/** True while LiteLLM or Flow still differ from what the subscription wants. */
export function needsWork(sub: SubscriptionRecord): boolean {
  if (sub.keys.some((k) => mustDelete(sub, k) && k.litellm !== "deleted")) return true;
  const cur = currentKey(sub);
  if (cur === undefined || mustDelete(sub, cur)) return false;
  if (cur.litellm === "pending" || cur.litellm === "unknown" || keyLost(sub)) return true;
  if (cur.flow === "pending" || cur.flow === "sending") return true;
  if (cur.blocked !== shouldBeBlocked(sub)) return true;
  return !sameModels(cur.models, sub.models);
}

export { sameModels };
