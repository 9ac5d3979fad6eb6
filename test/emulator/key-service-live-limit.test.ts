/**
 * The live spending limit against the emulator and the local LiteLLM server: a key is refused
 * soon after its pending usage uses up the escrow or reaches the cap (before any settlement),
 * accepted again after a top-up, a cap raise or a new period, never refused while there is room;
 * a minimum deposit buys no more than its worth plus one call; a restart keeps a block and lifts
 * one whose reason went away while the service was down.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyAuthorization, runScript, sendTransaction, type KeySigner } from "../../src/flow/runtime";
import { pricingGetPricing, subscriptionsGetSubscription } from "../../src/flow/generated/scripts";
import { subscriptionsAdminSetPeriod, subscriptionsTopUp, subscriptionsUpdateSubscription } from "../../src/flow/generated/transactions";
import { serviceSigner } from "../../src/local/accounts";
import { parseUFix64, pricingFromCadence, quoteUnits, type PricingConfig } from "../../src/pricing";
import { Aggregator } from "../../src/connector/aggregate";
import type { KeyService } from "../../src/keys";
import { enableSettlement, settleLines } from "./settle-helpers";
import { attached, captureConsole, createSub, newCustomer, proven, startService, startStack, type Stack } from "./key-service-helpers";
import { waitFor } from "../../src/local/wait";

/** About 400 tokens a call: a minimum deposit (1 FLOW) lasts some 80 GPT-4 calls. */
const PROMPT = "Count the words of this long request. ".repeat(60);

interface Call {
  status: number;
  tokens: number;
}

