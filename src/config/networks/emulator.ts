import type { FlowNetworkConfig } from "./types";

/** The local Flow emulator (the dev stack or a test's own). */
export const emulator: FlowNetworkConfig = {
  name: "emulator",
  accessNode: process.env.FLOW_ACCESS_NODE ?? "http://127.0.0.1:8888",
  live: false,
  deployAccount: "emulator-account",
  walletDiscovery: process.env.FLOW_WALLET_DISCOVERY ?? "http://127.0.0.1:8701/fcl/authn",
};
