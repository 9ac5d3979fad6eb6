/**
 * Runs the local LiteLLM-compatible server.
 *
 *   LITELLM_MASTER_KEY=sk-... npx ts-node scripts/litellm-server.ts --port 4000 \
 *     [--state-file .flareflow/litellm-state.json] [--spend-log-delay-ms 10000]
 *
 * The master key comes from the environment only, never from the command line
 * (argv is visible to every process on the machine).
 */
import { startLiteLLMServer } from "../src/litellm-server";
import { formatError } from "../src/errors";
import { exitOnSignal } from "../src/local/process";
import { createLogger } from "../src/log";

const log = createLogger("litellm-server", { secrets: [process.env["LITELLM_MASTER_KEY"]] });

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function intArg(name: string, def: number): number {
  const raw = arg(name);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const masterKey = process.env["LITELLM_MASTER_KEY"];
  if (masterKey === undefined || !masterKey.startsWith("sk-")) {
    console.error("LITELLM_MASTER_KEY must be set in the environment and start with sk-");
    process.exit(2);
  }
  const server = await startLiteLLMServer({
    port: intArg("port", 4000),
    masterKey,
    stateFile: arg("state-file"),
    spendLogDelayMs: intArg("spend-log-delay-ms", 10_000),
  });
  log.info(`local LiteLLM server listening on ${server.url}`);
  exitOnSignal(() => server.stop());
}

main().catch((e: unknown) => {
  log.fatal(`local LiteLLM server failed to start: ${formatError(e)}`);
  process.exit(1);
});
