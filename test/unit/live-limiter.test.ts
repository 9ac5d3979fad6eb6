/**
 * The live limit's passes (src/keys/live/limiter.ts, chain.ts, spend-follower.ts) without Flow or
 * LiteLLM: the three Flow scripts answer from a table the test sets, LiteLLM's spend log is a list
 * of rows and its key updates are recorded. The emulator tests run the same passes for real; these
 * pin the rules: when a key is blocked and lifted, what tpm_limit it gets, which Flow state a pass
 * trusts, and what the spend log is asked for.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { LiteLLMError, type LiteLLMAdminClient, type SpendLogRow } from "../../src/litellm";
import { readChainViews, readSettlement, VIEWS_PER_SCRIPT } from "../../src/keys/live/chain";
import { LiveLimit, type LiveLimitOptions } from "../../src/keys/live/limiter";
import { SpendFollower } from "../../src/keys/live/spend-follower";
import { createLogger } from "../../src/log";
import type { SubscriptionRecord } from "../../src/keys/state";
import { DEFAULT_PRICING, formatUFix64 } from "../../src/pricing";

const flow = vi.hoisted(() => ({
  /** get_state answers, one per call; the last one repeats. */
  states: [] as Record<string, unknown>[],
  subscriptions: new Map<string, Record<string, unknown> | null>(),
  schedule: [] as unknown[],
  calls: [] as string[],
  /** Sizes of the get_subscriptions calls. */
  batches: [] as number[],
  /** When set, get_subscriptions answers this instead of the subscriptions asked. */
  batchAnswer: undefined as ((ids: readonly string[]) => unknown) | undefined,
}));

vi.mock("../../src/flow/runtime", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/flow/runtime")>();
  return {
    ...actual,
    runScript: async (_ctx: unknown, definition: { name: string }, args: { id?: string; ids?: readonly string[] }) => {
      if (definition.name === "get_state") {
        flow.calls.push("state");
        return flow.states.length > 1 ? flow.states.shift() : flow.states[0];
      }
      if (definition.name === "get_subscription") {
        flow.calls.push(`subscription ${args.id}`);
        return flow.subscriptions.get(String(args.id)) ?? null;
      }
      if (definition.name === "get_subscriptions") {
        flow.batches.push((args.ids ?? []).length);
        if (flow.batchAnswer !== undefined) return flow.batchAnswer(args.ids ?? []);
        return (args.ids ?? []).map((id) => {
          flow.calls.push(`subscription ${id}`);
          return flow.subscriptions.get(String(id)) ?? null;
        });
      }
      if (definition.name === "get_pricing_schedule") {
        flow.calls.push("schedule");
        return flow.schedule;
      }
      throw new Error("unexpected script");
    },
  };
});

const WINDOW_S = 300;
const NOW0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const windowOf = (ms: number) => Math.floor(ms / 1000 / WINDOW_S);
const HASH = "a".repeat(64);
const ufix = (seconds: number) => `${seconds}.00000000`;

const cadencePricing = {
  tiers: DEFAULT_PRICING.tiers.map((t) => ({ threshold: t.threshold.toString(), pricePer1K: formatUFix64(t.pricePer1K) })),
  familyMultipliers: Object.fromEntries(Object.entries(DEFAULT_PRICING.familyMultipliers).map(([k, v]) => [k, formatUFix64(v)])),
  defaultMultiplier: formatUFix64(DEFAULT_PRICING.defaultMultiplier),
  modelFamilies: { ...DEFAULT_PRICING.modelFamilies },
  billingPeriod: ufix(2_592_000),
  closeGracePeriod: ufix(3_600),
};

function subscriptionInfo(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: "Active",
    balance: "1.00000000",
    periodTokens: "0",
    periodSpent: "0.00000000",
    maxBudgetPerPeriod: null,
    periodStart: ufix(NOW0 / 1000 - 86_400),
    billingPeriod: ufix(2_592_000),
    createdAt: ufix(NOW0 / 1000 - 86_400),
    ...over,
  };
}

