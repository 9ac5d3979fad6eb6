/**
 * Turns one Flow event into a change of desired state. Pure apart from minting
 * a raw key for a new generation: no network, so a handler cannot half-run.
 * Replaying an event yields no change (the caller then journals nothing but
 * the cursor).
 *
 * A key event for a hash the record does not know can only come from keys this
 * service issued before its journal was lost or restored from an older copy:
 * the hash is adopted (the chain is the truth), so a revoked key stays
 * revoked, a live one is kept rather than issued again, and no second
 * KeyIssued is ever sent for a subscription whose key exists.
 */
import { aliasFor, hashKey, newRawKey } from "../litellm";
import { sealKey } from "./crypto";
import type { PositionedEvent } from "./events";
import type { KeyGeneration, Lifecycle, SubscriptionRecord } from "./state";

export interface HandlerContext {
  /** Only subscriptions naming this provider are ours. */
  provider: string;
  kek: Buffer;
}

/** The next generation number: generations only grow, so an alias is never used twice. */
function nextGeneration(sub: SubscriptionRecord): number {
  return sub.keys.reduce((max, k) => Math.max(max, k.generation + 1), 0);
}

/** A new generation whose raw key exists only sealed in the record. */
export function newGeneration(sub: SubscriptionRecord, kek: Buffer): KeyGeneration {
  const generation = nextGeneration(sub);
  const alias = aliasFor(sub.id, generation);
  const raw = newRawKey();
  return {
    generation,
    alias,
    hash: hashKey(raw),
    sealed: sealKey(kek, sub.id, alias, raw),
    litellm: "pending",
    flow: "pending",
    sentFromHeight: null,
    blocked: false,
    models: [],
    revoked: false,
  };
}

/**
 * The record with `hash` adopted as its current key: generations that never
 * left this process (not created, not sent) are dropped; the others are
 * superseded and will be deleted like any replaced key.
 */
function adopt(sub: SubscriptionRecord, hash: string, revoked: boolean): SubscriptionRecord {
  const kept = sub.keys.filter((k) => !(k.litellm === "pending" && k.flow === "pending"));
  const adopted: KeyGeneration = {
    generation: nextGeneration({ ...sub, keys: kept }),
    alias: "",
    hash,
    sealed: null,
    litellm: "unknown",
    flow: "attached",
    sentFromHeight: null,
    blocked: false,
    models: [],
    revoked,
  };
  return { ...sub, keys: [...kept, adopted] };
}

function withLifecycle(sub: SubscriptionRecord, lifecycle: Lifecycle): SubscriptionRecord | null {
  // Closed is final: a late or replayed event cannot reopen a subscription.
  if (sub.lifecycle === lifecycle || sub.lifecycle === "closed") return null;
  // Closing only moves on to closed.
  if (sub.lifecycle === "closing" && lifecycle !== "closed") return null;
  return { ...sub, lifecycle };
}

/**
 * The record after `event`, or null when the event changes nothing we keep
 * (not our subscription, or already applied).
 */
export function applyEvent(
  event: PositionedEvent,
  subs: ReadonlyMap<string, SubscriptionRecord>,
  ctx: HandlerContext,
): SubscriptionRecord | null {
  const id = event.data.id.toString();
  const sub = subs.get(id);
  switch (event.name) {
    case "SubscriptionCreated": {
      if (event.data.provider !== ctx.provider || sub !== undefined) return null;
      const created: SubscriptionRecord = {
        id,
        customer: event.data.customer,
        provider: event.data.provider,
        models: event.data.allowedModels ?? [],
        maxBudgetPerPeriod: event.data.maxBudgetPerPeriod,
        lifecycle: "active",
        liveBlock: null,
        keys: [],
      };
      return { ...created, keys: [newGeneration(created, ctx.kek)] };
    }
    case "SubscriptionUpdated": {
      if (sub === undefined) return null;
      const models = event.data.allowedModels ?? [];
      if (JSON.stringify(models) === JSON.stringify(sub.models) && event.data.maxBudgetPerPeriod === sub.maxBudgetPerPeriod) return null;
      return { ...sub, models, maxBudgetPerPeriod: event.data.maxBudgetPerPeriod };
    }
    case "SubscriptionToppedUp":
    case "SubscriptionPeriodStarted":
      // Money and periods are the live limit's business (it reads Flow again); no desired state changes.
      return null;
    case "SubscriptionSuspended":
      return sub === undefined ? null : withLifecycle(sub, "suspended");
    case "SubscriptionResumed":
      return sub === undefined ? null : withLifecycle(sub, "active");
    case "SubscriptionCloseRequested":
      return sub === undefined ? null : withLifecycle(sub, "closing");
    case "SubscriptionClosed":
      return sub === undefined ? null : withLifecycle(sub, "closed");
    case "KeyIssued":
    case "KeyRotated": {
      // Our own transactions coming back: confirms an attachment the reconciler may not have journaled yet.
      if (sub === undefined) return null;
      const hash = event.name === "KeyIssued" ? event.data.keyHash : event.data.newKeyHash;
      const k = sub.keys.find((g) => g.hash === hash);
      if (k === undefined) return adopt(sub, hash, false);
      if (k.flow === "attached") return null;
      return { ...sub, keys: sub.keys.map((g) => (g === k ? { ...g, flow: "attached", sentFromHeight: null } : g)) };
    }
    case "KeyRevoked": {
      if (sub === undefined) return null;
      const k = sub.keys.find((g) => g.hash === event.data.keyHash);
      if (k === undefined) return adopt(sub, event.data.keyHash, true);
      if (k.revoked) return null;
      return { ...sub, keys: sub.keys.map((g) => (g === k ? { ...g, revoked: true, sealed: null } : g)) };
    }
  }
}
