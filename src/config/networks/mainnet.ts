import type { FlowNetworkConfig } from "./types";

/** Flow mainnet. */
export const mainnet: FlowNetworkConfig = {
  name: "mainnet",
  accessNode: process.env.FLOW_ACCESS_NODE ?? "https://rest-mainnet.onflow.org",
  live: true,
  deployAccount: "mainnet-admin",
  walletDiscovery: "https://fcl-discovery.onflow.org/authn",
};