function record(id: string, over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id,
    customer: "0x01",
    provider: "0x02",
    models: ["gpt-4"],
    maxBudgetPerPeriod: null,
    lifecycle: "active",
    liveBlock: null,
    keys: [{ generation: 0, alias: `ff-${id}`, hash: HASH, sealed: null, litellm: "live", flow: "attached", sentFromHeight: null, blocked: false, models: [], revoked: false }],
    ...over,
  };
}

let seq = 0;
/** A GPT-4 call of subscription `sub`, started `agoMs` before NOW0 (old enough to be out of LiteLLM's minute). */
function row(tokens: number, over: Partial<SpendLogRow> = {}, sub = "7", agoMs = 5 * 60_000): SpendLogRow {
  const start = NOW0 - agoMs;
  return {
    request_id: `r${++seq}`,
    call_type: "acompletion",
    api_key: HASH,
    spend: 0,
    total_tokens: tokens,
    prompt_tokens: tokens,
    completion_tokens: 0,
    startTime: new Date(start).toISOString(),
    endTime: new Date(start + 1_000).toISOString(),
    model: "gpt-4-0613",
    model_group: "gpt-4",
    user: null,
    status: "success",
    metadata: { user_api_key: null, user_api_key_alias: `ff-${sub}`, user_api_key_user_id: null, spend_logs_metadata: null },
    ...over,
  };
}

interface Harness {
  limiter: LiveLimit;
  rows: SpendLogRow[];
  updates: { key: string; tpm_limit: number }[];
  reads: { startDate: Date; endDate: Date }[];
  logs: string[];
  clock: { now: number };
  updateError: { value: unknown };
}

function harness(options: LiveLimitOptions = {}): Harness {
  const h: Harness = { limiter: undefined as never, rows: [], updates: [], reads: [], logs: [], clock: { now: NOW0 }, updateError: { value: undefined } };
  const litellm = {
    async *iterateSpendLogs(params: { startDate: Date; endDate: Date }) {
      h.reads.push(params);
      yield* h.rows;
    },
    async updateKey(request: { key: string; tpm_limit: number }) {
      if (h.updateError.value !== undefined) throw h.updateError.value;
      h.updates.push(request);
      return {};
    },
  } as unknown as LiteLLMAdminClient;
  const log = createLogger("key-service", {
    destination: {
      write: (line: string) => {
        const r = JSON.parse(line) as { level: string; msg: string };
        h.logs.push(`${r.level} ${r.msg}`);
      },
    },
  });
  h.limiter = new LiveLimit({ flow: { accessNode: "http://127.0.0.1:1", addresses: {} }, litellm, now: () => h.clock.now, log, pollIntervalMs: 1_000 }, options);
  return h;
}

const subs = (...records: SubscriptionRecord[]) => new Map(records.map((r) => [r.id, r]));

beforeEach(() => {
  flow.states = [{ windowSeconds: String(WINDOW_S), lastSettledWindow: String(windowOf(NOW0) - 2) }];
  flow.subscriptions = new Map([["7", subscriptionInfo()]]);
  flow.schedule = [cadencePricing];
  flow.calls = [];
});

