import { emulator } from "./emulator";
import { liveFlowNetwork } from "./live";
import type { FlowNetworkConfig } from "./types";
import { ConfigError } from "../errors";

export * from "./types";
export { COSTON2_CHAIN_ID, FLARE_CHAIN_ID, HARDHAT_CHAIN_ID, evmNetwork, evmNetworks, liveRpcUrl } from "./evm";
export { DEV_WINDOW_SECONDS, LIVE_WINDOW_SECONDS, localWindowSeconds } from "./window-length";

const flowNetworks: Record<FlowNetworkConfig["name"], FlowNetworkConfig> = {
  emulator,
  testnet: liveFlowNetwork("testnet", "coston2"),
  mainnet: liveFlowNetwork("mainnet", "flare"),
};

/** The Flow network named on a command line; a clear error for anything else. */
export function flowNetwork(name: string): FlowNetworkConfig {
  const config = (flowNetworks as Record<string, FlowNetworkConfig | undefined>)[name];
  if (!config) throw new ConfigError(`unknown Flow network "${name}" (expected ${Object.keys(flowNetworks).join(", ")})`);
  return config;
}
