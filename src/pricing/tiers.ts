/**
 * Tier tables and the graduated cost of one line: the arithmetic of
 * UsageBasedSubscriptions.graduatedCostUnits, step for step.
 */
import { UFIX64_MAX_UNITS, ufix64Text, UNITS_PER_FLOW } from "./units";

/** One tier: tokens from `threshold` (period-to-date) up to the next threshold. */
export interface Tier {
  threshold: bigint;
  /** FLOW per 1,000 tokens, in units of 1e-8 FLOW. */
  pricePer1K: bigint;
}

/** The largest tier table the contract accepts. */
export const MAX_TIERS = 16;
/** The contract's bounds on a tier's threshold (tokens) and price (units per 1,000 tokens). */
export const MAX_THRESHOLD = 1_000_000_000_000_000n;
export const MAX_PRICE_PER_1K = 1_000n * UNITS_PER_FLOW;
/** Tier prices are per this many tokens. */
export const TOKENS_PER_PRICE = 1_000n;
/** Multipliers are in units of 1e-8 too, so a price times a multiplier divides by 1,000 × 1e8. */
export const PRICE_DIVISOR = TOKENS_PER_PRICE * UNITS_PER_FLOW;

/**
 * The problems UsageBasedSubscriptions.assertValidTiers reports: each message's start, in the
 * contract's words; validateTiers adds the values after it as the contract does.
 */
export const TIER_ERRORS = {
  empty: "UsageBasedSubscriptions: a tier table needs at least one tier",
  tooMany: `UsageBasedSubscriptions: a tier table has at most ${MAX_TIERS} tiers`,
  firstNotZero: "UsageBasedSubscriptions: the first tier must start at 0 tokens",
  price: "UsageBasedSubscriptions: tier prices must be positive",
  order: "UsageBasedSubscriptions: tier thresholds must be strictly ascending",
  priceBound: "UsageBasedSubscriptions: a tier price is at most 1000 FLOW per 1,000 tokens",
  thresholdBound: "UsageBasedSubscriptions: a tier threshold is at most 1000000000000000 tokens",
} as const;

/** Throws (with the contract's message) unless the table is one the contract accepts. */
export function validateTiers(tiers: readonly Tier[]): void {
  if (tiers.length === 0) throw new RangeError(TIER_ERRORS.empty);
  if (tiers.length > MAX_TIERS) throw new RangeError(`${TIER_ERRORS.tooMany}, not ${tiers.length}`);
  if (tiers[0].threshold !== 0n) throw new RangeError(`${TIER_ERRORS.firstNotZero}, not ${tiers[0].threshold}`);
  tiers.forEach((tier, i) => {
    // Tiers are counted from 1, as the contract's messages count them.
    const n = i + 1;
    if (tier.pricePer1K <= 0n) throw new RangeError(`${TIER_ERRORS.price} (tier ${n} costs ${ufix64Text(tier.pricePer1K)})`);
    if (tier.pricePer1K > MAX_PRICE_PER_1K) throw new RangeError(`${TIER_ERRORS.priceBound} (tier ${n} costs ${ufix64Text(tier.pricePer1K)})`);
    if (tier.threshold > MAX_THRESHOLD) throw new RangeError(`${TIER_ERRORS.thresholdBound} (tier ${n} starts at ${tier.threshold})`);
    if (i > 0 && tier.threshold <= tiers[i - 1].threshold) {
      throw new RangeError(`${TIER_ERRORS.order} (tier ${n} starts at ${tier.threshold}, tier ${n - 1} at ${tiers[i - 1].threshold})`);
    }
  });
}

/**
 * The parts of the token range [start, end) that fall in each tier, with that tier's price per 1K,
 * in tier order: what both the cost and its inverse walk through.
 */
function* segments(tiers: readonly Tier[], start: bigint, end: bigint): Generator<{ from: bigint; to: bigint; price: bigint }> {
  for (let i = 0; i < tiers.length; i++) {
    const low = tiers[i].threshold;
    if (low >= end) return;
    const high = i + 1 < tiers.length ? tiers[i + 1].threshold : end;
    if (high > start) yield { from: low > start ? low : start, to: high < end ? high : end, price: tiers[i].pricePer1K };
  }
}

/**
 * The exact cost in units of `tokens` tokens after `periodTokens` already counted this period:
 * each token priced by the tier its position falls in, the sum scaled by the multiplier
 * (units of 1e-8), truncated once, capped at the largest UFix64 like the contract.
 */
export function graduatedCostUnits(
  tiers: readonly Tier[],
  multiplierUnits: bigint,
  periodTokens: bigint,
  tokens: bigint,
): bigint {
  if (tokens === 0n) return 0n;
  let sum = 0n;
  for (const { from, to, price } of segments(tiers, periodTokens, periodTokens + tokens)) sum += (to - from) * price;
  const units = (sum * multiplierUnits) / PRICE_DIVISOR;
  return units > UFIX64_MAX_UNITS ? UFIX64_MAX_UNITS : units;
}

/**
 * The most of `tokens` (after `periodTokens`) whose graduated cost is at most `budgetUnits`: the
 * tokens an escrow of that size pays for, in order (UsageBasedSubscriptions.paidTokens).
 * cost(k) <= B exactly when raw(k) * multiplier < (B + 1) * 1e11, raw(k) being the per-1K price
 * sum of the first k tokens.
 */
export function paidTokens(
  tiers: readonly Tier[],
  multiplierUnits: bigint,
  periodTokens: bigint,
  tokens: bigint,
  budgetUnits: bigint,
): bigint {
  let rest = ((budgetUnits + 1n) * PRICE_DIVISOR - 1n) / multiplierUnits;
  let paid = 0n;
  for (const { from, to, price } of segments(tiers, periodTokens, periodTokens + tokens)) {
    const segment = (to - from) * price;
    if (segment > rest) return paid + rest / price;
    rest -= segment;
    paid += to - from;
  }
  return tokens;
}
