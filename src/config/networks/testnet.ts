import type { FlowNetworkConfig } from "./types";

/** Flow testnet. */
export const testnet: FlowNetworkConfig = {
  name: "testnet",
  accessNode: process.env.FLOW_ACCESS_NODE ?? "https://rest-testnet.onflow.org",
  live: true,
  deployAccount: "testnet-admin",
  walletDiscovery: "https://fcl-discovery.onflow.org/testnet/authn",
};
