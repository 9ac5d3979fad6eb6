import { DEFAULT_PRICING } from "../../pricing";
import { WINDOW_SECONDS } from "../../report/window";
import { liveOracleSettings } from "./live-oracles";
import type { FlowNetworkConfig } from "./types";

/** Flow mainnet. */
export const mainnet: FlowNetworkConfig = {
  name: "mainnet",
  accessNode: process.env.FLOW_ACCESS_NODE ?? "https://rest-mainnet.onflow.org",
  live: true,
  deployAccount: "mainnet-admin",
  settings: () => ({
    windowSeconds: WINDOW_SECONDS,
    oracles: liveOracleSettings(process.env),
    source: { chainId: 14n, evmNetwork: "flare" },
    pricing: DEFAULT_PRICING,
  }),
  walletDiscovery: "https://fcl-discovery.onflow.org/authn",
};
