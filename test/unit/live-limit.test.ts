/**
 * The live spending limit's pure parts: the block decision, the exposure (pending usage billed by
 * the mirror against the escrow and cap), the tpm guard, the pending-usage store, and the
 * journal field that carries a live block.
 */
import { describe, expect, it } from "vitest";
import { keyDecision } from "../../src/keys/decision";
import { exposureOf, type ChainView } from "../../src/keys/live/exposure";
import { tokensRoomPays, tpmLimitFor } from "../../src/keys/live/guard";
import { PendingUsage } from "../../src/keys/live/pending";
import { pendingRowOf } from "../../src/keys/live/rows";
import { parseSubscriptionRecord, StateFileError } from "../../src/keys/state-validate";
import { chargeLine, DEFAULT_PRICING, parseUFix64, UNITS_PER_SECOND, type PricingConfig, type SubscriptionState } from "../../src/pricing";
import { Windows } from "../../src/report";

const F = parseUFix64;
const DAY = 86_400n * UNITS_PER_SECOND;
const W300 = new Windows(300);

function view(over: Partial<ChainView> = {}): ChainView {
  return { status: "Active", balance: F("1.0"), periodTokens: 0n, periodSpent: 0n, cap: null, periodStart: 0n, billingPeriod: 30n * DAY, createdAt: 0n, ...over };
}
const fam = (entries: [string, bigint][]) => new Map(entries);

describe("keyDecision: one rule over the chain's lifecycle and the live limit", () => {
  it("the chain wins; the live limit only adds a block", () => {
    expect(keyDecision("active", null)).toEqual({ blocked: false, reason: null });
    expect(keyDecision("active", "escrow")).toEqual({ blocked: true, reason: "escrow" });
    expect(keyDecision("active", "cap")).toEqual({ blocked: true, reason: "cap" });
    for (const lifecycle of ["suspended", "closing", "closed"] as const) {
      for (const live of [null, "escrow", "cap"] as const) expect(keyDecision(lifecycle, live)).toEqual({ blocked: true, reason: lifecycle });
    }
  });
});

