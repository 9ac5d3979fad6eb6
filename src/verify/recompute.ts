import { formatFlow as flow, graduatedCostUnits, multiplierFor, paidTokens, pricingAt, UINT64_MAX, type PricingSchedule } from "../pricing";
import { Windows } from "../report";
import type { ChargedLine, SubscriptionFacts } from "./sources";

/**
 * Each charged line priced again from public data: the pricing version in force at its window's
 * start (the schedule on Flow never drops a version) and the tier position, which is the paid
 * tokens of the lines charged before it in the same billing period, in settlement order. The
 * period rolls exactly as Subscription.rollPeriodTo does: when a line's window starts at or
 * after the end of the counters' period, the counters move to the period it falls in (periods
 * follow each other from the subscription's creation, its own billingPeriod long); a line of an
 * earlier window counts in the counters' period.
 */

export type Recomputed = {
  line: ChargedLine;
  /** The price the pricing in force gives at this tier position. */
  cost: bigint;
  /** What should have been taken: the cost, or (escrow exhausted) what was taken if it is less. */
  charged: bigint;
  paidTokens: bigint;
  /** Why the line disagrees; empty if it agrees. */
  problems: string[];
};

/** Recomputes `lines` (every charge of one subscription, in settlement order). */
export function recomputeCharges(sub: SubscriptionFacts, schedule: PricingSchedule, windowSeconds: bigint, lines: readonly ChargedLine[]): Recomputed[] {
  const windows = new Windows(windowSeconds);
  let periodStart = sub.createdAt;
  let periodTokens = 0n;
  return lines.map((line) => {
    const windowStart = windows.startUnits(line.window);
    if (windowStart >= periodStart + sub.billingPeriod) {
      periodStart += ((windowStart - periodStart) / sub.billingPeriod) * sub.billingPeriod;
      periodTokens = 0n;
    }
    const pricing = pricingAt(schedule, windowStart);
    const multiplier = multiplierFor(pricing, line.family);
    const cost = graduatedCostUnits(pricing.tiers, multiplier, periodTokens, line.tokens);
    const problems: string[] = [];
    let charged = cost;
    let paid = line.tokens;
    if (line.charged < cost) {
      // The escrow ran out: it pays for the first tokens it covers.
      charged = line.charged;
      paid = paidTokens(pricing.tiers, multiplier, periodTokens, line.tokens, line.charged);
    }
    const where = `family ${line.family === "" ? "(default)" : line.family}, ${line.tokens} tokens after ${periodTokens} this period`;
    if (line.cost !== cost) {
      problems.push(`${where}: priced ${flow(line.cost)} FLOW, but pricing version ${pricing.version ?? 0} in force at the window's start gives ${flow(cost)} FLOW`);
    }
    if (line.charged > cost) problems.push(`${where}: ${flow(line.charged)} FLOW taken from the escrow, more than its price ${flow(cost)} FLOW`);
    if (line.paidTokens !== paid) problems.push(`${where}: ${line.paidTokens} tokens recorded as paid, ${flow(line.charged)} FLOW pays for ${paid}`);
    const sum = periodTokens + paid;
    periodTokens = sum > UINT64_MAX ? UINT64_MAX : sum;
    return { line, cost, charged, paidTokens: paid, problems };
  });
}
