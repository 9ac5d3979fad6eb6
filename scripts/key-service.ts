/**
 * Runs the key service.
 *
 *   FLAREFLOW_PROVIDER_ADDRESS=0x... FLAREFLOW_PROVIDER_PRIVATE_KEY=... \
 *   FLAREFLOW_KEY_ENCRYPTION_KEY=$(openssl rand -hex 32) LITELLM_MASTER_KEY=sk-... \
 *   npx ts-node --transpile-only scripts/key-service.ts
 *
 * Every setting comes from the environment (see KEY_SERVICE_ENV in
 * src/keys/config.ts); secrets never go on the command line, where every
 * process on the machine can read them.
 */
import { KEY_SERVICE_ENV, KeyService, KeyServiceConfigError, keyServiceLogger, keyServiceOptionsFromEnv } from "../src/keys";
import { LEAVES_ENV, leavesReaderFromEnv } from "../src/keys/leaves";
import { formatError } from "../src/errors";
import { exitOnSignal } from "../src/local/process";

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    console.log("key service; configured by the environment:");
    for (const [name, what] of Object.entries({ ...KEY_SERVICE_ENV, ...LEAVES_ENV })) console.log(`  ${name.padEnd(40)} ${what}`);
    return;
  }
  const service = await KeyService.start({ ...keyServiceOptionsFromEnv(), leaves: leavesReaderFromEnv(process.env) });
  exitOnSignal(() => service.stop());
}

main().catch((e: unknown) => {
  if (e instanceof KeyServiceConfigError) {
    console.error(formatError(e));
    process.exit(2);
  }
  keyServiceLogger().fatal(`key service failed to start: ${formatError(e)}`);
  process.exit(1);
});
