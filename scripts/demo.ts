/**
 * `npm run demo`: a scripted customer on the running stack (`npm run dev`): subscribe, receive
 * the key, send chat completions through LiteLLM, wait for attestation and billing, print the
 * bill by model family as Flow settled it. The customer's client log (every response's id and
 * usage, JSON Lines) and the customer's local key go to .flareflow/dev/demo/, for
 * `npm run verify-bill -- --subscription N --client-log ... --key-file ...`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { subscriptionApi } from "../src/api/subscriptions";
import { keyAuthorization, runScript, type FlowContext } from "../src/flow/runtime";
import { subscriptionsGetSubscription } from "../src/flow/generated/scripts";
import { createLocalAccount } from "../src/local/accounts";
import { chargedEvents, chat, pendingUsage, revealKey, sealedHeight } from "../src/local/customer";
import { repoRoot } from "../src/local/flow-binary";
import { until } from "../src/local/wait";
import { formatFlow, parseUFix64 } from "../src/pricing";
import { formatError } from "../src/errors";
import { LocalStackError } from "../src/local/errors";

const WAIT_SECONDS = 170;
const CALLS: [string, number][] = [
  ["gpt-4", 3],
  ["claude-3-sonnet", 3],
  ["gpt-3.5-turbo", 2],
  ["llama-3-70b", 2],
];

interface StackFile {
  flow: FlowContext;
  provider: { address: string };
  keyServiceUrl: string;
  litellmUrl: string;
}

function readStack(): StackFile {
  const file = path.join(repoRoot(), ".flareflow/dev/stack.json");
  if (!fs.existsSync(file)) throw new LocalStackError("no running stack: start it with `npm run dev` in another terminal");
  return JSON.parse(fs.readFileSync(file, "utf8")) as StackFile;
}

const step = (start: number, text: string) => console.log(`[${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s] ${text}`);

async function main(): Promise<void> {
  const start = Date.now();
  const stack = readStack();
  await sealedHeight(stack.flow.accessNode).catch(() => {
    throw new LocalStackError(`the Flow emulator at ${stack.flow.accessNode} does not answer: is npm run dev running?`);
  });

  const customer = await createLocalAccount(stack.flow, "100.0");
  step(start, `customer account ${customer.address} (100 FLOW)`);
  const api = subscriptionApi({ ...stack.flow, customer: keyAuthorization(customer), customerAddress: customer.address });
  const fromHeight = await sealedHeight(stack.flow.accessNode);
  const { vaultId } = await api.createSubscriptionVault(stack.provider.address, "20.0", customer.address);
  step(start, `subscription #${vaultId} with provider ${stack.provider.address}: 20 FLOW escrowed`);

  // The customer's own records: the key (a local emulator account) to sign for their leaves, and
  // the client log every OpenAI-compatible client can keep.
  const demoDir = path.join(repoRoot(), ".flareflow/dev/demo");
  fs.mkdirSync(demoDir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(demoDir, `customer-${vaultId}.json`);
  fs.writeFileSync(keyFile, `${JSON.stringify(customer)}\n`, { mode: 0o600 });
  const logFile = path.join(demoDir, `client-log-${vaultId}.jsonl`);
  fs.writeFileSync(logFile, "");

  const key = await revealKey(stack.keyServiceUrl, customer, vaultId);
  step(start, `key received from the key service: ${key.slice(0, 6)}…${key.slice(-4)} (its sha256 is on Flow)`);

  let sent = 0;
  for (const [model, times] of CALLS) {
    for (let i = 0; i < times; i++) {
      // The first call to each model streams (Server-Sent Events, usage in the last chunk).
      const result = await chat(stack.litellmUrl, key, model, `Demo request ${i + 1} to ${model}: explain FlareFlow billing in one paragraph.`, { stream: i === 0 });
      if (result.status !== 200) throw new LocalStackError(`LiteLLM refused ${model}: ${result.status} ${result.errorType ?? ""}`);
      if (result.logEntry) fs.appendFileSync(logFile, `${JSON.stringify(result.logEntry)}\n`);
      sent += result.totalTokens;
    }
  }
  step(start, `${CALLS.reduce((n, [, t]) => n + t, 0)} chat completions sent (${CALLS.length} of them streamed), ${sent} tokens`);

  let pendingShown = false;
  const charged = await until(
    "the usage to be billed on Flow (see .flareflow/dev/logs/connector.log)",
    async () => {
      if (!pendingShown) {
        const pending = await pendingUsage(stack.keyServiceUrl, customer, vaultId).catch(() => undefined);
        if (pending && pending.usage_summary.total_tokens > 0) {
          step(start, `pending (LiteLLM): ${pending.usage_summary.total_tokens} tokens in ${pending.usage_summary.total_requests} requests`);
          pendingShown = true;
        }
      }
      const events = (await chargedEvents(stack.flow, fromHeight, await sealedHeight(stack.flow.accessNode))).filter((e) => e.id === vaultId);
      return events.reduce((n, e) => n + e.tokens, 0n) >= BigInt(sent) ? events : undefined;
    },
    { timeoutMs: WAIT_SECONDS * 1000, everyMs: 2000 },
  );
  const billedTokens = charged.reduce((n, e) => n + e.tokens, 0n);
  const info = await runScript(stack.flow, subscriptionsGetSubscription, { id: vaultId });
  step(start, `verified on Flow: ${billedTokens} tokens billed in ${new Set(charged.map((e) => e.window)).size} window(s)`);
  console.log("\nBill by model family (what FlareFDCTriggers charged after Flare's attestation):");
  const byFamily = new Map<string, { tokens: bigint; cost: bigint }>();
  for (const e of charged) {
    const row = byFamily.get(e.family || "(default)") ?? { tokens: 0n, cost: 0n };
    row.tokens += e.tokens;
    row.cost += parseUFix64(e.charged);
    byFamily.set(e.family || "(default)", row);
  }
  for (const [family, row] of byFamily) console.log(`  ${family.padEnd(10)} ${row.tokens.toString().padStart(8)} tokens  ${formatFlow(row.cost).padStart(12)} FLOW`);
  const total = [...byFamily.values()].reduce((n, r) => n + r.cost, 0n);
  console.log(`  ${"total".padEnd(10)} ${billedTokens.toString().padStart(8)} tokens  ${formatFlow(total).padStart(12)} FLOW`);
  console.log(`  escrow left: ${info?.balance} FLOW of 20.0\n`);
  console.log("Check this bill from public data, request by request:");
  console.log(`  npm run verify-bill -- --subscription ${vaultId} --client-log ${path.relative(process.cwd(), logFile)} --key-file ${path.relative(process.cwd(), keyFile)}\n`);
  step(start, "done");
}

main().catch((error: unknown) => {
  console.error(`npm run demo failed: ${formatError(error)}`);
  process.exit(1);
});
