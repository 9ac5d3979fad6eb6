/**
 * The live spending limit, measured (`npm run bench` runs it; alone:
 * `npx ts-node --transpile-only scripts/bench-live-limit.ts`).
 *
 * On a Flow emulator with the contracts, the local LiteLLM server at the dev stack's spend-log
 * delay (3 s) and a key service polling at the dev stack's 500 ms, a scripted customer calls its
 * key as fast as the server answers (one call at a time, ~400 GPT-4 tokens each) until the key is
 * blocked outright, or for a fixed time past the limit when nothing stops it. Four runs:
 *   escrow     a minimum deposit, no cap; the live limit on (tpm guard + polling);
 *   cap        10 FLOW and a 0.5 FLOW period cap; the live limit on;
 *   poll-only  as escrow, the key service's polling alone (no tpm guard);
 *   off        as escrow, no live limit: today's behaviour, a key stops only after settlement.
 * Printed per run: seconds from the moment the served calls' mirror cost crossed the limit to the
 * first refused call and to the outright block, the overshoot in FLOW and as a share of the
 * deposit, calls served after the crossing, and the call rate.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { FlowEmulator } from "../src/local/emulator";
import { waitFor } from "../src/local/wait";
import { flowNetwork } from "../src/config/networks";
import { deployFlow } from "../src/deploy/flow-deploy";
import { flowSigner } from "../src/deploy/flow-signer";
import { contractAddresses } from "../src/config/flow-json";
import { createLocalAccount } from "../src/local/accounts";
import { keyAuthorization, runScript, sendTransaction, type FlowContext, type KeySigner } from "../src/flow/runtime";
import { pricingGetPricing } from "../src/flow/generated/scripts";
import { subscriptionsCreateSubscription } from "../src/flow/generated/transactions";
import { LiteLLMAdminClient } from "../src/litellm";
import { startLiteLLMServer } from "../src/litellm-server";
import { KeyService } from "../src/keys";
import { createLogger } from "../src/log";
import { formatFlow, parseUFix64, pricingFromCadence, quoteUnits, type PricingConfig } from "../src/pricing";
import { BenchError, runMain } from "./errors";

const SPEND_LOG_DELAY_MS = 3_000;
const POLL_MS = 500;
/** How long a run goes on past the limit when nothing blocks the key. */
const PAST_LIMIT_MS = 2 * (SPEND_LOG_DELAY_MS + POLL_MS) + 3_000;
const PROMPT = "Count the words of this long request. ".repeat(60);
/** Waiting for a run's key and guard: polled closely, so the setup adds little before the calls start. */
const SETUP_POLL = { timeoutMs: 60_000, everyMs: 50 };

type Mode = "escrow" | "cap" | "poll-only" | "off";

interface Env {
  ctx: FlowContext;
  provider: KeySigner;
  customer: KeySigner;
  litellmUrl: string;
  client: LiteLLMAdminClient;
  pricing: PricingConfig;
  dir: string;
}

interface Call {
  at: number;
  status: number;
  tokens: number;
}

async function call(url: string, key: string): Promise<Call> {
  const res = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "gpt-4", messages: [{ role: "user", content: PROMPT }] }),
  });
  const body = (await res.json()) as { usage?: { total_tokens?: number } };
  return { at: Date.now(), status: res.status, tokens: body.usage?.total_tokens ?? 0 };
}

