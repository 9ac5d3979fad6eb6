/**
 * What a settlement does to subscriptions, mirrored from Biller.charge and
 * SimpleUsageSubscriptions.Subscription.debit: lines in report order, each priced after the
 * period's count so far, charged up to the escrow and the period budget.
 */
import type { PricingConfig } from "./config";
import { quoteUnits } from "./config";
import { UINT64_MAX } from "./units";

/** The billing-relevant part of a subscription (amounts in units of 1e-8 FLOW). */
export interface SubscriptionState {
  balance: bigint;
  periodTokens: bigint;
  periodSpent: bigint;
  /** undefined: no cap. */
  maxBudgetPerPeriod?: bigint;
  /** A closing subscription is still billed but never becomes Suspended. */
  closing?: boolean;
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
  unknown: boolean;
  partial: boolean;
  /** Suspended after this line (escrow empty or period budget reached; never while closing). */
  suspended: boolean;
}

/**
 * Charges one line to `state` in place (a Biller.charge on an open subscription).
 * The period's token count grows by all the line's tokens, charged in full or not.
 */
export function chargeLine(config: PricingConfig, state: SubscriptionState, family: string, tokens: bigint): Omit<LineCharge, "subscriptionId" | "unknown"> {
  const cost = quoteUnits(config, family, tokens, state.periodTokens);
  const sum = state.periodTokens + tokens;
  state.periodTokens = sum > UINT64_MAX ? UINT64_MAX : sum;
  let charged = cost < state.balance ? cost : state.balance;
  if (state.maxBudgetPerPeriod !== undefined) {
    const room = state.maxBudgetPerPeriod > state.periodSpent ? state.maxBudgetPerPeriod - state.periodSpent : 0n;
    if (charged > room) charged = room;
  }
  state.balance -= charged;
  state.periodSpent += charged;
  const capped = state.maxBudgetPerPeriod !== undefined && state.periodSpent >= state.maxBudgetPerPeriod;
  const suspended = state.closing !== true && (state.balance === 0n || capped);
  return { cost, charged, partial: charged < cost, suspended };
}

/** Charges a report's lines in order; unknown subscription ids are reported and skipped. */
export function chargeLines(config: PricingConfig, states: Map<bigint, SubscriptionState>, lines: readonly UsageLine[]): LineCharge[] {
  return lines.map((line) => {
    const state = states.get(line.subscriptionId);
    if (state === undefined) {
      return { subscriptionId: line.subscriptionId, cost: 0n, charged: 0n, unknown: true, partial: false, suspended: false };
    }
    return { subscriptionId: line.subscriptionId, unknown: false, ...chargeLine(config, state, line.family, line.tokens) };
  });
}