describe("exposureOf", () => {
  const windowSeconds = 300n;
  const now = 10n * DAY;
  const w = (time: bigint) => time / (windowSeconds * UNITS_PER_SECOND);

  it("has room while pending cost is below the escrow, and reaches the escrow exactly when it is not", () => {
    // 30,000 GPT-4 tokens cost 0.9 FLOW; 3,333 more cost 0.09999 (0.1 would be 3,333.3).
    const e = exposureOf(view(), [{ window: w(now), families: fam([["gpt-4", 30_000n]]) }], [DEFAULT_PRICING], windowSeconds, now);
    expect(e).toMatchObject({ pendingCost: F("0.9"), escrowLeft: F("0.1"), room: F("0.1"), unpaid: 0n, reached: null });
    const over = exposureOf(view(), [{ window: w(now), families: fam([["gpt-4", 40_000n]]) }], [DEFAULT_PRICING], windowSeconds, now);
    expect(over).toMatchObject({ pendingCost: F("1.2"), escrowLeft: 0n, unpaid: F("0.2"), room: 0n, reached: "escrow" });
  });

  it("bills the windows in order, lines in report order, as the mirror does (only paid tokens advance)", () => {
    const schedule = [DEFAULT_PRICING];
    const pending = [
      { window: w(now) + 1n, families: fam([["llama", 500_000n]]) },
      { window: w(now), families: fam([["gpt-4", 90_000n], ["claude", 20_000n]]) },
    ];
    const e = exposureOf(view({ balance: F("5.0"), periodTokens: 50_000n }), pending, schedule, windowSeconds, now);
    const state: SubscriptionState = { balance: F("5.0"), periodTokens: 50_000n, periodSpent: 0n, periodStart: 0n, billingPeriod: 30n * DAY };
    let cost = 0n;
    for (const [window, family, tokens] of [[w(now), "claude", 20_000n], [w(now), "gpt-4", 90_000n], [w(now) + 1n, "llama", 500_000n]] as const) {
      cost += chargeLine(DEFAULT_PRICING, state, family, tokens, { windowStart: window * windowSeconds * UNITS_PER_SECOND, now }).cost;
    }
    expect(e.pendingCost).toBe(cost);
    expect(e.escrowLeft).toBe(state.balance);
    expect(e.reached).toBe(state.balance === 0n ? "escrow" : null);
  });

  it("bills the windows in window order whatever order they come in", () => {
    // 90,000 tokens into the period: the 100,000-token tier boundary falls in the second window,
    // so which family's tokens fall on either side of it depends on the order.
    const base = view({ balance: F("5.0"), periodTokens: 90_000n });
    const windows = [
      { window: w(now) - 3n, families: fam([["gpt-4", 8_000n]]) },
      { window: w(now) - 2n, families: fam([["llama", 5_000n]]) },
      { window: w(now) - 1n, families: fam([["claude", 4_000n]]) },
      { window: w(now), families: fam([["gpt-3.5", 3_000n]]) },
    ];
    const state: SubscriptionState = { balance: F("5.0"), periodTokens: 90_000n, periodSpent: 0n, periodStart: 0n, billingPeriod: 30n * DAY };
    let cost = 0n;
    for (const x of windows) {
      const [[family, tokens]] = [...x.families];
      cost += chargeLine(DEFAULT_PRICING, state, family!, tokens!, { windowStart: x.window * windowSeconds * UNITS_PER_SECOND, now }).cost;
    }
    const orders = (items: typeof windows): (typeof windows)[] => (items.length <= 1 ? [items] : items.flatMap((x, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest])));
    for (const order of orders(windows)) {
      expect(exposureOf(base, order, [DEFAULT_PRICING], windowSeconds, now).pendingCost, order.map((x) => x.window - w(now)).join()).toBe(cost);
    }
  });

  it("prices each window by the version in force at its start", () => {
    const cheaper: PricingConfig = { ...DEFAULT_PRICING, version: 1n, effectiveFrom: now, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": F("0.75") } };
    const schedule = [{ ...DEFAULT_PRICING, version: 0n, effectiveFrom: 0n }, cheaper];
    const before = exposureOf(view(), [{ window: w(now) - 1n, families: fam([["gpt-4", 10_000n]]) }], schedule, windowSeconds, now);
    const after = exposureOf(view(), [{ window: w(now), families: fam([["gpt-4", 10_000n]]) }], schedule, windowSeconds, now);
    expect(before.pendingCost).toBe(F("0.3"));
    expect(after.pendingCost).toBe(F("0.15"));
  });

  it("reaches the cap with the period's spend plus pending cost, and a new period lifts it", () => {
    const capped = view({ balance: F("10.0"), cap: F("1.0"), periodSpent: F("0.7"), billingPeriod: DAY });
    const pending = [{ window: w(now - DAY / 2n), families: fam([["gpt-4", 10_000n]]) }];
    const inPeriod = exposureOf({ ...capped, periodStart: now - DAY / 2n - 1n }, pending, [DEFAULT_PRICING], windowSeconds, now);
    expect(inPeriod).toMatchObject({ periodSpend: F("1.0"), reached: "cap", room: 0n });
    // The same usage, read once its period has ended: the cap of the new period is untouched.
    const later = exposureOf({ ...capped, periodStart: now - DAY / 2n - 1n }, pending, [DEFAULT_PRICING], windowSeconds, now + DAY);
    expect(later).toMatchObject({ periodSpend: 0n, reached: null, room: F("1.0") });
  });

  it("counts pending usage of a new period in that period, not the old one", () => {
    const capped = view({ balance: F("10.0"), cap: F("1.0"), periodSpent: F("0.9"), periodStart: now - DAY, billingPeriod: DAY });
    const e = exposureOf(capped, [{ window: w(now), families: fam([["gpt-4", 10_000n]]) }], [DEFAULT_PRICING], windowSeconds, now);
    expect(e).toMatchObject({ periodStart: now, periodSpend: F("0.3"), reached: null });
  });
});

