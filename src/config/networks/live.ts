import { DEFAULT_PRICING } from "../../pricing";
import { FLOW_ENDPOINTS } from "../endpoints";
import { evmNetworks } from "./evm";
import { liveOracleSettings } from "./live-oracles";
import type { FlowNetworkConfig } from "./types";

/**
 * A live Flow network, paired with the EVM network its oracles attest from: both take the window
 * length and the chain id from that EVM network's config, so the two sides cannot disagree.
 */
export function liveFlowNetwork(name: "testnet" | "mainnet", evm: "coston2" | "flare"): FlowNetworkConfig {
  const source = evmNetworks[evm];
  return {
    name,
    accessNode: process.env.FLOW_ACCESS_NODE ?? FLOW_ENDPOINTS[name].accessNode,
    live: true,
    deployAccount: `${name}-admin`,
    walletDiscovery: FLOW_ENDPOINTS[name].walletDiscovery,
    settings: () => ({
      windowSeconds: source.windowSeconds,
      oracles: liveOracleSettings(process.env),
      source: { chainId: BigInt(source.chainId), evmNetwork: evm },
      pricing: DEFAULT_PRICING,
    }),
  };
}
