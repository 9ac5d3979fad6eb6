/**
 * The billing mirror at its edges: where a line empties the escrow exactly, where a period's cap
 * is reached by the line that follows earlier spend, which period a line's counters belong to,
 * and what unpaid tokens do to the tiers. Each case states the contract's rule
 * (SimpleUsageSubscriptions.Subscription.debit / rollPeriodTo / isCappedAt and
 * UsageBasedSubscriptions.Biller.chargeLines) in numbers a reader can check by hand.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_PRICING, UINT64_MAX, chargeLine, chargeLines, formatFlow, parseUFix64, type SubscriptionState } from "../../src/pricing";

const flow = parseUFix64;
const second = 100_000_000n;
const day = 86_400n * second;
// 1,000 gpt-4 tokens in the first tier: 1 x 0.020 x 1.5 = 0.03 FLOW
const THOUSAND_GPT4 = flow("0.03");

describe("the escrow running out", () => {
  it("suspends when a line costs exactly the remaining escrow, charging it in full", () => {
    const state: SubscriptionState = { balance: THOUSAND_GPT4, periodTokens: 0n, periodSpent: 0n };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect(line).toEqual({ cost: THOUSAND_GPT4, charged: THOUSAND_GPT4, paidTokens: 1_000n, partial: false, suspended: true });
    expect(state).toMatchObject({ balance: 0n, periodSpent: THOUSAND_GPT4, periodTokens: 1_000n, suspended: true });
  });

  it("stays active when one unit of escrow is left after the line", () => {
    const state: SubscriptionState = { balance: THOUSAND_GPT4 + 1n, periodTokens: 0n, periodSpent: 0n };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect([line.charged, line.partial, line.suspended, state.balance, state.suspended]).toEqual([THOUSAND_GPT4, false, false, 1n, undefined]);
  });

  it("does not move unpaid tokens up the tiers: the next line is priced from the paid position", () => {
    const state: SubscriptionState = { balance: flow("1"), periodTokens: 0n, periodSpent: 0n };
    // 1 FLOW pays for 33,333 of 150,000 tokens; the other 116,667 are unpaid
    chargeLine(DEFAULT_PRICING, state, "gpt-4", 150_000n);
    expect(state.periodTokens).toBe(33_333n);
    state.balance = flow("100");
    // still in the first tier (0.03 per 1,000); had the unpaid tokens counted, 150,000 would be Growth (0.0225)
    expect(formatFlow(chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n).charged)).toBe("0.03");
  });

  it("keeps charging a suspended subscription's late usage until the escrow is empty", () => {
    const state: SubscriptionState = { balance: flow("0.01"), periodTokens: 0n, periodSpent: 0n, suspended: true };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect([formatFlow(line.charged), line.partial, line.suspended, state.balance]).toEqual(["0.01", true, true, 0n]);
  });

  it("saturates the period's token count at UInt64 max instead of wrapping", () => {
    const state: SubscriptionState = { balance: flow("100"), periodTokens: UINT64_MAX - 10n, periodSpent: 0n };
    chargeLine(DEFAULT_PRICING, state, "llama", 1_000n);
    expect(state.periodTokens).toBe(UINT64_MAX);
  });

  it("marks only the lines of unknown subscriptions as unknown", () => {
    const states = new Map([[1n, { balance: flow("5"), periodTokens: 0n, periodSpent: 0n } as SubscriptionState]]);
    const lines = chargeLines(DEFAULT_PRICING, states, [
      { subscriptionId: 1n, family: "gpt-4", tokens: 1_000n },
      { subscriptionId: 2n, family: "gpt-4", tokens: 1_000n },
    ]);
    expect(lines.map((l) => [l.subscriptionId, l.unknown, l.charged])).toEqual([
      [1n, false, THOUSAND_GPT4],
      [2n, true, 0n],
    ]);
  });

  it("reports an unknown subscription's line as charging nothing and changes no state", () => {
    const state: SubscriptionState = { balance: flow("5"), periodTokens: 0n, periodSpent: 0n };
    const states = new Map([[1n, state]]);
    const [line] = chargeLines(DEFAULT_PRICING, states, [{ subscriptionId: 2n, family: "gpt-4", tokens: 1_000n }]);
    expect(line).toEqual({ subscriptionId: 2n, cost: 0n, charged: 0n, paidTokens: 0n, unknown: true, partial: false, suspended: false });
    expect(state).toEqual({ balance: flow("5"), periodTokens: 0n, periodSpent: 0n });
  });
});

describe("the period cap when part of the period is already spent", () => {
  const capped = (spent: string, extra: Partial<SubscriptionState> = {}): SubscriptionState => ({
    balance: flow("100"),
    periodTokens: 0n,
    periodSpent: flow(spent),
    maxBudgetPerPeriod: flow("5"),
    ...extra,
  });

  it("suspends when the line brings the period's spend exactly to the cap", () => {
    const state = capped("4.97");
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect([line.charged, line.suspended, state.periodSpent]).toEqual([THOUSAND_GPT4, true, flow("5")]);
  });

  it("stays active while the period's spend is below the cap", () => {
    const state = capped("4.96");
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect([line.suspended, state.periodSpent]).toEqual([false, flow("4.99")]);
  });

  it("charges in full past the cap (the cap suspends, it never discounts)", () => {
    const state = capped("4.99");
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect([line.cost, line.charged, line.partial, line.suspended, state.periodSpent]).toEqual([THOUSAND_GPT4, THOUSAND_GPT4, false, true, flow("5.02")]);
  });

  it("does not suspend for the cap of a period that has already ended at settlement time", () => {
    // a late line of the first period, settled after it ended: its counters reach the cap, but
    // the period `now` is in starts with nothing spent (Subscription.isCappedAt)
    const state = capped("4.97", { periodStart: 0n, billingPeriod: day });
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day - 300n * second, now: day + 600n * second });
    expect([line.suspended, state.periodSpent, state.periodStart]).toEqual([false, flow("5"), 0n]);
  });

  it("counts no cap at exactly the period's end: the next period has begun", () => {
    const state = capped("4.97", { periodStart: 0n, billingPeriod: day });
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day - 300n * second, now: day });
    expect([line.suspended, state.periodSpent]).toEqual([false, flow("5")]);
  });

  it("suspends for the cap when settlement time is still inside the line's period", () => {
    const state = capped("4.97", { periodStart: 0n, billingPeriod: day });
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day - 300n * second, now: day - 1n });
    expect(line.suspended).toBe(true);
  });
});

describe("period rollover", () => {
  it("moves the counters to the period the window starts in, skipping whole idle periods", () => {
    const state: SubscriptionState = { balance: flow("100"), periodTokens: 500_000n, periodSpent: flow("9"), periodStart: 0n, billingPeriod: day };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: 3n * day + 5n * second, now: 3n * day + 10n * second });
    // counters reset: the line is priced in the Starter tier again
    expect([formatFlow(line.charged), state.periodStart, state.periodTokens, state.periodSpent]).toEqual(["0.03", 3n * day, 1_000n, THOUSAND_GPT4]);
  });

  it("starts the next period exactly at the period's end", () => {
    const state: SubscriptionState = { balance: flow("100"), periodTokens: 500_000n, periodSpent: flow("9"), periodStart: 0n, billingPeriod: day };
    chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day, now: day });
    expect([state.periodStart, state.periodTokens]).toEqual([day, 1_000n]);
  });

  it("keeps a line one unit before the period's end in the running period", () => {
    const state: SubscriptionState = { balance: flow("100"), periodTokens: 500_000n, periodSpent: flow("9"), periodStart: 0n, billingPeriod: day };
    chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day - 1n, now: day });
    expect([state.periodStart, state.periodTokens]).toEqual([0n, 501_000n]);
  });

  it("keeps a cap suspension through a late line of the ended period: only the new period's usage or tick lifts it", () => {
    // suspended for the first period's cap; its last window settles after that period ended
    const state: SubscriptionState = { balance: flow("100"), periodTokens: 0n, periodSpent: flow("5"), maxBudgetPerPeriod: flow("5"), periodStart: 0n, billingPeriod: day, suspended: true };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day - 300n * second, now: day + 600n * second });
    expect([line.suspended, state.periodStart]).toEqual([true, 0n]);
  });

  it("keeps a suspension when the state carries no period (the line counts in the counters' period)", () => {
    const state: SubscriptionState = { balance: flow("100"), periodTokens: 0n, periodSpent: 0n, suspended: true };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: 10n * day, now: 10n * day });
    expect([line.suspended, line.charged]).toEqual([true, THOUSAND_GPT4]);
  });

  it("does not lift a suspension for an empty escrow when a new period starts", () => {
    const state: SubscriptionState = { balance: 0n, periodTokens: 0n, periodSpent: flow("1"), periodStart: 0n, billingPeriod: day, suspended: true };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n, { windowStart: day, now: day });
    expect([line.charged, line.suspended, state.suspended]).toEqual([0n, true, true]);
  });

  it("lifts a cap suspension in a new period unless the new period is capped too", () => {
    // the rolled-to period (day 1) has ended by `now`: no cap counts, so the suspension lifts
    const lifted: SubscriptionState = { balance: flow("100"), periodTokens: 0n, periodSpent: flow("5"), maxBudgetPerPeriod: flow("5"), periodStart: 0n, billingPeriod: day, suspended: true };
    expect(chargeLine(DEFAULT_PRICING, lifted, "gpt-4", 1_000n, { windowStart: day, now: 2n * day + 1n }).suspended).toBe(false);
    // a cap of zero is reached by every period, so the new period keeps the suspension
    const zeroCap: SubscriptionState = { balance: flow("100"), periodTokens: 0n, periodSpent: 0n, maxBudgetPerPeriod: 0n, periodStart: 0n, billingPeriod: day, suspended: true };
    expect(chargeLine(DEFAULT_PRICING, zeroCap, "gpt-4", 1_000n, { windowStart: day, now: day + 1n }).suspended).toBe(true);
  });

  it("never suspends a closing subscription, whatever its escrow or cap", () => {
    const state: SubscriptionState = { balance: THOUSAND_GPT4, periodTokens: 0n, periodSpent: flow("4.97"), maxBudgetPerPeriod: flow("5"), closing: true };
    const line = chargeLine(DEFAULT_PRICING, state, "gpt-4", 1_000n);
    expect([line.suspended, state.balance, state.suspended]).toEqual([false, 0n, undefined]);
  });
});
