import { DEV_PORTS } from "../endpoints";
import type { EvmNetworkConfig } from "./types";
import { LIVE_WINDOW_SECONDS, localWindowSeconds } from "./window-length";
import { ConfigError } from "../errors";

export const COSTON2_CHAIN_ID = 114;
export const FLARE_CHAIN_ID = 14;
/** Hardhat's built-in network and `hardhat node`. */
export const HARDHAT_CHAIN_ID = 31337;

const LOCAL_PUBLISHER = process.env.FLAREFLOW_PUBLISHER_URL ?? `http://127.0.0.1:${DEV_PORTS.publisher}`;
const LIVE_PUBLISHER = process.env.FLAREFLOW_PUBLISHER_URL;

/** The live networks' public JSON-RPC endpoints, each moved by its own variable. */
export function liveRpcUrl(name: "coston2" | "flare", env: Readonly<Record<string, string | undefined>> = process.env): string {
  return name === "coston2"
    ? env.COSTON2_RPC_URL ?? "https://coston2-api.flare.network/ext/C/rpc"
    : env.FLARE_RPC_URL ?? "https://flare-api.flare.network/ext/C/rpc";
}

/** The EVM networks of hardhat.config.ts, with what the project needs to know of each. */
export const evmNetworks: Record<EvmNetworkConfig["name"], EvmNetworkConfig> = {
  // Read when asked, so that a bad FLAREFLOW_WINDOW_SECONDS stops what uses it, not every import.
  hardhat: { name: "hardhat", chainId: HARDHAT_CHAIN_ID, live: false, fdcHarness: true, publisherBaseUrl: LOCAL_PUBLISHER, get windowSeconds() { return localWindowSeconds(); } },
  localhost: { name: "localhost", chainId: HARDHAT_CHAIN_ID, live: false, fdcHarness: true, publisherBaseUrl: LOCAL_PUBLISHER, get windowSeconds() { return localWindowSeconds(); } },
  coston2: { name: "coston2", chainId: COSTON2_CHAIN_ID, live: true, fdcHarness: false, publisherBaseUrl: LIVE_PUBLISHER, windowSeconds: LIVE_WINDOW_SECONDS },
  flare: { name: "flare", chainId: FLARE_CHAIN_ID, live: true, fdcHarness: false, publisherBaseUrl: LIVE_PUBLISHER, windowSeconds: LIVE_WINDOW_SECONDS },
};

/** The EVM network Hardhat runs on; a clear error for a name hardhat.config.ts lacks. */
export function evmNetwork(name: string): EvmNetworkConfig {
  const config = (evmNetworks as Record<string, EvmNetworkConfig | undefined>)[name];
  if (!config) throw new ConfigError(`unknown EVM network "${name}" (expected ${Object.keys(evmNetworks).join(", ")})`);
  return config;
}
