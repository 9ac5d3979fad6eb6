/**
 * Figures the tile derives: FLOW estimates of pending usage from the pricing mirror (the key
 * service's own cost figures are LiteLLM's, in its currency, so the page prices tokens itself),
 * and the period's projected spend.
 */
import { chargeLine, parseUFix64, quoteUnits, UNITS_PER_FLOW, type PricingConfig, type SubscriptionState } from "../../src/pricing";
import type { Subscription } from "./services/flowClient";
import type { KeyUsage } from "./services/keyService";

/**
 * Counters get_subscription carries when the contract keeps them (periodRequests, totalTokens):
 * the page reads them if present, so it works across the contract's revisions.
 */
export function verifiedCounters(subscription: Subscription): { periodRequests: bigint | null; totalTokens: bigint } {
  const extra = subscription as Subscription & Partial<Record<"periodRequests" | "totalTokens", bigint>>;
  // Without an all-time count, the period's count is the best lower bound of what was billed.
  return { periodRequests: extra.periodRequests ?? null, totalTokens: extra.totalTokens ?? subscription.periodTokens };
}

/** Tokens LiteLLM has seen that Flow has not billed yet (never negative). */
export function unverifiedTokens(usage: KeyUsage, subscription: Subscription): bigint {
  const seen = BigInt(Math.max(0, Math.floor(usage.usage_summary.total_tokens)));
  const billed = verifiedCounters(subscription).totalTokens;
  return seen > billed ? seen - billed : 0n;
}

/** What the not-yet-billed tokens will cost, and what the escrow will actually pay of it. */
export interface PendingEstimate {
  /** Their price (units), priced after the period's paid tokens. */
  cost: bigint;
  /** What settlement takes: the price in full, up to the escrow (the cap never discounts). */
  charged: bigint;
  /** The subscription pauses once they are billed: the escrow runs out or the cap is reached. */
  pauses: boolean;
}

/**
 * The not-yet-billed tokens as settlement will bill them (the mirror's chargeLine): split across
 * models in their share of the usage, each charged in full up to the escrow, in the period a
 * window starting now falls in, only paid tokens advancing the tiers.
 */
export function estimateUnverified(usage: KeyUsage, subscription: Subscription, pricing: PricingConfig, nowSeconds: number): PendingEstimate {
  const pending = unverifiedTokens(usage, subscription);
  const now = BigInt(Math.floor(nowSeconds)) * UNITS_PER_FLOW;
  const state: SubscriptionState = {
    balance: parseUFix64(subscription.balance),
    periodTokens: subscription.periodTokens,
    periodSpent: parseUFix64(subscription.periodSpent),
    maxBudgetPerPeriod: subscription.maxBudgetPerPeriod === null ? undefined : parseUFix64(subscription.maxBudgetPerPeriod),
    closing: subscription.status === "Closing",
    periodStart: parseUFix64(subscription.periodStart),
    billingPeriod: parseUFix64(subscription.billingPeriod),
    suspended: subscription.status === "Suspended",
  };
  const estimate: PendingEstimate = { cost: 0n, charged: 0n, pauses: false };
  if (pending === 0n) return estimate;
  const charge = (family: string, tokens: bigint) => {
    const line = chargeLine(pricing, state, family, tokens, { windowStart: now, now });
    estimate.cost += line.cost;
    estimate.charged += line.charged;
    estimate.pauses ||= line.suspended;
  };
  const models = Object.entries(usage.model_breakdown).filter(([, m]) => m.tokens > 0);
  const total = models.reduce((sum, [, m]) => sum + BigInt(Math.floor(m.tokens)), 0n);
  if (total === 0n) {
    charge("", pending);
    return estimate;
  }
  let left = pending;
  models.forEach(([model, m], i) => {
    const share = i === models.length - 1 ? left : (pending * BigInt(Math.floor(m.tokens))) / total;
    charge(model, share);
    left -= share;
  });
  return estimate;
}

/** FLOW (units) `tokens` of `model` cost on their own in a fresh period. */
export function modelCostUnits(pricing: PricingConfig, model: string, tokens: number): bigint {
  return quoteUnits(pricing, model, BigInt(Math.max(0, Math.floor(tokens))), 0n);
}

/** The period's spend at the present rate, and what bounds it. */
export interface Projection {
  /** Units: the rate's projection, never more than the escrow can pay this period. */
  units: bigint;
  /** The rate reaches the cap: the key pauses there (usage before the pause is billed in full). */
  reachesCap: boolean;
  /** The escrow runs out before the period ends at this rate. */
  escrowRunsOut: boolean;
}

/**
 * (billed + pending estimate) scaled from the time elapsed to the whole period. The cap does not
 * bound it (it pauses the key, it never discounts); the escrow does (billed this period + what is
 * left). Under an hour in, a rate says little: null.
 */
export function projectPeriod(subscription: Subscription, pendingUnits: bigint, nowSeconds: number): Projection | null {
  const start = Number(subscription.periodStart);
  const end = Number(subscription.periodEnd);
  const elapsed = nowSeconds - start;
  if (!(end > start) || elapsed < 3600) return null;
  const periodSpent = parseUFix64(subscription.periodSpent);
  const spent = periodSpent + pendingUnits;
  const projected = (spent * BigInt(Math.round(end - start))) / BigInt(Math.round(Math.min(elapsed, end - start)));
  const affordable = periodSpent + parseUFix64(subscription.balance);
  const cap = subscription.maxBudgetPerPeriod ? parseUFix64(subscription.maxBudgetPerPeriod) : null;
  return {
    units: projected > affordable ? affordable : projected,
    reachesCap: cap !== null && projected >= cap,
    escrowRunsOut: projected > affordable,
  };
}
