/**
 * Turns one Flow event into a change of desired state. Pure apart from minting
 * a raw key for a new generation: no network, so a handler cannot half-run.
 * Replaying an event yields no change (the caller then journals nothing but
 * the cursor).
 */
import { aliasFor, hashKey, newRawKey } from "../litellm";
import { sealKey } from "./crypto";
import type { PositionedEvent } from "./events";
import { currentKey, type KeyGeneration, type Lifecycle, type SubscriptionRecord } from "./state";

export interface HandlerContext {
  /** Only subscriptions naming this provider are ours. */
  provider: string;
  kek: Buffer;
}

/** A new generation whose raw key exists only sealed in the record. */
export function newGeneration(sub: SubscriptionRecord, kek: Buffer): KeyGeneration {
  const generation = sub.keys.length === 0 ? 0 : (currentKey(sub)?.generation ?? 0) + 1;
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
      if (k === undefined || k.flow === "attached") return null;
      return { ...sub, keys: sub.keys.map((g) => (g === k ? { ...g, flow: "attached", sentFromHeight: null } : g)) };
    }
    case "KeyRevoked": {
      if (sub === undefined) return null;
      const k = sub.keys.find((g) => g.hash === event.data.keyHash);
      if (k === undefined || k.revoked) return null;
      return { ...sub, keys: sub.keys.map((g) => (g === k ? { ...g, revoked: true, sealed: null } : g)) };
    }
  }
}