describe("key service: live spending limit", () => {
  let stack: Stack;
  let service: KeyService;
  let customer: KeySigner;
  let pricing: PricingConfig;

  beforeAll(async () => {
    captureConsole();
    stack = await startStack();
    await enableSettlement(stack.ctx);
    service = await startService(stack);
    customer = await newCustomer(stack);
    pricing = pricingFromCadence(await runScript(stack.ctx, pricingGetPricing, {}));
  });

  afterAll(async () => {
    await service?.stop();
    await stack?.stop();
  });

  const onFlow = async (id: string) => {
    const info = await runScript(stack.ctx, subscriptionsGetSubscription, { id });
    if (!info) throw new Error(`no subscription ${id}`);
    return info;
  };

  async function call(key: string, model = "gpt-4"): Promise<Call> {
    const res = await fetch(`http://127.0.0.1:${stack.litellmPort}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: "user", content: PROMPT }] }),
    });
    const body = (await res.json()) as { usage?: { total_tokens?: number } };
    return { status: res.status, tokens: body.usage?.total_tokens ?? 0 };
  }

  /** Calls until the first refusal (at most `max` calls); the calls served and the refusal. */
  async function burn(key: string, max = 2000): Promise<{ served: Call[]; refused: Call }> {
    const served: Call[] = [];
    for (let i = 0; i < max; i++) {
      const c = await call(key);
      if (c.status !== 200) return { served, refused: c };
      served.push(c);
    }
    throw new Error(`no refusal after ${max} calls`);
  }

  /** The mirror's price of `tokens` GPT-4 tokens after `position` in the period. */
  const cost = (tokens: number, position = 0) => quoteUnits(pricing, "gpt-4", BigInt(tokens), BigInt(position));
  const total = (calls: readonly Call[]) => calls.reduce((n, c) => n + c.tokens, 0);

  async function open(options: { deposit: string; cap: string | null }): Promise<{ id: string; key: string }> {
    const id = await createSub(stack, customer, { models: ["gpt-4"], ...options });
    await waitFor(`key of subscription ${id} attached`, () => attached(service, id));
    await waitFor(`subscription ${id} priced`, () => service.live.exposure(id) !== undefined);
    await waitFor(`tpm guard of subscription ${id} set`, async () => ((await stack.client.findKeyByAlias(`ff-${id}`))?.tpm_limit ?? 0) > 0);
    const r = await proven(service, customer, id, "reveal");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return { id, key: String(r.body["key"]) };
  }

  let escrowSub = { id: "", key: "" };
  let deposit = 0n;

  it("refuses a key soon after its pending usage uses up a minimum deposit, before any settlement, and not before", async () => {
    deposit = pricing.minimumDeposit ?? parseUFix64("1.0");
    escrowSub = await open({ deposit: String(Number(deposit) / 1e8), cap: null });
    const { served, refused } = await burn(escrowSub.key);
    // Nothing was refused while there was room: the first refusal came when less than one more
    // call's worth was left (the tpm guard, 429) ...
    const spent = cost(total(served));
    const oneCall = cost(served[0]?.tokens ?? 0);
    expect(spent).toBeGreaterThan(deposit - oneCall);
    expect(refused.status).toBe(429);
    // ... the deposit bought at most its worth plus one call (the overshoot the bench measures) ...
    expect(spent).toBeLessThanOrEqual(deposit + oneCall);
    // ... and the key service then blocks the key outright, with Flow still knowing nothing of it.
    await waitFor("live block (escrow)", () => service.record(escrowSub.id)?.liveBlock === "escrow");
    await waitFor("key blocked in LiteLLM", async () => (await stack.client.keyInfo(escrowSub.key)).blocked === true);
    expect((await call(escrowSub.key)).status).toBe(401);
    const info = await onFlow(escrowSub.id);
    expect(info.status).toBe("Active");
    expect(info.spent).toBe("0.00000000");
    const live = await proven(service, customer, escrowSub.id, "usage");
    expect(live.body["live"]).toMatchObject({ reached: "escrow", escrowLeft: "0.00000000" });
    expect(parseUFix64(String((live.body["live"] as Record<string, unknown>)["pendingCost"]))).toBe(spent);
  });

  it("keeps the block across a restart, and lifts it at start when a top-up came while it was down", async () => {
    await service.stop();
    service = await startService(stack);
    await waitFor("a live pass after the restart", () => service.health().liveLimit.ready);
    expect(service.record(escrowSub.id)?.liveBlock).toBe("escrow");
    expect((await stack.client.keyInfo(escrowSub.key)).blocked).toBe(true);
    expect((await call(escrowSub.key)).status).toBe(401);

    await service.stop();
    await sendTransaction(stack.ctx, subscriptionsTopUp, { id: escrowSub.id, amount: "1.0" }, keyAuthorization(customer));
    service = await startService(stack);
    await waitFor("live block lifted by the top-up", () => service.record(escrowSub.id)?.liveBlock === null);
    await waitFor("key unblocked", async () => (await stack.client.keyInfo(escrowSub.key)).blocked === false);
    expect((await call(escrowSub.key)).status).toBe(200);
  });

  it("bills the settled usage as the mirror priced it, and prices only what is still pending", async () => {
    // Every call logged, and a block on Flow after the last one (a top-up): the window the report
    // settles (the latest one ended on Flow's clock) then holds every call.
    await new Promise((r) => setTimeout(r, 1500));
    await sendTransaction(stack.ctx, subscriptionsTopUp, { id: escrowSub.id, amount: "0.1" }, keyAuthorization(customer));
    const agg = new Aggregator(pricing);
    for await (const row of stack.client.iterateSpendLogs({ startDate: new Date(Date.now() - 3_600_000), endDate: new Date(Date.now() + 60_000) })) {
      if (row.metadata.user_api_key_alias?.startsWith(`ff-${escrowSub.id}`)) agg.add(row);
    }
    const { lines } = agg.result();
    const rows: { second: bigint; tokens: bigint }[] = [];
    for await (const row of stack.client.iterateSpendLogs({ startDate: new Date(Date.now() - 3_600_000), endDate: new Date(Date.now() + 60_000) })) {
      if (row.metadata.user_api_key_alias?.startsWith(`ff-${escrowSub.id}`)) rows.push({ second: BigInt(Math.floor(Date.parse(row.startTime) / 1000)), tokens: BigInt(row.total_tokens) });
    }
    await waitFor("every logged call priced", () => service.live.exposure(escrowSub.id)?.pendingTokens === lines.reduce((n, l) => n + l.tokens, 0n));
    const settledReport = await settleLines(stack.ctx, lines);
    const sealedAt = Date.now();
    const info = await onFlow(escrowSub.id);
    // One aggregated line: the contract charges the mirror's price of it, up to the escrow.
    const billed = cost(Number(lines[0]?.tokens ?? 0n));
    const deposited = parseUFix64(info.deposited);
    expect(parseUFix64(info.spent)).toBe(billed < deposited ? billed : deposited);
    // Usage of the (1-s) windows the report covers is in Flow's state now; later windows stay
    // pending (the emulator's sealed clock may lag the last call by a block, or by all of them).
    // Checked on a pass that began after the settlement sealed: when every call is later than the
    // window, the figures before and after it are the same pending tokens.
    const later = rows.filter((r) => r.second > settledReport.window).reduce((n, r) => n + r.tokens, 0n);
    await waitFor("a live pass begun after the settlement", () => Date.parse(service.health().liveLimit.lastPassAt ?? "") > sealedAt);
    expect(service.live.exposure(escrowSub.id)?.pendingTokens).toBe(later);
    expect(service.live.exposure(escrowSub.id)?.escrowLeft).toBe(parseUFix64(info.balance) - cost(Number(later), Number(info.periodTokens)));
  });

  it("refuses a key whose pending usage reaches its period cap, and accepts it again after a cap raise", async () => {
    const sub = await open({ deposit: "10.0", cap: "0.5" });
    const { served, refused } = await burn(sub.key);
    const spent = cost(total(served));
    const oneCall = cost(served[0]?.tokens ?? 0);
    expect(refused.status).toBe(429);
    expect(spent).toBeGreaterThan(parseUFix64("0.5") - oneCall);
    expect(spent).toBeLessThanOrEqual(parseUFix64("0.5") + oneCall);
    await waitFor("live block (cap)", () => service.record(sub.id)?.liveBlock === "cap");
    await waitFor("key blocked", async () => (await stack.client.keyInfo(sub.key)).blocked === true);
    expect((await onFlow(sub.id)).status).toBe("Active");

    await sendTransaction(stack.ctx, subscriptionsUpdateSubscription, { id: sub.id, maxBudgetPerPeriod: "1.0", allowedModels: ["gpt-4"] }, keyAuthorization(customer));
    await waitFor("live block lifted by the cap raise", () => service.record(sub.id)?.liveBlock === null);
    await waitFor("key unblocked", async () => (await stack.client.keyInfo(sub.key)).blocked === false);
    expect((await call(sub.key)).status).toBe(200);
  });

  it("lifts a cap block when a new period begins, with no event and no settlement", async () => {
    const admin = keyAuthorization(serviceSigner());
    // The contract's shortest period (60 s), so the test sees one end.
    await sendTransaction(stack.ctx, subscriptionsAdminSetPeriod, { seconds: "60.0" }, admin);
    try {
      const sub = await open({ deposit: "10.0", cap: "0.2" });
      const { refused } = await burn(sub.key);
      expect(refused.status).toBe(429);
      await waitFor("live block (cap)", () => service.record(sub.id)?.liveBlock === "cap");
      const periodEnd = Number((await onFlow(sub.id)).periodEnd) * 1000;
      await waitFor("live block lifted by the new period", () => service.record(sub.id)?.liveBlock === null, 120_000);
      expect(Date.now()).toBeGreaterThanOrEqual(periodEnd);
      await waitFor("key unblocked", async () => (await stack.client.keyInfo(sub.key)).blocked === false);
      // LiteLLM's minute may still hold the burst for a moment (429); then the key serves again.
      await waitFor("a call served in the new period", async () => (await call(sub.key)).status === 200, 20_000);
    } finally {
      await sendTransaction(stack.ctx, subscriptionsAdminSetPeriod, { seconds: "2592000.0" }, admin);
    }
  }, 200_000);
});
