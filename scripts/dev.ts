/**
 * `npm run dev`: the whole stack on this machine (see src/local/stack.ts), with 30-second usage
 * windows, until Ctrl-C, which stops everything it started. LITELLM_URL and LITELLM_MASTER_KEY
 * point it at a real LiteLLM proxy instead of the local server.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalStack } from "../src/local/stack";
import { DEV_PORTS } from "../src/config/endpoints";
import { repoRoot } from "../src/local/flow-binary";
import { formatError } from "../src/errors";
import { sealedHeight } from "../src/local/customer";
import { DEV_WINDOW_SECONDS, localWindowSeconds } from "../src/config/networks";
import { LocalStackError } from "../src/local/errors";

const STATUS_EVERY_MS = 15_000;

async function status(stack: LocalStack): Promise<string> {
  const parts: string[] = [];
  try {
    parts.push(`flow height ${await sealedHeight(stack.info.accessNode)}`);
  } catch {
    parts.push("flow DOWN");
  }
  try {
    const health = (await (await fetch(`${stack.info.keyServiceUrl}/health`)).json()) as { status?: string; subscriptions?: number };
    parts.push(`key service ${health.status} (${health.subscriptions ?? 0} subscriptions)`);
  } catch {
    parts.push("key service DOWN");
  }
  const down = [...stack.processes.values()].filter((p) => !p.running).map((p) => p.spec.name);
  if (down.length > 0) parts.push(`stopped: ${down.join(", ")}`);
  return parts.join(" · ");
}

async function main(): Promise<void> {
  const stateDir = path.join(repoRoot(), ".flareflow", "dev");
  // The emulator starts empty each time: yesterday's journals would describe another chain.
  fs.rmSync(stateDir, { recursive: true, force: true });
  const external = process.env.LITELLM_URL;
  if (external && !process.env.LITELLM_MASTER_KEY) throw new LocalStackError("LITELLM_URL names a proxy: set LITELLM_MASTER_KEY too");
  const started = Date.now();
  const stack = await LocalStack.start({
    ports: DEV_PORTS,
    windowSeconds: localWindowSeconds(process.env, DEV_WINDOW_SECONDS),
    stateDir,
    litellm: external ? { url: external, masterKey: process.env.LITELLM_MASTER_KEY as string } : undefined,
    spendLogDelaySeconds: 3,
    web: true,
    log: (line) => console.log(`[dev] ${line}`),
  });
  const { info } = stack;
  console.log(`
FlareFlow local stack up in ${Math.round((Date.now() - started) / 1000)} s (logs in ${path.relative(repoRoot(), stateDir)}/logs):
  page            ${info.webUrl}
  dev wallet      ${info.walletUrl}
  Flow emulator   ${info.accessNode} (contracts at ${info.flow.addresses.SimpleUsageSubscriptions})
  provider        ${info.provider.address}
  LiteLLM         ${info.litellmUrl}/v1 (OpenAI-compatible; keys from the page)
  key service     ${info.keyServiceUrl}
  Hardhat (EVM)   ${info.hardhatUrl} (UsageReportVerifier ${info.verifierAddress})
  Flare stand-in  ${info.flareUrl}
  reports         ${info.publisherUrl}/reports/<window>
Everything listens on 127.0.0.1 only (flow-emulator's debugger excepted: README, "npm run dev");
the key service answers cross-origin only to the page. Ctrl-C stops everything. npm run demo runs a scripted customer against this stack.
`);
  fs.writeFileSync(path.join(stateDir, "stack.json"), JSON.stringify({ ...info, provider: { address: info.provider.address }, litellmMasterKey: undefined }, null, 2));
  const timer = setInterval(() => void status(stack).then((line) => console.log(`[status] ${line}`)), STATUS_EVERY_MS);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    console.log("[dev] stopping...");
    void stack.stop().then(() => {
      console.log("[dev] everything stopped");
      process.exit(0);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`npm run dev failed: ${formatError(error)}`);
  process.exit(1);
});