describe("the live limit's pass", () => {
  it("refuses a new key (tpm 0) until a pass has priced it; then its tpm_limit is what the room pays at GPT-4's price", async () => {
    const h = harness();
    expect(h.limiter.tpmFor("7")).toBe(0);
    h.rows.push(row(30_000));
    const out = await h.limiter.run(subs(record("7")));
    expect(out).toEqual(new Map([["7", null]]));
    // 30,000 GPT-4 tokens cost 0.9 FLOW; the 0.1 left pays 3,333 tokens at 0.03 per 1,000.
    expect(h.limiter.view("7")).toMatchObject({ reached: null, pendingTokens: "30000", pendingCost: "0.90000000", escrowLeft: "0.10000000", unpaid: "0.00000000", room: "0.10000000", toLift: null, cap: null, tpmLimit: 3_333 });
    expect(h.limiter.tpmFor("7")).toBe(3_333);
    expect(h.updates).toEqual([{ key: HASH, tpm_limit: 3_333 }]);
    expect(h.limiter.ready).toBe(true);
    expect(h.limiter.lastPassAt).toBe(NOW0);
    expect(h.limiter.view("7")?.asOf).toBe(new Date(NOW0).toISOString());
  });

  it("does not set the same tpm_limit again on the next pass", async () => {
    const h = harness();
    h.rows.push(row(30_000));
    await h.limiter.run(subs(record("7")));
    h.clock.now += 1_000;
    await h.limiter.run(subs(record("7")));
    expect(h.updates).toHaveLength(1);
  });

  it("blocks (escrow) once pending usage costs the whole escrow, says what a top-up must add, and lifts after a top-up", async () => {
    const h = harness();
    h.rows.push(row(40_000));
    const out = await h.limiter.run(subs(record("7")));
    expect(out.get("7")).toBe("escrow");
    // 1.2 FLOW pending against 1.0: 0.2 is unpaid, so a top-up must add more than that.
    expect(h.limiter.view("7")).toMatchObject({ reached: "escrow", escrowLeft: "0.00000000", unpaid: "0.20000000", toLift: "0.20000001", room: "0.00000000", tpmLimit: 0 });
    expect(h.updates).toEqual([{ key: HASH, tpm_limit: 0 }]);
    expect(h.logs).toEqual(["info subscription 7: live limit reached (escrow): pending 1.20000000 FLOW, escrow left 0.00000000"]);

    flow.subscriptions.set("7", subscriptionInfo({ balance: "2.00000000" }));
    h.limiter.touch("7");
    h.clock.now += 1_000;
    expect((await h.limiter.run(subs(record("7")))).get("7")).toBeNull();
    expect(h.logs[1]).toBe("info subscription 7: live limit has room again: pending 1.20000000 FLOW, escrow left 0.80000000");
  });

  it("blocks (cap) once the period's spend with pending usage reaches the cap, and says what a raise must add", async () => {
    flow.subscriptions.set("7", subscriptionInfo({ balance: "10.00000000", maxBudgetPerPeriod: "0.50000000", periodSpent: "0.10000000" }));
    const h = harness();
    h.rows.push(row(30_000));
    expect((await h.limiter.run(subs(record("7")))).get("7")).toBe("cap");
    expect(h.limiter.view("7")).toMatchObject({ reached: "cap", cap: "0.50000000", periodSpend: "1.00000000", toLift: "0.50000001", room: "0.00000000" });
    expect(h.limiter.view("7")?.periodEnd).toBe(new Date(NOW0 - 86_400_000 + 2_592_000_000).toISOString());
  });

  it("counts only usage of windows after the last settled one; a settlement takes it out", async () => {
    const h = harness();
    h.rows.push(row(10_000), row(20_000, {}, "7", 15 * 60_000));
    await h.limiter.run(subs(record("7")));
    // The second row's window (15 min ago) is settled already: its usage is in Flow's state.
    expect(h.limiter.view("7")?.pendingTokens).toBe("10000");
    flow.states = [{ windowSeconds: String(WINDOW_S), lastSettledWindow: String(windowOf(NOW0)) }];
    h.clock.now += 1_000;
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")?.pendingTokens).toBe("0");
  });

  it("reads the spend log from the first unsettled window on, and a little past now", async () => {
    const h = harness();
    await h.limiter.run(subs(record("7")));
    expect(h.reads).toEqual([{ startDate: new Date((windowOf(NOW0) - 1) * WINDOW_S * 1000), endDate: new Date(NOW0 + 60_000) }]);
  });

  it("with nothing settled yet, counts everything from a window before the oldest subscription opened", async () => {
    flow.states = [{ windowSeconds: String(WINDOW_S), lastSettledWindow: null }];
    flow.subscriptions.set("8", subscriptionInfo({ createdAt: ufix(NOW0 / 1000 - 3_600) }));
    const h = harness();
    h.rows.push(row(10_000, {}, "7", 20 * 60 * 60_000));
    await h.limiter.run(subs(record("7"), record("8")));
    expect(h.reads[0]?.startDate).toEqual(new Date(NOW0 - 86_400_000 - WINDOW_S * 1000));
    expect(h.limiter.view("7")?.pendingTokens).toBe("10000");
    // The oldest subscription decides, wherever the journal lists it.
    const listedLater = harness();
    await listedLater.limiter.run(subs(record("8"), record("7")));
    expect(listedLater.reads[0]?.startDate).toEqual(new Date(NOW0 - 86_400_000 - WINDOW_S * 1000));
  });

  it("with nothing settled and no subscription read, reads from now", async () => {
    flow.states = [{ windowSeconds: String(WINDOW_S), lastSettledWindow: null }];
    flow.subscriptions = new Map();
    const h = harness();
    await h.limiter.run(subs(record("7")));
    expect(h.reads[0]?.startDate).toEqual(new Date(NOW0));
    expect(h.limiter.view("7")).toBeNull();
  });

  it("reads every state again when a settlement lands while they are read, and trusts states only with the settlement they were read under", async () => {
    const settled = windowOf(NOW0) - 2;
    flow.states = [
      { windowSeconds: String(WINDOW_S), lastSettledWindow: String(settled) },
      { windowSeconds: String(WINDOW_S), lastSettledWindow: String(settled + 1) },
      { windowSeconds: String(WINDOW_S), lastSettledWindow: String(settled + 1) },
    ];
    const h = harness();
    await h.limiter.run(subs(record("7")));
    expect(flow.calls).toEqual(["schedule", "state", "subscription 7", "state", "state", "subscription 7", "state"]);
  });

  it("gives the pass up when settlements keep landing (four tries), and blocks nothing on it", async () => {
    const settled = windowOf(NOW0) - 2;
    flow.states = Array.from({ length: 9 }, (_, i) => ({ windowSeconds: String(WINDOW_S), lastSettledWindow: String(settled + i) }));
    const h = harness();
    await expect(h.limiter.run(subs(record("7")))).rejects.toThrow(/settlements keep landing/);
    expect(flow.calls.filter((c) => c === "state")).toHaveLength(8);
    expect(h.limiter.ready).toBe(false);
  });

  it("re-reads a subscription's state after its events or the refresh interval, not on every pass", async () => {
    const h = harness({ viewRefreshMs: 30_000 });
    await h.limiter.run(subs(record("7")));
    const reads = () => flow.calls.filter((c) => c === "subscription 7").length;
    expect(reads()).toBe(1);
    h.clock.now += 29_999;
    await h.limiter.run(subs(record("7")));
    expect(reads()).toBe(1);
    h.limiter.touch("7");
    await h.limiter.run(subs(record("7")));
    expect(reads()).toBe(2);
    h.clock.now += 29_999;
    await h.limiter.run(subs(record("7")));
    expect(reads()).toBe(2);
    h.clock.now += 1;
    await h.limiter.run(subs(record("7")));
    expect(reads()).toBe(3);
  });

  it("re-reads the pricing schedule after its refresh interval only", async () => {
    const h = harness({ scheduleRefreshMs: 15_000 });
    await h.limiter.run(subs(record("7")));
    h.clock.now += 14_999;
    await h.limiter.run(subs(record("7")));
    expect(flow.calls.filter((c) => c === "schedule")).toHaveLength(1);
    h.clock.now += 1;
    await h.limiter.run(subs(record("7")));
    expect(flow.calls.filter((c) => c === "schedule")).toHaveLength(2);
  });

  it("forgets a subscription once it is closed or gone, and gives one Flow does not know no block", async () => {
    flow.subscriptions.set("9", null);
    const h = harness();
    const out = await h.limiter.run(subs(record("7"), record("9")));
    expect(out.has("9")).toBe(false);
    expect(h.limiter.view("9")).toBeNull();
    expect(h.limiter.view("7")).not.toBeNull();
    h.clock.now += 1_000;
    const closed = await h.limiter.run(subs(record("7", { lifecycle: "closed" })));
    expect(closed.size).toBe(0);
    expect(h.limiter.view("7")).toBeNull();
    expect(h.limiter.exposure("7")).toBeUndefined();
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")).not.toBeNull();
    await h.limiter.run(new Map());
    expect(h.limiter.view("7")).toBeNull();
  });

  it("reads a subscription's state afresh when it comes back after it was closed or gone (what it knew of it is forgotten)", async () => {
    const h = harness();
    await h.limiter.run(subs(record("7")));
    for (const [away, balance] of [[new Map<string, SubscriptionRecord>(), "2.00000000"], [subs(record("7", { lifecycle: "closed" })), "3.00000000"]] as const) {
      h.clock.now += 1_000;
      await h.limiter.run(away);
      flow.subscriptions.set("7", subscriptionInfo({ balance }));
      h.clock.now += 1_000;
      await h.limiter.run(subs(record("7")));
      expect(h.limiter.view("7")?.escrowLeft, `after ${away.size === 0 ? "gone" : "closed"}`).toBe(balance);
    }
  });

  it("logs a spend row it cannot read and does not count it", async () => {
    const h = harness();
    h.rows.push(row(-5), row(100, { status: "failure" }), row(100, {}, "8"), row(1_000));
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")?.pendingTokens).toBe("1000");
    expect(h.logs.filter((l) => l.startsWith("warn"))).toEqual([expect.stringMatching(/^warn spend row r\d+: total_tokens is not a token count; not counted by the live limit/)]);
  });

  it("sets tpm_limit only on a live, unrevoked current key; a key LiteLLM no longer has is skipped, other LiteLLM errors fail the pass", async () => {
    const base = record("7");
    const key = base.keys[0]!;
    for (const keys of [[], [{ ...key, litellm: "pending" as const }], [{ ...key, revoked: true }]]) {
      const h = harness();
      await h.limiter.run(subs({ ...base, keys }));
      expect(h.updates, JSON.stringify(keys)).toEqual([]);
    }
    const gone = harness();
    gone.updateError.value = new LiteLLMError("not found", { kind: "http", status: 404 });
    await expect(gone.limiter.run(subs(base))).resolves.toBeInstanceOf(Map);
    const down = harness();
    down.updateError.value = new LiteLLMError("bad gateway", { kind: "http", status: 502 });
    await expect(down.limiter.run(subs(base))).rejects.toThrow(/bad gateway/);
    const broken = harness();
    broken.updateError.value = new Error("boom");
    await expect(broken.limiter.run(subs(base))).rejects.toThrow("boom");
  });

  it("sets a key's tpm_limit again after it left and came back (the applied value is forgotten)", async () => {
    const h = harness();
    await h.limiter.run(subs(record("7")));
    await h.limiter.run(subs(record("7", { lifecycle: "closed" })));
    await h.limiter.run(subs(record("7")));
    expect(h.updates).toHaveLength(2);
  });

  it("does not count twice the logged tokens LiteLLM still holds in its minute", async () => {
    const h = harness();
    // 1,000 tokens ended 20 s ago: LiteLLM counts them in its window, and the room is priced after them.
    h.rows.push(row(1_000, {}, "7", 21_000));
    await h.limiter.run(subs(record("7")));
    // 0.97 FLOW left pays 32,333 tokens; the 1,000 in LiteLLM's window are added back.
    expect(h.limiter.view("7")?.tpmLimit).toBe(32_333 + 1_000);
  });

  it("a period that ended since Flow last rolled it counts from 0: the old period's spend does not reach the cap", async () => {
    const start = NOW0 / 1000 - 31 * 86_400;
    flow.subscriptions.set("7", subscriptionInfo({ balance: "10.00000000", maxBudgetPerPeriod: "0.50000000", periodSpent: "0.50000000", periodStart: ufix(start), billingPeriod: ufix(2_592_000) }));
    const h = harness();
    expect((await h.limiter.run(subs(record("7")))).get("7")).toBeNull();
    expect(h.limiter.view("7")).toMatchObject({ reached: null, periodSpend: "0.00000000", room: "0.50000000", toLift: null, periodEnd: new Date((start + 2 * 2_592_000) * 1000).toISOString() });
  });

  it("a capped subscription with room has nothing to lift", async () => {
    flow.subscriptions.set("7", subscriptionInfo({ balance: "10.00000000", maxBudgetPerPeriod: "5.00000000" }));
    const h = harness();
    h.rows.push(row(10_000));
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")).toMatchObject({ reached: null, cap: "5.00000000", periodSpend: "0.30000000", toLift: null });
  });

  it("re-reads every state when a settlement landed since the last pass: the settled usage is then in Flow's state, not pending", async () => {
    const h = harness();
    h.rows.push(row(30_000));
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")).toMatchObject({ pendingTokens: "30000", escrowLeft: "0.10000000" });
    // The window is settled: Flow has taken the 0.9 FLOW from the escrow.
    flow.states = [{ windowSeconds: String(WINDOW_S), lastSettledWindow: String(windowOf(NOW0)) }];
    flow.subscriptions.set("7", subscriptionInfo({ balance: "0.10000000", periodSpent: "0.90000000", periodTokens: "30000" }));
    h.clock.now += 1_000;
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")).toMatchObject({ pendingTokens: "0", escrowLeft: "0.10000000", room: "0.10000000" });
  });

  it("re-reads every state when the window length changes", async () => {
    const h = harness();
    await h.limiter.run(subs(record("7")));
    flow.states = [{ windowSeconds: String(WINDOW_S * 2), lastSettledWindow: String(windowOf(NOW0) - 2) }];
    h.clock.now += 1_000;
    await h.limiter.run(subs(record("7")));
    expect(flow.calls.filter((c) => c === "subscription 7")).toHaveLength(2);
  });

  it("logs a subscription's live limit only when it changes", async () => {
    const h = harness();
    h.rows.push(row(40_000));
    await h.limiter.run(subs(record("7")));
    h.clock.now += 1_000;
    await h.limiter.run(subs(record("7")));
    expect(h.logs).toEqual(["info subscription 7: live limit reached (escrow): pending 1.20000000 FLOW, escrow left 0.00000000"]);
  });

  it("bills each logged call at its own model's family in one pass", async () => {
    const h = harness();
    h.rows.push(row(10_000), row(10_000, { model: "llama-3-70b", model_group: "llama-3-70b" }));
    await h.limiter.run(subs(record("7")));
    // 10,000 GPT-4 tokens at 0.02 per 1K × 1.5 and 10,000 Llama tokens × 0.6: 0.3 + 0.12.
    expect(h.limiter.view("7")?.pendingCost).toBe("0.42000000");
  });

  it("finds a call's family by the pricing version in force at its window's start", async () => {
    // From two windows ago a new version maps "house-model" to Llama (× 0.6); before, it was billed at the default (× 1).
    flow.schedule = [
      { ...cadencePricing, version: "0", effectiveFrom: "0.00000000" },
      { ...cadencePricing, version: "1", effectiveFrom: ufix(NOW0 / 1000 - 2 * WINDOW_S), modelFamilies: { ...cadencePricing.modelFamilies, "house-model": "llama" } },
    ];
    const h = harness();
    h.rows.push(row(10_000, { model: "house-model", model_group: "house-model" }));
    await h.limiter.run(subs(record("7")));
    expect(h.limiter.view("7")?.pendingCost).toBe("0.12000000");
  });

  it("sets tpm_limit by the prices that can bill usage from the start of the window running now: a cut half a window old does not raise it yet", async () => {
    const cut = { ...cadencePricing, version: "1", effectiveFrom: ufix(NOW0 / 1000 - WINDOW_S / 2), familyMultipliers: { ...cadencePricing.familyMultipliers, "gpt-4": "0.50000000" } };
    flow.schedule = [{ ...cadencePricing, version: "0", effectiveFrom: "0.00000000" }, cut];
    const h = harness();
    await h.limiter.run(subs(record("7")));
    // 1 FLOW at 0.02 per 1K × 1.5, the window's price: 33,333 tokens (× 0.5 would let 100,000 through).
    expect(h.limiter.view("7")?.tpmLimit).toBe(33_333);
  });

  it("does not add back logged tokens of a LiteLLM minute that may turn before the next pass (poll interval plus 2 s)", async () => {
    const h = harness();
    // Started 58 s ago: LiteLLM's window turns in 2 s, before the next pass (1 s) plus its 2 s margin.
    h.rows.push(row(1_000, {}, "7", 58_000));
    await h.limiter.run(subs(record("7")));
    // 0.97 FLOW left pays 32,333 tokens; once the window turns LiteLLM counts the 1,000 no more.
    expect(h.limiter.view("7")?.tpmLimit).toBe(32_333);
  });

  it("off: no pass, no reads, no tpm_limit; guard off: blocks but no tpm_limit", async () => {
    const off = harness({ enabled: false });
    expect(await off.limiter.run(subs(record("7")))).toEqual(new Map());
    expect(flow.calls).toEqual([]);
    expect(off.limiter.tpmFor("7")).toBeUndefined();
    expect(off.limiter.ready).toBe(false);
    const unguarded = harness({ guard: false });
    unguarded.rows.push(row(40_000));
    expect((await unguarded.limiter.run(subs(record("7")))).get("7")).toBe("escrow");
    expect(unguarded.limiter.tpmFor("7")).toBeUndefined();
    expect(unguarded.limiter.view("7")?.tpmLimit).toBeNull();
    expect(unguarded.updates).toEqual([]);
  });
});

