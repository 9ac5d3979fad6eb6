import { emulator } from "./emulator";
import { mainnet } from "./mainnet";
import { testnet } from "./testnet";
import type { FlowNetworkConfig } from "./types";

export * from "./types";
export { evmNetwork, evmNetworks } from "./evm";

const flowNetworks: Record<FlowNetworkConfig["name"], FlowNetworkConfig> = { emulator, testnet, mainnet };

/** The Flow network named on a command line; a clear error for anything else. */
export function flowNetwork(name: string): FlowNetworkConfig {
  const config = (flowNetworks as Record<string, FlowNetworkConfig | undefined>)[name];
  if (!config) throw new Error(`unknown Flow network "${name}" (expected ${Object.keys(flowNetworks).join(", ")})`);
  return config;
}
