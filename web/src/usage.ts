/**
 * Figures the tile derives: FLOW estimates of pending usage from the pricing mirror (the key
 * service's own cost figures are LiteLLM's, in its currency, so the page prices tokens itself),
 * and the period's projected spend.
 */
import { quoteUnits, parseUFix64, type PricingConfig } from "../../src/pricing";
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

/**
 * What the not-yet-billed tokens will cost, split across models in their share of the usage,
 * priced after the period's verified tokens like the contract will.
 */
export function estimateUnverifiedUnits(usage: KeyUsage, subscription: Subscription, pricing: PricingConfig): bigint {
  const pending = unverifiedTokens(usage, subscription);
  const total = Object.values(usage.model_breakdown).reduce((sum, m) => sum + Math.max(0, m.tokens), 0);
  if (pending === 0n || total === 0) return pending === 0n ? 0n : quoteUnits(pricing, "", pending, subscription.periodTokens);
  let cost = 0n;
  let counted = subscription.periodTokens;
  let left = pending;
  const models = Object.entries(usage.model_breakdown).filter(([, m]) => m.tokens > 0);
  models.forEach(([model, m], i) => {
    const share = i === models.length - 1 ? left : (pending * BigInt(Math.floor(m.tokens))) / BigInt(Math.floor(total));
    cost += quoteUnits(pricing, model, share, counted);
    counted += share;
    left -= share;
  });
  return cost;
}

/** FLOW (units) `tokens` of `model` cost on their own in a fresh period. */
export function modelCostUnits(pricing: PricingConfig, model: string, tokens: number): bigint {
  return quoteUnits(pricing, model, BigInt(Math.max(0, Math.floor(tokens))), 0n);
}

/**
 * The period's spend at the present rate: (billed + pending estimate) scaled from the time
 * elapsed to the whole period. Under an hour in, a rate says little: null.
 */
export function projectedPeriodUnits(subscription: Subscription, pendingUnits: bigint, nowSeconds: number): bigint | null {
  const start = Number(subscription.periodStart);
  const end = Number(subscription.periodEnd);
  const elapsed = nowSeconds - start;
  if (!(end > start) || elapsed < 3600) return null;
  const spent = parseUFix64(subscription.periodSpent) + pendingUnits;
  const projected = (spent * BigInt(Math.round(end - start))) / BigInt(Math.round(Math.min(elapsed, end - start)));
  const cap = subscription.maxBudgetPerPeriod ? parseUFix64(subscription.maxBudgetPerPeriod) : null;
  return cap !== null && projected > cap ? cap : projected;
}
