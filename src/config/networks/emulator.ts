import { LOCAL_ORACLE_PUBLIC_KEYS } from "../local-oracles";
import { DEFAULT_PRICING, parseUFix64 } from "../../pricing";
import { evmNetworks } from "./evm";
import type { FlowNetworkConfig } from "./types";

const LOCAL_THRESHOLD = 2;

/** The emulator's REST API on its default port (FLOW_ACCESS_NODE moves it). */
export const EMULATOR_ACCESS_NODE = "http://127.0.0.1:8888";

/** The local Flow emulator (the dev stack or a test's own), paired with the local Hardhat node. */
export const emulator: FlowNetworkConfig = {
  name: "emulator",
  accessNode: process.env.FLOW_ACCESS_NODE ?? EMULATOR_ACCESS_NODE,
  live: false,
  deployAccount: "emulator-account",
  walletDiscovery: process.env.FLOW_WALLET_DISCOVERY ?? "http://127.0.0.1:8701/fcl/authn",
  settings: () => ({
    windowSeconds: evmNetworks.localhost.windowSeconds,
    oracles: { publicKeys: LOCAL_ORACLE_PUBLIC_KEYS, threshold: LOCAL_THRESHOLD },
    source: { chainId: BigInt(evmNetworks.localhost.chainId), evmNetwork: "localhost" },
    // The lowest bounds the contracts allow, so a local customer can drain an escrow in a few
    // requests and an admin's price rise shows within the hour.
    pricing: { ...DEFAULT_PRICING, minimumDeposit: parseUFix64("0.01"), noticePeriod: 3_600n },
  }),
};
