import { DEFAULT_PRICING } from "../../pricing";
import { WINDOW_SECONDS } from "../../report/window";
import { liveOracleSettings } from "./live-oracles";
import type { FlowNetworkConfig } from "./types";

/** Flow testnet. */
export const testnet: FlowNetworkConfig = {
  name: "testnet",
  accessNode: process.env.FLOW_ACCESS_NODE ?? "https://rest-testnet.onflow.org",
  live: true,
  deployAccount: "testnet-admin",
  settings: () => ({
    windowSeconds: WINDOW_SECONDS,
    oracles: liveOracleSettings(process.env),
    source: { chainId: 114n, evmNetwork: "coston2" },
    pricing: DEFAULT_PRICING,
  }),
  walletDiscovery: "https://fcl-discovery.onflow.org/testnet/authn",
};
