import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePorts, LocalStack } from "../../src/local/stack";
import { createLocalAccount } from "../../src/local/accounts";
import { chargedEvents, chat, customerKeyService, pendingUsage, revealKey, sealedHeight } from "../../src/local/customer";
import * as keyService from "../../src/keys/http/actions";
import { subscriptionApi } from "../../src/api/subscriptions";
import { keyAuthorization, runScript, sendTransaction, type KeySigner } from "../../src/flow/runtime";
import { pricingGetPricing, subscriptionsGetSubscription } from "../../src/flow/generated/scripts";
import { testingFlowBalance } from "../flow-generated/scripts";
import { subscriptionsFinishClose, subscriptionsTopUp } from "../../src/flow/generated/transactions";
import type { FlareFDCTriggers_SubscriptionCharged as Charged } from "../../src/flow/generated/types";
import { parseUFix64, pricingFromCadence, quoteUnits } from "../../src/pricing";
import { until, waitFor } from "../../src/local/wait";

/** The stack's services restart under these tests: a probe that throws has not been answered yet. */
const POLL = { everyMs: 1000, retryErrors: true };

// All five steps of DESIGN.md on a stack this test starts: Flow emulator, Hardhat node with the
// FDC harness, local LiteLLM server, Flare stand-in, key service, publisher, connector.
const WINDOW_SECONDS = 15;