describe("what the live limit reads from Flow", () => {
  const ctx = { accessNode: "http://127.0.0.1:1", addresses: {} };

  it("the settlement: a positive window length and the last settled window, if any", async () => {
    flow.states = [{ windowSeconds: 300, lastSettledWindow: 12n }];
    expect(await readSettlement(ctx)).toEqual({ windowSeconds: 300n, lastSettled: 12n });
    for (const last of [null, undefined]) {
      flow.states = [{ windowSeconds: "300", lastSettledWindow: last }];
      expect(await readSettlement(ctx)).toEqual({ windowSeconds: 300n, lastSettled: null });
    }
  });

  it("refuses a state whose numbers are not unsigned integers, or a window of 0 s", async () => {
    for (const [state, message] of [
      [{ windowSeconds: "0" }, "FlareFDCTriggers state: windowSeconds is 0"],
      [{ windowSeconds: "-300" }, "FlareFDCTriggers state: windowSeconds is not an unsigned integer"],
      [{ windowSeconds: "3e2" }, "FlareFDCTriggers state: windowSeconds is not an unsigned integer"],
      [{ windowSeconds: "300 " }, "FlareFDCTriggers state: windowSeconds is not an unsigned integer"],
      [{ windowSeconds: ["300"] }, "FlareFDCTriggers state: windowSeconds is not an unsigned integer"],
      [{ windowSeconds: " 300" }, "FlareFDCTriggers state: windowSeconds is not an unsigned integer"],
      [{}, "FlareFDCTriggers state: windowSeconds is not an unsigned integer"],
      [{ windowSeconds: "300", lastSettledWindow: "1.5" }, "FlareFDCTriggers state: lastSettledWindow is not an unsigned integer"],
      [{ windowSeconds: "300", lastSettledWindow: "123456789012345678901" }, "FlareFDCTriggers state: lastSettledWindow is not an unsigned integer"],
    ] as const) {
      flow.states = [state];
      await expect(readSettlement(ctx), JSON.stringify(state)).rejects.toThrow(message);
    }
  });

  it("a subscription's state in units of 1e-8, the cap null when there is none", async () => {
    flow.subscriptions.set("7", subscriptionInfo({ status: "Suspended", balance: "1.5", periodTokens: "42", periodSpent: "0.25", maxBudgetPerPeriod: "3.0", periodStart: "100.0", billingPeriod: "86400.0", createdAt: "50.0" }));
    const readChainView = async (id: string) => (await readChainViews(ctx, [id])).get(id);
    expect(await readChainView("7")).toEqual({ status: "Suspended", balance: 150_000_000n, periodTokens: 42n, periodSpent: 25_000_000n, cap: 300_000_000n, periodStart: 10_000_000_000n, billingPeriod: 8_640_000_000_000n, createdAt: 5_000_000_000n });
    flow.subscriptions.set("7", subscriptionInfo({ maxBudgetPerPeriod: undefined }));
    expect((await readChainView("7"))?.cap).toBeNull();
    expect(await readChainView("404")).toBeNull();
  });

  it("many subscriptions' states, VIEWS_PER_SCRIPT a script, each the one asked for", async () => {
    const ids = Array.from({ length: VIEWS_PER_SCRIPT + 3 }, (_, i) => String(i + 1));
    for (const id of ids) flow.subscriptions.set(id, subscriptionInfo({ id, balance: `${id}.0` }));
    flow.subscriptions.set("2", null);
    flow.batches = [];
    const views = await readChainViews(ctx, ids);
    expect(flow.batches).toEqual([VIEWS_PER_SCRIPT, 3]);
    expect(views.size).toBe(ids.length);
    expect(views.get("2")).toBeNull();
    expect(views.get(String(VIEWS_PER_SCRIPT + 3))?.balance).toBe(BigInt(VIEWS_PER_SCRIPT + 3) * 100_000_000n);
    // An access node's answer is checked: one state per id asked, each the subscription asked.
    flow.batchAnswer = (asked) => asked.slice(1).map((id) => flow.subscriptions.get(id));
    await expect(readChainViews(ctx, ["1", "3"])).rejects.toThrow("get_subscriptions answered 1 for 2 subscriptions");
    flow.batchAnswer = (asked) => [...asked].reverse().map((id) => flow.subscriptions.get(id));
    await expect(readChainViews(ctx, ["1", "3"])).rejects.toThrow("get_subscriptions answered subscription 3 where 1 was asked");
    flow.batchAnswer = () => null;
    await expect(readChainViews(ctx, ["1", "3"])).rejects.toThrow("get_subscriptions answered no list for 2 subscriptions");
    flow.batchAnswer = undefined;
  });

  it("runs no script for no subscription, and one for exactly VIEWS_PER_SCRIPT", async () => {
    flow.batches = [];
    expect((await readChainViews(ctx, [])).size).toBe(0);
    expect(flow.batches).toEqual([]);
    await readChainViews(ctx, Array.from({ length: VIEWS_PER_SCRIPT }, (_, i) => String(i + 1)));
    expect(flow.batches).toEqual([VIEWS_PER_SCRIPT]);
  });
});

