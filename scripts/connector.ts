/**
 * The connector runner.
 *   npm run connector -- run [--network local|coston2]     every closed window, until Ctrl-C
 *   npm run connector -- once [--network ...]              what can be done now, then exit
 *   npm run connector -- status [--network ...]            each window's stage
 *   npm run connector -- publish [--network ...]           only the report publisher
 * Configuration: src/connector/config.ts (environment variables listed there and in the README).
 * The publisher needs none of it but the state directory (FLAREFLOW_CONNECTOR_STATE) and
 * FLAREFLOW_PUBLISHER_HOST / FLAREFLOW_PUBLISHER_PORT: it holds no secret.
 * `status` prints a table; the other commands log JSON lines (src/log.ts).
 */
import { ConnectorError } from "../src/connector/errors";
import { publisherOptionsFromEnv, startPublisher } from "../src/connector/publish";
import { defaultStateDir } from "../src/connector/state-dir";
import { statusLines } from "../src/connector/status";
import { formatError } from "../src/errors";
import { createLogger } from "../src/log";

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const command = process.argv[2] ?? "run";
  const network = option("--network", process.env.FLAREFLOW_CONNECTOR_NETWORK ?? "local");
  if (network !== "local" && network !== "coston2") throw new ConnectorError("config", `unknown connector network "${network}" (expected local or coston2)`);
  if (command === "status") {
    for (const line of statusLines(defaultStateDir(network))) console.log(line);
    return;
  }
  if (command === "publish") {
    const stateDir = defaultStateDir(network);
    const log = createLogger("publisher");
    const publisher = await startPublisher({ ...publisherOptionsFromEnv(stateDir, process.env), log });
    log.info(`publisher: serving ${stateDir}/published at ${publisher.url}, each file checked against its window's recorded digest`);
    return;
  }
  // Loaded only here: the publisher and status need none of the pipeline (nor its keys).
  const { connectorConfig, connectorSecrets } = await import("../src/connector/config");
  const { Connector } = await import("../src/connector/pipeline");
  const config = connectorConfig(network);
  const log = createLogger("connector", { secrets: connectorSecrets(config) });
  const connector = new Connector(config, { log });
  await connector.init();
  const spendLogs = config.litellm.database ? `LiteLLM's database ${config.litellm.database.display}` : `LiteLLM's API ${config.litellm.url}`;
  // The local stack waits for this line (src/local/stack.ts).
  log.info(`connector: ${network}, ${config.windowSeconds}-s windows, spend logs from ${spendLogs}, publisher ${config.publisher.baseUrl}, state ${config.stateDir}`);
  if (command === "once") {
    const result = await connector.tick();
    if (result.waiting) log.info(result.waiting);
    await connector.close();
    return;
  }
  if (command !== "run") throw new ConnectorError("config", `unknown command ${command} (run, once, status, publish)`);
  const abort = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort.abort());
  await connector.run(abort.signal);
  await connector.close();
}

main().catch((error: unknown) => {
  createLogger("connector").fatal(`connector: ${formatError(error)}`);
  process.exit(error instanceof ConnectorError && error.kind === "config" ? 2 : 1);
});