describe("end to end: subscribe, key, use, attest, bill, suspend, top up, close", () => {
  let stack: LocalStack;
  let dir: string;
  let customer: KeySigner;
  let startHeight: number;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-e2e-"));
    stack = await LocalStack.start({
      ports: await freePorts(),
      windowSeconds: WINDOW_SECONDS,
      stateDir: dir,
      spendLogDelaySeconds: 1,
      web: false,
      log: () => undefined,
    });
    customer = await createLocalAccount(stack.info.flow, "100.0");
    startHeight = await sealedHeight(stack.info.accessNode);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const flow = () => stack.info.flow;
  const api = () => subscriptionApi({ ...flow(), customer: keyAuthorization(customer), customerAddress: customer.address });
  const balance = async (address: string) => parseUFix64(await runScript(flow(), testingFlowBalance, { account: address }));
  const subscription = async (id: bigint) => {
    const info = await runScript(flow(), subscriptionsGetSubscription, { id });
    if (!info) throw new Error(`no subscription ${id}`);
    return info;
  };
  const charges = async (id: bigint): Promise<Charged[]> =>
    (await chargedEvents(flow(), startHeight, await sealedHeight(stack.info.accessNode))).filter((e) => e.id === id);
  const billedTokens = async (id: bigint) => (await charges(id)).reduce((n, e) => n + e.tokens, 0n);

  let paid: bigint; // subscription A: the well-funded one
  let drained: bigint; // subscription B: runs out of escrow
  let keyA: string;
  let keyB: string;
  let loggedA = 0n;

  it("issues the key only once the subscription exists, and LiteLLM takes it", async () => {
    const early = await keyService.revealKey(customerKeyService(stack.info.keyServiceUrl, customer), { subscriptionId: 1n }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(keyService.KeyServiceError);
    expect((early as keyService.KeyServiceError).status).toBeGreaterThanOrEqual(400);
    expect((await chat(stack.info.litellmUrl, "sk-not-issued-by-anyone", "gpt-4", "hi")).status).toBeGreaterThanOrEqual(400);

    const providerBefore = await balance(stack.info.provider.address);
    paid = (await api().createSubscriptionVault(stack.info.provider.address, "30.0", customer.address)).vaultId;
    drained = (await api().createSubscriptionVault(stack.info.provider.address, "0.01", customer.address)).vaultId;
    keyA = await revealKey(stack.info.keyServiceUrl, customer, paid);
    keyB = await revealKey(stack.info.keyServiceUrl, customer, drained);
    expect(keyA).toMatch(/^sk-/);
    expect((await subscription(paid)).keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await balance(stack.info.provider.address)).toBe(providerBefore);

    const first = await chat(stack.info.litellmUrl, keyA, "gpt-4", "The first request of subscription A.");
    expect(first.status).toBe(200);
    loggedA += BigInt(first.totalTokens);
  }, 120_000);

  it("shows usage pending, then verified; survives the key service and the connector being killed", async () => {
    for (const [model, prompt, stream] of [
      ["claude-3-sonnet", "A second request, to Claude, streamed.", true],
      ["gpt-3.5-turbo", "A third, to GPT-3.5.", false],
      ["llama-3-70b", "A fourth, to Llama.", false],
    ] as const) {
      // The streamed call must be logged and billed like the others (issue 14, point 7).
      const result = await chat(stack.info.litellmUrl, keyA, model, prompt, { stream });
      expect(result.status).toBe(200);
      loggedA += BigInt(result.totalTokens);
    }
    // Key B calls until it is refused: the live limit stops it once its pending usage has used up
    // the 0.01 FLOW deposit, before Flow has billed (or even been sent) any of it.
    const drain: number[] = [];
    for (let i = 0; i < 20 && drain[drain.length - 1] !== 401; i++) {
      drain.push((await chat(stack.info.litellmUrl, keyB, "gpt-4", `Drain request ${i}, long enough to cost more than a quarter of the local minimum deposit. `.repeat(6))).status);
    }
    const servedB = drain.filter((s) => s === 200).length;
    expect(servedB).toBeGreaterThanOrEqual(2);
    expect(drain.findIndex((s) => s !== 200)).toBe(servedB); // nothing refused before the deposit was used up
    await waitFor("key B refused outright (blocked by the key service)", async () => (await chat(stack.info.litellmUrl, keyB, "gpt-4", "Still there?")).status === 401, { ...POLL, timeoutMs: 30_000 });
    expect(await charges(drained)).toEqual([]);
    expect((await subscription(drained)).status).toBe("Active");

    const pending = await until("pending usage", async () => {
      const usage = await pendingUsage(stack.info.keyServiceUrl, customer, paid);
      return BigInt(usage.usage_summary.total_tokens) === loggedA ? usage : undefined;
    }, { ...POLL, timeoutMs: 120_000 });
    expect(pending.model_breakdown["gpt-4"]?.requests).toBe(1);
    expect(await billedTokens(paid)).toBe(0n);

    // A crash of both services mid-stream: nothing may be lost or billed twice.
    await stack.processes.get("key-service")?.kill();
    await stack.processes.get("connector")?.kill();
    await new Promise((r) => setTimeout(r, 2000));
    await stack.processes.get("key-service")?.start();
    await stack.processes.get("connector")?.start();

    const billed = await until("verified usage of subscription A", async () => {
      const tokens = await billedTokens(paid);
      return tokens >= loggedA ? tokens : undefined;
    }, { ...POLL, timeoutMs: 180_000 });
    expect(billed).toBe(loggedA);
  }, 300_000);

  it("moves exactly the pricing mirror's price from the escrow to the provider", async () => {
    const config = await runScript(flow(), pricingGetPricing, {});
    const pricing = pricingFromCadence({ ...config, tiers: config.tiers.map((t) => ({ threshold: t.threshold.toString(), pricePer1K: t.pricePer1K })) });
    let periodTokens = 0n;
    let expected = 0n;
    for (const line of await charges(paid)) {
      const cost = quoteUnits(pricing, line.family, line.tokens, periodTokens);
      expect(parseUFix64(line.cost)).toBe(cost);
      expect(parseUFix64(line.charged)).toBe(cost);
      periodTokens += line.tokens;
      expected += cost;
    }
    expect(expected).toBeGreaterThan(0n);
    const info = await subscription(paid);
    expect(parseUFix64(info.spent)).toBe(expected);
    expect(parseUFix64(info.balance)).toBe(parseUFix64("30.0") - expected);
  });

  it("suspends a subscription whose escrow runs out, and LiteLLM then refuses its key", async () => {
    await waitFor("suspension of subscription B", async () => (await subscription(drained)).status === "Suspended", { ...POLL, timeoutMs: 180_000 });
    const info = await subscription(drained);
    expect(info.balance).toBe("0.00000000");
    expect(parseUFix64(info.spent)).toBe(parseUFix64("0.01"));
    // The bill of the drained subscription is still the mirror's: full price up to the escrow,
    // only paid tokens advancing the tiers.
    const config = await runScript(flow(), pricingGetPricing, {});
    const pricing = pricingFromCadence({ ...config, tiers: config.tiers.map((t) => ({ threshold: t.threshold.toString(), pricePer1K: t.pricePer1K })) });
    let position = 0n;
    let left = parseUFix64("0.01");
    for (const line of await charges(drained)) {
      const cost = quoteUnits(pricing, line.family, line.tokens, position);
      expect(parseUFix64(line.cost)).toBe(cost);
      expect(parseUFix64(line.charged)).toBe(cost < left ? cost : left);
      left -= parseUFix64(line.charged);
      position += line.paidTokens;
    }
    expect(left).toBe(0n);
    const refused = await until("the key service blocking key B", async () => {
      const result = await chat(stack.info.litellmUrl, keyB, "gpt-4", "Still there?");
      return result.status !== 200 ? result : undefined;
    }, { ...POLL, timeoutMs: 120_000 });
    expect(refused.status).toBeGreaterThanOrEqual(400);
  }, 240_000);

  it("lifts the suspension on a top-up, and the key works again", async () => {
    await sendTransaction(flow(), subscriptionsTopUp, { id: drained, amount: "5.0" }, keyAuthorization(customer));
    expect((await subscription(drained)).status).toBe("Active");
    const back = await until("key B unblocked", async () => {
      const result = await chat(stack.info.litellmUrl, keyB, "gpt-3.5-turbo", "Back after the top-up.");
      return result.status === 200 ? result : undefined;
    }, { ...POLL, timeoutMs: 120_000 });
    expect(back.totalTokens).toBeGreaterThan(0);
  }, 120_000);

  it("refunds exactly the unbilled rest on close, after the last window is billed", async () => {
    await api().deleteSubscription(paid);
    expect((await subscription(paid)).status).toBe("Closing");
    // Usage on another subscription makes a later window settle, which lets the close finish.
    const tokensB = await billedTokens(drained);
    expect((await chat(stack.info.litellmUrl, keyB, "llama-3-70b", "A request after A's close.")).status).toBe(200);
    await waitFor("a settlement after the close request", async () => (await billedTokens(drained)) > tokensB, { ...POLL, timeoutMs: 180_000 });
    const rest = parseUFix64((await subscription(paid)).balance);
    const before = await balance(customer.address);
    await sendTransaction(flow(), subscriptionsFinishClose, { id: paid }, keyAuthorization(customer));
    expect(await balance(customer.address)).toBe(before + rest);
    const closed = await subscription(paid);
    expect(closed.status).toBe("Closed");
    expect(closed.balance).toBe("0.00000000");
    expect(parseUFix64(closed.refunded)).toBe(rest);
    // Nothing was billed twice after the restarts: A's billed tokens are exactly its logged tokens.
    expect(await billedTokens(paid)).toBe(loggedA);
  }, 240_000);
});
