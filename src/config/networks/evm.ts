import { WINDOW_SECONDS } from "../../report/window";
import type { EvmNetworkConfig } from "./types";

const COSTON2_CHAIN_ID = 114;
const FLARE_CHAIN_ID = 14;
const HARDHAT_CHAIN_ID = 31337;

/** The EVM networks of hardhat.config.ts, with what the project needs to know of each. */
const LOCAL_PUBLISHER = process.env.FLAREFLOW_PUBLISHER_URL ?? "http://127.0.0.1:8790";
const LIVE_PUBLISHER = process.env.FLAREFLOW_PUBLISHER_URL;
const LOCAL_WINDOW_SECONDS = Number(process.env.FLAREFLOW_WINDOW_SECONDS ?? WINDOW_SECONDS);

export const evmNetworks: Record<EvmNetworkConfig["name"], EvmNetworkConfig> = {
  hardhat: { name: "hardhat", chainId: HARDHAT_CHAIN_ID, live: false, fdcHarness: true, publisherBaseUrl: LOCAL_PUBLISHER, windowSeconds: LOCAL_WINDOW_SECONDS },
  localhost: { name: "localhost", chainId: HARDHAT_CHAIN_ID, live: false, fdcHarness: true, publisherBaseUrl: LOCAL_PUBLISHER, windowSeconds: LOCAL_WINDOW_SECONDS },
  coston2: { name: "coston2", chainId: COSTON2_CHAIN_ID, live: true, fdcHarness: false, publisherBaseUrl: LIVE_PUBLISHER, windowSeconds: WINDOW_SECONDS },
  flare: { name: "flare", chainId: FLARE_CHAIN_ID, live: true, fdcHarness: false, publisherBaseUrl: LIVE_PUBLISHER, windowSeconds: WINDOW_SECONDS },
};

/** The EVM network Hardhat runs on; a clear error for a name hardhat.config.ts lacks. */
export function evmNetwork(name: string): EvmNetworkConfig {
  const config = (evmNetworks as Record<string, EvmNetworkConfig | undefined>)[name];
  if (!config) throw new Error(`unknown EVM network "${name}" (expected ${Object.keys(evmNetworks).join(", ")})`);
  return config;
}
