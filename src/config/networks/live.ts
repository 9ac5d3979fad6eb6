import { DEFAULT_PRICING } from "../../pricing";
import { FLOW_ENDPOINTS } from "../endpoints";
import { evmNetworks } from "./evm";
import type { FlowNetworkConfig } from "./types";

/**
 * The oracles of a live network: their public keys and the quorum come from the environment
 * (FLAREFLOW_ORACLE_PUBLIC_KEYS, comma-separated 128-hex secp256k1 keys; FLAREFLOW_ORACLE_THRESHOLD),
 * so that who attests is decided by whoever operates the deployment, not by this repository.
 */
export function liveOracleSettings(env: NodeJS.ProcessEnv): { publicKeys: string[]; threshold: number } {
  const raw = env.FLAREFLOW_ORACLE_PUBLIC_KEYS;
  if (!raw) throw new Error("set FLAREFLOW_ORACLE_PUBLIC_KEYS (comma-separated oracle secp256k1 public keys, 128 hex chars each)");
  const publicKeys = raw.split(",").map((k) => k.trim().replace(/^0x/, "").replace(/^04(?=[0-9a-fA-F]{128}$)/, "").toLowerCase());
  publicKeys.forEach((k, i) => {
    if (!/^[0-9a-f]{128}$/.test(k)) throw new Error(`FLAREFLOW_ORACLE_PUBLIC_KEYS[${i}] is not a 64-byte public key`);
  });
  const threshold = Number(env.FLAREFLOW_ORACLE_THRESHOLD ?? "");
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > publicKeys.length) {
    throw new Error(`FLAREFLOW_ORACLE_THRESHOLD must be an integer between 1 and ${publicKeys.length}`);
  }
  return { publicKeys, threshold };
}

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