describe("exposureOf: the period the cap is checked in", () => {
  const windowSeconds = 300n;
  const now = 10n * DAY;

  it("rolls over every whole period that has ended: the start moves by whole periods and the spend starts at 0", () => {
    const v = view({ balance: F("10.0"), cap: F("1.0"), periodSpent: F("0.9"), periodStart: now - 5n * DAY / 2n, billingPeriod: DAY });
    expect(exposureOf(v, [], [DEFAULT_PRICING], windowSeconds, now)).toMatchObject({ periodStart: now - DAY / 2n, periodEnd: now + DAY / 2n, periodSpend: 0n, room: F("1.0"), reached: null });
  });

  it("starts the new period at exactly the old one's end", () => {
    const v = view({ balance: F("10.0"), cap: F("1.0"), periodSpent: F("1.0"), periodStart: now - DAY, billingPeriod: DAY });
    expect(exposureOf(v, [], [DEFAULT_PRICING], windowSeconds, now)).toMatchObject({ periodStart: now, periodSpend: 0n, reached: null });
    expect(exposureOf(v, [], [DEFAULT_PRICING], windowSeconds, now - 1n)).toMatchObject({ periodStart: now - DAY, periodSpend: F("1.0"), reached: "cap" });
  });

  it("never rolls a subscription without a billing period", () => {
    const v = view({ balance: F("10.0"), cap: F("1.0"), periodSpent: F("0.4"), periodStart: 0n, billingPeriod: 0n });
    expect(exposureOf(v, [], [DEFAULT_PRICING], windowSeconds, now)).toMatchObject({ periodStart: 0n, periodSpend: F("0.4"), room: F("0.6") });
  });

  it("the room is the smaller of the escrow left and the cap room, never below 0", () => {
    expect(exposureOf(view({ balance: F("0.5"), cap: F("2.0") }), [], [DEFAULT_PRICING], windowSeconds, now).room).toBe(F("0.5"));
    expect(exposureOf(view({ balance: F("5.0"), cap: F("2.0"), periodSpent: F("0.5") }), [], [DEFAULT_PRICING], windowSeconds, now).room).toBe(F("1.5"));
    expect(exposureOf(view({ balance: F("5.0"), cap: F("2.0"), periodSpent: F("2.5") }), [], [DEFAULT_PRICING], windowSeconds, now)).toMatchObject({ room: 0n, reached: "cap" });
  });
});