async function run(env: Env, mode: Mode): Promise<string> {
  const service = await KeyService.start({
    flow: env.ctx,
    provider: env.provider,
    litellm: env.client,
    encryptionKey: randomBytes(32),
    stateDir: path.join(env.dir, `key-service-${mode}`),
    startHeight: 0,
    pollIntervalMs: POLL_MS,
    logger: createLogger("key-service", { level: "error" }),
    liveLimit: { enabled: mode !== "off", guard: mode !== "poll-only", lookbackMs: SPEND_LOG_DELAY_MS + 5_000 },
  });
  try {
    const deposit = mode === "cap" ? parseUFix64("10.0") : (env.pricing.minimumDeposit ?? parseUFix64("1.0"));
    const cap = mode === "cap" ? parseUFix64("0.5") : null;
    const limit = cap ?? deposit;
    const sealed = await sendTransaction(
      env.ctx,
      subscriptionsCreateSubscription,
      { provider: env.provider.address, deposit: formatFlow(deposit), maxBudgetPerPeriod: cap === null ? null : formatFlow(cap), allowedModels: ["gpt-4"] },
      keyAuthorization(env.customer),
    );
    const id = String((sealed.events.find((e) => e.type.endsWith(".SubscriptionCreated"))?.data as { id?: unknown } | undefined)?.id);
    await waitFor("the key", () => {
      const rec = service.record(id);
      const cur = rec?.keys[rec.keys.length - 1];
      return cur?.litellm === "live" && cur.flow === "attached";
    }, SETUP_POLL);
    if (mode !== "off" && mode !== "poll-only") {
      await waitFor("the tpm guard", async () => ((await env.client.findKeyByAlias(`ff-${id}`))?.tpm_limit ?? 0) > 0, SETUP_POLL);
    }
    const key = service.reveal(id).key;

    const calls: Call[] = [];
    let spent = 0n;
    let position = 0n;
    let crossedAt: number | null = null;
    const started = Date.now();
    for (;;) {
      const c = await call(env.litellmUrl, key);
      calls.push(c);
      if (c.status === 200) {
        spent += quoteUnits(env.pricing, "gpt-4", BigInt(c.tokens), position);
        position += BigInt(c.tokens);
        if (crossedAt === null && spent >= limit) crossedAt = c.at;
      }
      if (c.status === 401) break; // blocked outright
      if (crossedAt !== null && Date.now() - crossedAt > PAST_LIMIT_MS) break;
      if (Date.now() - started > 120_000) throw new BenchError(`${mode}: the limit was never reached`);
      // A refused call (429) comes back at once: wait a little rather than spin.
      if (c.status !== 200) await new Promise((r) => setTimeout(r, 5));
    }
    const served = calls.filter((c) => c.status === 200);
    const firstRefusal = calls.find((c) => c.status !== 200);
    const blocked = calls.find((c) => c.status === 401);
    // Crossing: the served call whose cost took the total to the limit (or the refusal, when the
    // guard refused the call that would have crossed it).
    const crossing = crossedAt ?? firstRefusal?.at ?? Date.now();
    const after = served.filter((c) => c.at > crossing).length;
    const overshoot = spent > limit ? spent - limit : 0n;
    const seconds = (t: number | undefined) => (t === undefined ? "never" : `${Math.max(0, (t - crossing) / 1000).toFixed(2)} s`);
    const rate = (served.length / Math.max(0.001, ((served[served.length - 1]?.at ?? started) - started) / 1000)).toFixed(0);
    return (
      `live limit ${mode}: first refusal ${seconds(firstRefusal?.at)}${firstRefusal ? ` (${firstRefusal.status})` : ""}, blocked ${seconds(blocked?.at)}; ` +
      `overshoot ${formatFlow(overshoot)} FLOW (${((Number(overshoot) / Number(deposit)) * 100).toFixed(2)} % of the ${formatFlow(deposit)} FLOW deposit, ${((Number(overshoot) / Number(limit)) * 100).toFixed(2)} % of the limit); ` +
      `${after} served after the crossing; ${served.length} served at ${rate}/s; limit ${formatFlow(limit)} FLOW`
    );
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  const modes = (process.argv.slice(2).filter((a) => !a.startsWith("-")) as Mode[]).filter((m) => ["escrow", "cap", "poll-only", "off"].includes(m));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-bench-live-"));
  process.stderr.write("[bench live limit] starting the emulator and the LiteLLM server...\n");
  const emulator = await FlowEmulator.start({ onLog: () => undefined });
  const masterKey = `sk-master-${randomBytes(8).toString("hex")}`;
  const litellm = await startLiteLLMServer({ masterKey, spendLogDelayMs: SPEND_LOG_DELAY_MS });
  try {
    await deployFlow({ network: flowNetwork("emulator"), accessNode: emulator.restUrl, signer: flowSigner(flowNetwork("emulator")), yes: false, log: () => undefined, deploymentsDir: path.join(dir, "deployments") });
    const ctx: FlowContext = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", "0xf8d6e0586b0a20c7") };
    const env: Env = {
      ctx,
      provider: await createLocalAccount(ctx, "10.0"),
      customer: await createLocalAccount(ctx, "1000.0"),
      litellmUrl: litellm.url,
      client: new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: masterKey }, baseUrl: litellm.url }),
      pricing: pricingFromCadence(await runScript(ctx, pricingGetPricing, {})),
      dir,
    };
    console.log(`spend-log delay ${SPEND_LOG_DELAY_MS / 1000} s, poll ${POLL_MS / 1000} s: goal first refusal within ${(2 * (SPEND_LOG_DELAY_MS + POLL_MS)) / 1000} s, overshoot < 2 %`);
    for (const mode of modes.length > 0 ? modes : (["escrow", "cap", "poll-only", "off"] as const)) {
      process.stderr.write(`[bench live limit] ${mode}...\n`);
      console.log(await run(env, mode));
    }
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    await litellm.stop();
    await emulator.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain("bench-live-limit", main);
