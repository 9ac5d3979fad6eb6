/**
 * The connector runner.
 *   npm run connector -- run [--network local|coston2]     every closed window, until Ctrl-C
 *   npm run connector -- once [--network ...]              what can be done now, then exit
 *   npm run connector -- status [--network ...]            each window's stage
 *   npm run connector -- publish [--network ...]           only the report publisher
 * Configuration: src/connector/config.ts (environment variables listed there and in the README).
 * The publisher needs none of it but the state directory (FLAREFLOW_CONNECTOR_STATE) and
 * FLAREFLOW_PUBLISHER_HOST / FLAREFLOW_PUBLISHER_PORT: it holds no secret.
 */
import { ConnectorError } from "../src/connector/errors";
import { publisherOptionsFromEnv, startPublisher } from "../src/connector/publish";
import { defaultStateDir } from "../src/connector/state-dir";
import { statusLines } from "../src/connector/status";
import { formatError } from "../src/errors";

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
    const publisher = await startPublisher(publisherOptionsFromEnv(stateDir, process.env));
    console.log(`publisher: serving ${stateDir}/published at ${publisher.url}, each file checked against its window's recorded digest`);
    return;
  }
  // Loaded only here: the publisher and status need none of the pipeline (nor its keys).
  const { connectorConfig } = await import("../src/connector/config");
  const { Connector } = await import("../src/connector/pipeline");
  const config = connectorConfig(network);
  const connector = new Connector(config);
  await connector.init();
  const spendLogs = config.litellm.database ? `LiteLLM's database ${config.litellm.database.display}` : `LiteLLM's API ${config.litellm.url}`;
  console.log(`connector: ${network}, ${config.windowSeconds}-s windows, spend logs from ${spendLogs}, publisher ${config.publisher.baseUrl}, state ${config.stateDir}`);
  if (command === "once") {
    const result = await connector.tick();
    if (result.waiting) console.log(result.waiting);
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
  console.error(`connector: ${formatError(error)}`);
  process.exit(error instanceof ConnectorError && error.kind === "config" ? 2 : 1);
});
