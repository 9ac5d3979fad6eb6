import { LOCAL_ORACLE_PUBLIC_KEYS } from "../local-oracles";
import { DEFAULT_PRICING, parseUFix64 } from "../../pricing";
import { FLOW_ENDPOINTS } from "../endpoints";
import { evmNetworks } from "./evm";
import type { FlowNetworkConfig } from "./types";

const LOCAL_THRESHOLD = 2;

/** The local Flow emulator (the dev stack or a test's own), paired with the local Hardhat node. */
export const emulator: FlowNetworkConfig = {
  name: "emulator",
  accessNode: process.env.FLOW_ACCESS_NODE ?? FLOW_ENDPOINTS.emulator.accessNode,
  live: false,
  deployAccount: "emulator-account",
  walletDiscovery: process.env.FLOW_WALLET_DISCOVERY ?? FLOW_ENDPOINTS.emulator.walletDiscovery,
  settings: () => ({
    windowSeconds: evmNetworks.localhost.windowSeconds,
    oracles: { publicKeys: LOCAL_ORACLE_PUBLIC_KEYS, threshold: LOCAL_THRESHOLD },
    source: { chainId: BigInt(evmNetworks.localhost.chainId), evmNetwork: "localhost" },
    // The lowest bounds the contracts allow, so a local customer can drain an escrow in a few
    // requests and an admin's price rise shows within the hour.
    pricing: { ...DEFAULT_PRICING, minimumDeposit: parseUFix64("0.01"), noticePeriod: 3_600n },
  }),
};