describe("tpm guard", () => {
  it("takes the dearest of the key's models, in any order", () => {
    for (const models of [["gpt-4", "llama-3-70b"], ["llama-3-70b", "gpt-4"], ["gpt-3.5-turbo", "gpt-4", "llama-3-8b"]]) {
      expect(tokensRoomPays(F("1.0"), [DEFAULT_PRICING], models, 0n, 300n * UNITS_PER_SECOND), models.join()).toBe(33_333n);
    }
  });

  it("a negative room pays nothing", () => {
    expect(tokensRoomPays(-F("1.0"), [DEFAULT_PRICING], ["gpt-4"], 0n, 300n * UNITS_PER_SECOND)).toBe(0n);
  });

  it("an announced cut does not raise the limit before it is in force", () => {
    const cheaper: PricingConfig = { ...DEFAULT_PRICING, version: 1n, effectiveFrom: 100n * DAY, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": F("0.5") } };
    expect(tokensRoomPays(F("1.0"), [{ ...DEFAULT_PRICING, version: 0n, effectiveFrom: 0n }, cheaper], ["gpt-4"], DAY, 300n * UNITS_PER_SECOND)).toBe(33_333n);
  });

  it("prices by the version in force at the start of the window running now: a cut in force since before it counts, one during it does not yet", () => {
    const window = 300n * UNITS_PER_SECOND;
    const now = 10n * DAY;
    const cut = (at: bigint): PricingConfig => ({ ...DEFAULT_PRICING, version: 1n, effectiveFrom: at, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": F("0.5") } });
    const v0 = { ...DEFAULT_PRICING, version: 0n, effectiveFrom: 0n };
    // In force for a day: 1 FLOW at 0.02 per 1K × 0.5 pays 100,000 tokens.
    expect(tokensRoomPays(F("1.0"), [v0, cut(now - DAY)], ["gpt-4"], now, window)).toBe(100_000n);
    // In force since half a window: usage from the window's start is still billed at × 1.5.
    expect(tokensRoomPays(F("1.0"), [v0, cut(now - window / 2n)], ["gpt-4"], now, window)).toBe(33_333n);
  });

  it("pays every token at the dearest tier price and multiplier the key's models can be billed at", () => {
    // 1 FLOW at 0.02 per 1K × 1.5 (GPT-4): 33,333 tokens; GPT-3.5 only (× 0.8): 62,500.
    expect(tokensRoomPays(F("1.0"), [DEFAULT_PRICING], ["gpt-4"], 0n, 300n * UNITS_PER_SECOND)).toBe(33_333n);
    expect(tokensRoomPays(F("1.0"), [DEFAULT_PRICING], ["gpt-3.5-turbo"], 0n, 300n * UNITS_PER_SECOND)).toBe(62_500n);
    // No model list, or a name no family rule knows: the dearest multiplier of all.
    expect(tokensRoomPays(F("1.0"), [DEFAULT_PRICING], [], 0n, 300n * UNITS_PER_SECOND)).toBe(33_333n);
    expect(tokensRoomPays(F("1.0"), [DEFAULT_PRICING], ["gpt-3.5-turbo", "mystery-model"], 0n, 300n * UNITS_PER_SECOND)).toBe(33_333n);
    expect(tokensRoomPays(0n, [DEFAULT_PRICING], ["gpt-4"], 0n, 300n * UNITS_PER_SECOND)).toBe(0n);
  });

  it("a version replaced at the instant it took effect never bills, so it does not lower the limit", () => {
    const window = 300n * UNITS_PER_SECOND;
    const at = 10n * DAY;
    const version = (n: bigint, gpt4: string): PricingConfig => ({ ...DEFAULT_PRICING, version: n, effectiveFrom: at, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": F(gpt4) } });
    // The window running now started exactly when versions 1 and 2 took effect: 2 replaced 1 at once.
    const schedule = [{ ...DEFAULT_PRICING, version: 0n, effectiveFrom: 0n }, version(1n, "3.0"), version(2n, "0.5")];
    expect(tokensRoomPays(F("1.0"), schedule, ["gpt-4"], at + window, window)).toBe(100_000n);
  });

  it("counts an announced increase before it is in force", () => {
    const dearer: PricingConfig = { ...DEFAULT_PRICING, version: 1n, effectiveFrom: 100n * DAY, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": F("3.0") } };
    expect(tokensRoomPays(F("1.0"), [{ ...DEFAULT_PRICING, version: 0n, effectiveFrom: 0n }, dearer], ["gpt-4"], DAY, 300n * UNITS_PER_SECOND)).toBe(16_666n);
  });

  it("adds the logged tokens LiteLLM still counts in its minute, and stays a safe integer", () => {
    expect(tpmLimitFor(1_000n, 250)).toBe(1_250);
    expect(tpmLimitFor(10n ** 30n, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("PendingUsage", () => {
  const row = (requestId: string, window: bigint, tokens: number, startMs = 1_000, endMs = startMs) => ({ requestId, subscriptionId: "7", keyHash: "k", window, family: "gpt-4", tokens, startMs, endMs });

  it("counts each request once, drops settled windows, and ignores rows of windows already settled", () => {
    const p = new PendingUsage();
    expect(p.add(row("a", 5n, 100))).toBe(true);
    expect(p.add(row("a", 5n, 100))).toBe(false);
    expect(p.add(row("b", 6n, 50))).toBe(true);
    expect(p.windowsOf("7").map((x) => [x.window, x.families.get("gpt-4")])).toEqual([[5n, 100n], [6n, 50n]]);
    p.settle(5n);
    expect(p.windowsOf("7").map((x) => x.window)).toEqual([6n]);
    expect(p.add(row("c", 4n, 10))).toBe(false);
    p.settle(3n); // an older settlement changes nothing
    expect(p.windowsOf("7").map((x) => x.window)).toEqual([6n]);
  });

  it("adds up the calls of one subscription in one window", () => {
    const p = new PendingUsage();
    p.add(row("a", 5n, 100));
    p.add(row("b", 5n, 50));
    p.add({ ...row("c", 5n, 7), family: "llama" });
    expect(p.windowsOf("7").map((x) => [x.window, [...x.families]])).toEqual([[5n, [["gpt-4", 150n], ["llama", 7n]]]]);
  });

  it("does not count a row of the window just settled, nor of any window settled before a stale settlement read", () => {
    const p = new PendingUsage();
    p.settle(5n);
    expect(p.add(row("a", 5n, 100))).toBe(false);
    // An access node behind the others answers an older settlement: windows 4 and 5 stay settled.
    p.settle(3n);
    expect(p.add(row("b", 4n, 100))).toBe(false);
    expect(p.add(row("c", 5n, 100))).toBe(false);
    expect(p.add(row("d", 6n, 100))).toBe(true);
    expect(p.windowsOf("7").map((x) => [x.window, x.families.get("gpt-4")])).toEqual([[6n, 100n]]);
  });

  it("still knows the requests of unsettled windows after a settlement: a row read again counts once", () => {
    const p = new PendingUsage();
    p.add(row("a", 5n, 100));
    p.add(row("b", 6n, 50));
    p.settle(5n);
    expect(p.add(row("b", 6n, 50))).toBe(false);
    expect(p.windowsOf("7").map((x) => [x.window, x.families.get("gpt-4")])).toEqual([[6n, 50n]]);
  });

  it("finds the key's window from the calls' start times whatever order the log gave them in", () => {
    const W = 60_000;
    const calls = [row("a", 1n, 100, 10_500, 11_000), row("b", 1n, 200, 69_900, 69_950), row("c", 1n, 50, 70_200, 70_300)];
    for (const order of [calls, [...calls].reverse(), [calls[1]!, calls[2]!, calls[0]!]]) {
      const p = new PendingUsage();
      for (const r of order) p.add(r);
      // Window 2 started at 70.2 s with c: only c counts.
      expect(p.windowTokens("k", 71_000, W, 2_000), order.map((r) => r.requestId).join()).toBe(50);
    }
  });

  it("keeps LiteLLM's chain of windows when it forgets calls three windows old", () => {
    // A call every 59 s, 1 s each: LiteLLM's windows start at 0 s and 118 s; the calls at 59 s and
    // 177 s end after their window's 60 s and are lost. At 200 s the window of 118 s has run out:
    // LiteLLM holds nothing for the key, though the call at 0 s is more than three windows old.
    const p = new PendingUsage();
    for (const second of [0, 59, 118, 177]) p.add(row(`s${second}`, 1n, 100, second * 1_000, second * 1_000 + 1_000));
    expect(p.windowTokens("k", 200_000, 60_000, 3_000)).toBe(0);
    // The call at 236 s starts the next window, which holds its 100 tokens once it ends.
    p.add(row("s236", 1n, 100, 236_000, 237_000));
    expect(p.windowTokens("k", 240_000, 60_000, 3_000)).toBe(100);
  });

  it("does not add back a call that ended in the very millisecond the window's first call started (LiteLLM may have lost it with the window that ran out)", () => {
    const p = new PendingUsage();
    p.add(row("a", 1n, 100, 10_000, 11_000));
    p.add(row("b", 1n, 40, 30_000, 70_500));
    p.add(row("c", 1n, 7, 70_500, 71_000));
    expect(p.windowTokens("k", 72_000, 60_000, 0)).toBe(7);
  });

  it("keeps the history of the keys still live when it forgets the others", () => {
    const p = new PendingUsage();
    p.add(row("a", 1n, 100, 10_500, 11_000));
    p.add({ ...row("b", 1n, 40, 10_600, 11_000), keyHash: "other" });
    p.pruneKeys(new Set(["k"]));
    expect(p.windowTokens("k", 12_000, 60_000, 0)).toBe(100);
    expect(p.windowTokens("other", 12_000, 60_000, 0)).toBe(0);
  });

  it("knows the logged tokens LiteLLM still counts in the key's fixed window, and none when it may turn", () => {
    const p = new PendingUsage();
    const W = 60_000;
    // Window 1 starts with the call at 10.5 s; a call at 69.9 s is still in it; 70.2 s starts window 2.
    p.add(row("a", 1n, 100, 10_500, 11_000));
    p.add(row("b", 1n, 200, 69_900, 69_950));
    expect(p.windowTokens("k", 69_960, W, 0)).toBe(300);
    expect(p.windowTokens("k", 70_000, W, 0)).toBe(0);
    // Window 1 ends at 70 s: from there the next call turns it, so nothing may be counted twice.
    expect(p.windowTokens("k", 69_000, W, 2_000)).toBe(0);
    p.add(row("c", 1n, 50, 70_200, 70_300));
    // Window 2 started at 70.2 s: b ended before that call, so only c counts.
    expect(p.windowTokens("k", 71_000, W, 2_000)).toBe(50);
    // A call spanning the turn (ends after the new window began) counts in the new window.
    p.add(row("d", 1n, 25, 69_950, 70_250));
    expect(p.windowTokens("k", 71_000, W, 2_000)).toBe(75);
    p.pruneKeys(new Set());
    expect(p.windowTokens("k", 71_000, W, 2_000)).toBe(0);
  });
});

describe("journal: the live block field", () => {
  const record = { id: "1", customer: "0x01", provider: "0x02", models: [], maxBudgetPerPeriod: null, lifecycle: "active", keys: [] };
  it("reads an older record without it as no block, and refuses a value it does not know", () => {
    expect(parseSubscriptionRecord(record, "line 2").liveBlock).toBeNull();
    expect(parseSubscriptionRecord({ ...record, liveBlock: "cap" }, "line 2").liveBlock).toBe("cap");
    expect(() => parseSubscriptionRecord({ ...record, liveBlock: "forever" }, "line 2")).toThrow(StateFileError);
    expect(() => parseSubscriptionRecord({ ...record, liveBlock: 1 }, "line 2")).toThrow(/line 2\.liveBlock/);
  });
});

describe("spend rows the live limit counts (external input)", () => {
  const good = {
    request_id: "r1",
    call_type: "acompletion",
    api_key: "a".repeat(64),
    spend: 0.001,
    total_tokens: 120,
    prompt_tokens: 100,
    completion_tokens: 20,
    startTime: "2026-12-02T10:00:05.000Z",
    endTime: "2026-12-02T10:00:06.000Z",
    model: "gpt-4-0613",
    model_group: "gpt-4",
    user: null,
    status: "success",
    metadata: { user_api_key: null, user_api_key_alias: "ff-7-r2", user_api_key_user_id: null, spend_logs_metadata: null },
  };
  const served = (id: string) => id === "7";
  const familyAt = (_w: bigint, group: string) => (group === "gpt-4" ? "gpt-4" : undefined);

  it("counts a row of a served subscription in its window and family", () => {
    const v = pendingRowOf(good, served, W300, familyAt);
    expect(v).toEqual({ row: expect.objectContaining({ subscriptionId: "7", window: BigInt(Math.floor(Date.parse(good.startTime) / 300_000)), family: "gpt-4", tokens: 120, keyHash: "a".repeat(64) }) });
  });

  it("skips failed calls and keys that are not this service's", () => {
    expect(pendingRowOf({ ...good, status: "failure" }, served, W300, familyAt)).toEqual({ skip: "failed" });
    expect(pendingRowOf({ ...good, metadata: { ...good.metadata, user_api_key_alias: "ff-8" } }, served, W300, familyAt)).toEqual({ skip: "not ours" });
    expect(pendingRowOf({ ...good, metadata: { ...good.metadata, user_api_key_alias: "someone-else" } }, served, W300, familyAt)).toEqual({ skip: "not ours" });
  });

  it("refuses a row with a bad time, token count or key hash, by name", () => {
    expect(pendingRowOf({ ...good, startTime: "yesterday" }, served, W300, familyAt)).toEqual({ bad: "spend row r1: unreadable start time" });
    for (const total_tokens of [-1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(pendingRowOf({ ...good, total_tokens }, served, W300, familyAt)).toEqual({ bad: "spend row r1: total_tokens is not a token count" });
    }
    expect(pendingRowOf({ ...good, api_key: "sk-raw" }, served, W300, familyAt)).toEqual({ bad: "spend row r1: api_key is not a key hash" });
  });

  it("refuses a key hash with anything before or after its 64 hex digits, and a start before 1970", () => {
    for (const api_key of [`x${"a".repeat(64)}`, `${"a".repeat(64)}x`, "A".repeat(64)]) {
      expect(pendingRowOf({ ...good, api_key }, served, W300, familyAt), api_key).toEqual({ bad: "spend row r1: api_key is not a key hash" });
    }
    expect(pendingRowOf({ ...good, startTime: "1969-12-31T23:59:59.999Z" }, served, W300, familyAt)).toEqual({ bad: "spend row r1: unreadable start time" });
    expect("row" in pendingRowOf({ ...good, startTime: "1970-01-01T00:00:00.000Z" }, served, W300, familyAt)).toBe(true);
    expect(pendingRowOf({ ...good, total_tokens: 0 }, served, W300, familyAt)).toEqual({ row: expect.objectContaining({ tokens: 0 }) });
  });

  it("keeps the end of a call that ends after it starts; an unreadable end reads as the start", () => {
    expect(pendingRowOf(good, served, W300, familyAt)).toEqual({ row: expect.objectContaining({ startMs: Date.parse(good.startTime), endMs: Date.parse(good.endTime) }) });
    expect(pendingRowOf({ ...good, endTime: "later" }, served, W300, familyAt)).toEqual({ row: expect.objectContaining({ endMs: Date.parse(good.startTime) }) });
  });

  it("asks the family rule with \"\" for a missing model_group, and bills a family a report cannot carry at the default", () => {
    const asked: string[] = [];
    pendingRowOf({ ...good, model_group: null }, served, W300, (_w, group, model) => (asked.push(`${group}|${model}`), undefined));
    expect(asked).toEqual(["|gpt-4-0613"]);
    expect(pendingRowOf(good, served, W300, () => "bad\u0000family")).toEqual({ row: expect.objectContaining({ family: "" }) });
  });

  it("bills a model no family rule knows at the default multiplier (family \"\"), and an end before the start as the start", () => {
    const v = pendingRowOf({ ...good, model_group: "mystery", endTime: "2026-12-02T09:00:00.000Z" }, served, W300, familyAt);
    expect("row" in v && v.row.family).toBe("");
    expect("row" in v && v.row.endMs).toBe(Date.parse(good.startTime));
  });
});
