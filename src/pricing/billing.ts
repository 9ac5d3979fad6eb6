/**
 * What a settlement does to subscriptions, mirrored from UsageBasedSubscriptions.Biller.chargeLines
 * and SimpleUsageSubscriptions.Subscription.debit: lines in report order, each priced after the
 * period's paid tokens so far under the pricing in force at its window's start, charged in full
 * up to the escrow (the period cap suspends, it never discounts), only paid tokens advancing
 * the tier position.
 */
import type { PricingConfig } from "./config";
import { multiplierFor } from "./config";
import { graduatedCostUnits, paidTokens } from "./tiers";
import { UINT64_MAX } from "./units";

/** The billing-relevant part of a subscription (amounts and times in units of 1e-8). */
export interface SubscriptionState {
  balance: bigint;
  periodTokens: bigint;
  periodSpent: bigint;
  /** undefined: no cap. */
  maxBudgetPerPeriod?: bigint;
  /** A closing subscription is still billed but never becomes Suspended. */
  closing?: boolean;
  /** Start of the period the counters belong to, and the subscription's period length (units
   * of 1e-8 seconds, as UFix64). Without them the line is taken to be in the counters' period. */
  periodStart?: bigint;
  billingPeriod?: bigint;
  /** Suspended before this line (a suspended subscription's late usage is still billed). */
  suspended?: boolean;
}

export interface UsageLine {
  subscriptionId: bigint;
  /** Family key or model name. */
  family: string;
  tokens: bigint;
}

export interface LineCharge {
  subscriptionId: bigint;
  cost: bigint;
  charged: bigint;
  /** The tokens `charged` paid for; the rest is unpaid and does not advance the tiers. */
  paidTokens: bigint;
  unknown: boolean;
  partial: boolean;
  /** Suspended after this line (escrow empty or the current period's cap reached; never while closing). */
  suspended: boolean;
}

/** When a line is billed: its window's start and the settlement's time (both units of 1e-8 s). */
export interface ChargeTime {
  windowStart: bigint;
  now: bigint;
}

/** Moves the counters to the period `windowStart` falls in, as Subscription.rollPeriodTo does. */
function rollPeriodTo(state: SubscriptionState, windowStart: bigint): boolean {
  if (state.periodStart === undefined || state.billingPeriod === undefined) return false;
  if (windowStart < state.periodStart + state.billingPeriod) return false;
  // UFix64 division truncates to 1e-8 and the contract then takes the integer part: the same
  // as integer division of the unit values.
  const periods = (windowStart - state.periodStart) / state.billingPeriod;
  state.periodStart += periods * state.billingPeriod;
  state.periodTokens = 0n;
  state.periodSpent = 0n;
  return true;
}

/** Subscription.isCappedAt: the counters' period still runs at `now` and its spend reached the cap. */
function cappedAt(state: SubscriptionState, now: bigint | undefined): boolean {
  if (state.maxBudgetPerPeriod === undefined) return false;
  const running = now === undefined || state.periodStart === undefined || state.billingPeriod === undefined || now < state.periodStart + state.billingPeriod;
  return running && state.periodSpent >= state.maxBudgetPerPeriod;
}

/**
 * Charges one line to `state` in place (a line of Biller.chargeLines, open subscription), under
 * `pricing` (the version in force at the line's window start; see pricingAt).
 */
export function chargeLine(
  pricing: PricingConfig,
  state: SubscriptionState,
  family: string,
  tokens: bigint,
  at?: ChargeTime,
): Omit<LineCharge, "subscriptionId" | "unknown"> {
  // A new period lifts a cap suspension (refreshSuspension after the roll).
  if (at !== undefined && rollPeriodTo(state, at.windowStart) && state.suspended === true && state.closing !== true) {
    if (state.balance > 0n && !cappedAt(state, at.now)) state.suspended = false;
  }
  const multiplier = multiplierFor(pricing, family);
  const cost = graduatedCostUnits(pricing.tiers, multiplier, state.periodTokens, tokens);
  let charged = cost;
  let paid = tokens;
  if (cost > state.balance) {
    charged = state.balance;
    paid = paidTokens(pricing.tiers, multiplier, state.periodTokens, tokens, charged);
  }
  const sum = state.periodTokens + paid;
  state.periodTokens = sum > UINT64_MAX ? UINT64_MAX : sum;
  state.balance -= charged;
  state.periodSpent += charged;
  if (state.closing !== true && (state.balance === 0n || cappedAt(state, at?.now))) state.suspended = true;
  return { cost, charged, paidTokens: paid, partial: charged < cost, suspended: state.closing !== true && state.suspended === true };
}

/** Charges a report's lines in order; unknown subscription ids are reported and skipped. */
export function chargeLines(
  pricing: PricingConfig,
  states: Map<bigint, SubscriptionState>,
  lines: readonly UsageLine[],
  at?: ChargeTime,
): LineCharge[] {
  return lines.map((line) => {
    const state = states.get(line.subscriptionId);
    if (state === undefined) {
      return { subscriptionId: line.subscriptionId, cost: 0n, charged: 0n, paidTokens: 0n, unknown: true, partial: false, suspended: false };
    }
    return { subscriptionId: line.subscriptionId, unknown: false, ...chargeLine(pricing, state, line.family, line.tokens, at) };
  });
}
