/**
 * Where the page talks to. Everything comes from Vite env vars at build (or dev-server) time;
 * vite.config.ts adds VITE_FLOW_ADDRESSES, the import-to-address map it derives from flow.json,
 * so the page never reads flow.json (which holds the emulator key) nor hard-codes an address.
 */
import { FLOW_ENDPOINTS } from "../../src/config/endpoints";
import { PageError } from "./errors";

export type FlowNetworkName = "emulator" | "testnet" | "mainnet";

export interface PageConfig {
  network: FlowNetworkName;
  accessNode: string;
  /** FCL's discovery.wallet: the dev wallet on the emulator. */
  walletDiscovery: string;
  /** Contract name to address, for string imports in the generated bindings. */
  addresses: Readonly<Record<string, string>>;
  /** The account holding UsageBasedSubscriptions' Admin: only it sees the pricing controls. */
  adminAddress: string | null;
  /** Prefilled provider of a new subscription. */
  defaultProvider: string;
  /** The provider's key service (key reveal, rotation, pending usage); null: not configured. */
  keyServiceUrl: string | null;
  /** How often pending usage is polled, in milliseconds. */
  usagePollMs: number;
}

/** The seed's provider, the default on mainnet. */
export const MAINNET_PROVIDER = "0x6daee039a7b9c2f0";

type Env = Record<string, string | boolean | undefined>;

function text(env: Env, key: string): string | undefined {
  const value = env[key];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** Reads the page configuration from an env object (import.meta.env in the page, a literal in tests). */
export function readConfig(env: Env): PageConfig {
  const networkText = text(env, "VITE_FLOW_NETWORK") ?? "emulator";
  if (networkText !== "emulator" && networkText !== "testnet" && networkText !== "mainnet") {
    throw new PageError(`VITE_FLOW_NETWORK must be emulator, testnet or mainnet (got "${networkText}")`);
  }
  const network: FlowNetworkName = networkText;
  let addresses: Record<string, string> = {};
  const addressJson = text(env, "VITE_FLOW_ADDRESSES");
  if (addressJson) {
    const parsed: unknown = JSON.parse(addressJson);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      addresses = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
    }
  }
  const contracts = addresses.UsageBasedSubscriptions ?? null;
  const poll = Number(text(env, "VITE_USAGE_POLL_MS") ?? "10000");
  return {
    network,
    accessNode: text(env, "VITE_FLOW_ACCESS_NODE") ?? FLOW_ENDPOINTS[network].accessNode,
    walletDiscovery: text(env, "VITE_FLOW_WALLET_DISCOVERY") ?? FLOW_ENDPOINTS[network].walletDiscovery,
    addresses,
    adminAddress: text(env, "VITE_FLOW_ADMIN_ADDRESS") ?? contracts,
    defaultProvider: text(env, "VITE_DEFAULT_PROVIDER") ?? (network === "mainnet" ? MAINNET_PROVIDER : ""),
    keyServiceUrl: text(env, "VITE_KEY_SERVICE_URL")?.replace(/\/+$/, "") ?? null,
    usagePollMs: Number.isFinite(poll) && poll >= 1000 ? poll : 10000,
  };
}
