/**
 * The largest chunk the connector plans fits a Flow transaction even when every line costs the
 * most a line can (issue 13): a distinct subscription per line, each rolling into a new billing
 * period, crossing every tier, running out of escrow (partial charge, unpaid tokens, suspension),
 * under the most families the pricing allows, each with a 31-byte name (the digest builds every
 * distinct family's word). Computation is read from the emulator's log; mainnet's limit is 9,999.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAINNET_COMPUTE_LIMIT, SettlementBench } from "../../scripts/bench-flow-settlement";
import { MAX_LINES_PER_TRANSACTION } from "../../src/connector/config";
import type { UsageLine } from "../../src/report";

const PERIOD_SECONDS = 60;
/** MaxFamilies in UsageBasedSubscriptions; the deployment has 4 of them. */
const MAX_FAMILIES = 32;

describe("the worst-case chunk", () => {
  let bench: SettlementBench;
  const families: string[] = [];

  beforeAll(async () => {
    bench = await SettlementBench.start({ windowSeconds: 1 });
    await bench.mutateOk(bench.file("transactions/subscriptions/admin_set_period"), (arg, t) => [arg(`${PERIOD_SECONDS}.0`, t.UFix64)]);
    await bench.mutateOk(bench.file("transactions/subscriptions/admin_set_minimum_deposit"), (arg, t) => [arg("0.01", t.UFix64)]);
    for (let i = 0; families.length + 4 < MAX_FAMILIES; i++) {
      const family = `family-${String(i).padStart(2, "0")}-`.padEnd(31, "x");
      await bench.mutateOk(bench.file("transactions/pricing/admin_set_family_multiplier"), (arg, t) => [arg(family, t.String), arg("2.5", t.UFix64)]);
      families.push(family);
    }
    families.push("gpt-4", "claude", "llama", "gpt-3.5", "");
  }, 300_000);

  afterAll(async () => {
    await bench?.stop();
  });

  it(`settles ${MAX_LINES_PER_TRANSACTION} worst-case lines in one transaction under 9,999`, async () => {
    const lines: UsageLine[] = (await bench.freshLinesWithDeposit(Number(process.env.WORST_CASE_LINES ?? MAX_LINES_PER_TRANSACTION), "0.01")).map((l, i) => ({
      ...l,
      family: families[i % families.length],
      // 20M tokens cross every tier boundary (100K, 1M, 10M)
      tokens: 20_000_000n,
      requests: 18_446_744_073_709_551_615n,
    }));
    // Every subscription's first period ends before the window starts: each line rolls a period.
    await new Promise((r) => setTimeout(r, (PERIOD_SECONDS + 2) * 1000));
    // The emulator opens its next block (and fixes its time) when it seals one: the first no-op
    // runs at the time of the last creation, the second one now.
    await bench.mutateOk("transaction { prepare(s: &Account) {} }", () => []);
    await bench.mutateOk("transaction { prepare(s: &Account) {} }", () => []);
    const window = (await bench.sealedTime()) - 1n;
    const outcome = await bench.submitReport(lines, MAINNET_COMPUTE_LIMIT, window);
    console.log(`worst-case settlement: ${lines.length} lines, computation ${outcome.computation} (limit ${MAINNET_COMPUTE_LIMIT}), ${outcome.events.length} events`);
    expect(outcome.error).toBe("");
    expect(outcome.computation).toBeLessThanOrEqual(MAINNET_COMPUTE_LIMIT);
    const count = (suffix: string) => outcome.events.filter((e) => e.type.endsWith(suffix)).length;
    expect(count("SimpleUsageSubscriptions.SubscriptionPeriodStarted")).toBe(lines.length);
    const charged = outcome.events.filter((e) => e.type.endsWith("FlareFDCTriggers.SubscriptionCharged")).map((e) => e.data as { tokens: string; paidTokens: string });
    expect(charged.filter((c) => BigInt(c.paidTokens) < BigInt(c.tokens))).toHaveLength(lines.length);
    expect(count("SimpleUsageSubscriptions.SubscriptionSuspended")).toBe(lines.length);
  }, 600_000);
});