describe("the spend-log follower", () => {
  function follower(lookbackMs = 15_000, sweepMs = 60_000) {
    const clock = { now: NOW0 };
    const reads: { startDate: Date; endDate: Date }[] = [];
    const rows: SpendLogRow[] = [];
    const litellm = {
      async *iterateSpendLogs(params: { startDate: Date; endDate: Date }) {
        reads.push(params);
        yield* rows;
      },
    } as unknown as LiteLLMAdminClient;
    return { f: new SpendFollower(litellm, { lookbackMs, sweepMs, now: () => clock.now }), clock, reads, rows };
  }
  const oldest = NOW0 - 600_000;

  it("reads from the oldest unsettled window first, then from the previous poll less the look-back, and again from the oldest at each sweep", async () => {
    const { f, clock, reads } = follower();
    await f.poll(oldest, () => {});
    clock.now += 20_000;
    await f.poll(oldest, () => {});
    clock.now += 39_999;
    await f.poll(oldest, () => {});
    clock.now += 1;
    await f.poll(oldest, () => {});
    expect(reads.map((r) => r.startDate.getTime() - NOW0)).toEqual([-600_000, 0 - 15_000, 20_000 - 15_000, -600_000]);
    expect(reads.map((r) => r.endDate.getTime() - NOW0)).toEqual([60_000, 80_000, 119_999, 120_000]);
  });

  it("never reads from before the oldest unsettled window, nor from after now", async () => {
    const { f, clock, reads } = follower();
    await f.poll(oldest, () => {});
    clock.now += 1_000;
    await f.poll(NOW0 - 5_000, () => {});
    expect(reads[1]?.startDate.getTime()).toBe(NOW0 - 5_000);
    clock.now += 1_000;
    await f.poll(NOW0 + 3_600_000, () => {});
    expect(reads[2]?.startDate.getTime()).toBe(clock.now);
  });

  it("hands every row to the caller and counts them", async () => {
    const { f, rows } = follower();
    rows.push(row(1), row(2));
    const seen: string[] = [];
    await f.poll(oldest, (r) => seen.push(r.request_id));
    await f.poll(oldest, (r) => seen.push(r.request_id));
    expect(seen).toHaveLength(4);
    expect(f.rowsRead).toBe(4);
  });
});
