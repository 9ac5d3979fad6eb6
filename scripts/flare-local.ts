/**
 * The local Flare stand-in services for `npm run dev`: Flare's Web2Json verifier server and DA
 * layer on one port, and the round engine finalizing voting rounds on the Hardhat node's FDC
 * harness. Environment: FLAREFLOW_EVM_RPC (default http://127.0.0.1:8545), FLARE_LOCAL_PORT
 * (8791), FLARE_VERIFIER_API_KEY (the X-API-KEY it accepts), FLARE_LOCAL_FAST_CLOCK=1 to jump
 * the chain's clock to each round's end instead of waiting 90 s.
 */
import { HARDHAT_DEV_KEYS, startFlareLocal } from "../src/flare-local";
import { formatError } from "../src/errors";
import { DEV_PORTS } from "../src/config/endpoints";
import { exitOnSignal } from "../src/local/process";
import { createLogger } from "../src/log";

// The harness owner is Hardhat's first dev account (local only).
const ownerKey = process.env.FLARE_LOCAL_OWNER_KEY ?? HARDHAT_DEV_KEYS[0];
const apiKey = process.env.FLARE_VERIFIER_API_KEY ?? "00000000-0000-0000-0000-000000000000";
const log = createLogger("flare-local", { secrets: [ownerKey, apiKey] });

async function main(): Promise<void> {
  const flare = await startFlareLocal({
    rpcUrl: process.env.FLAREFLOW_EVM_RPC ?? `http://127.0.0.1:${DEV_PORTS.hardhat}`,
    ownerKey,
    apiKey,
    log,
    port: Number(process.env.FLARE_LOCAL_PORT ?? DEV_PORTS.flare),
    fastClock: process.env.FLARE_LOCAL_FAST_CLOCK === "1",
  });
  log.info(`flare-local: verifier and DA layer at ${flare.url}`);
  exitOnSignal(() => flare.stop());
}

main().catch((error: unknown) => {
  log.fatal(`flare-local: ${formatError(error)}`);
  process.exit(1);
});
