import * as fs from "node:fs";
import * as path from "node:path";
import { normalizeAddress } from "../flow/runtime/codec";
import { ConfigError } from "./errors";

const FLOW_JSON_DOCS = { docs: "README.md#the-flow-toolchain" };

/** A network named in flow.json. */
export type FlowNetwork = "emulator" | "testing" | "testnet" | "mainnet";

export interface FlowKeyConfig {
  privateKey: string;
  signatureAlgorithm: "ECDSA_P256" | "ECDSA_secp256k1";
  hashAlgorithm: "SHA3_256" | "SHA2_256";
}

export interface FlowAccountConfig extends FlowKeyConfig {
  address: string;
}

interface RawFlowJson {
  contracts?: Record<string, string | { source?: string; aliases?: Record<string, string> }>;
  dependencies?: Record<string, { source?: string; aliases?: Record<string, string> }>;
  accounts?: Record<string, { address?: string; key?: unknown }>;
}

const FLOW_JSON = path.resolve(__dirname, "../../flow.json");

function readFlowJson(): RawFlowJson {
  const text = fs.readFileSync(FLOW_JSON, "utf8");
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== "object" || parsed === null) {
    throw new ConfigError(`${FLOW_JSON}: not a JSON object`, FLOW_JSON_DOCS);
  }
  return parsed as RawFlowJson;
}

/**
 * The emulator service account of flow.json. Its key is the emulator's
 * well-known development key; it is never used on a live network.
 */
export function emulatorServiceAccount(): FlowAccountConfig {
  const account = readFlowJson().accounts?.["emulator-account"];
  const key = account?.key as Partial<FlowKeyConfig> & { type?: string } | undefined;
  if (!account?.address || !key || key.type !== "hex" || !key.privateKey) {
    throw new ConfigError("flow.json: accounts.emulator-account needs an address and a hex key", FLOW_JSON_DOCS);
  }
  if (!/^[0-9a-f]{64}$/.test(key.privateKey)) {
    throw new ConfigError("flow.json: emulator-account privateKey must be 32 bytes of hex", FLOW_JSON_DOCS);
  }
  return {
    address: normalizeAddress(account.address, "emulator-account"),
    privateKey: key.privateKey,
    signatureAlgorithm: key.signatureAlgorithm ?? "ECDSA_P256",
    hashAlgorithm: key.hashAlgorithm ?? "SHA3_256",
  };
}

/**
 * Where each contract an import names lives on `network`: the project's own
 * contracts through their deployment account or alias, the standard ones
 * through the aliases in `dependencies`.
 */
export function contractAddresses(network: FlowNetwork, deployedTo?: string): Record<string, string> {
  const doc = readFlowJson();
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(doc.dependencies ?? {})) {
    const alias = entry.aliases?.[network];
    if (alias) out[name] = normalizeAddress(alias, `flow.json dependencies.${name}.aliases.${network}`);
  }
  for (const [name, entry] of Object.entries(doc.contracts ?? {})) {
    const alias = typeof entry === "string" ? undefined : entry.aliases?.[network];
    if (alias) out[name] = normalizeAddress(alias, `flow.json contracts.${name}.aliases.${network}`);
    else if (deployedTo) out[name] = normalizeAddress(deployedTo, `deployment of ${name}`);
  }
  return out;
}

/** The project's contracts and their source files, in flow.json's order. */
export function projectContracts(): { name: string; source: string }[] {
  return Object.entries(readFlowJson().contracts ?? {}).map(([name, entry]) => {
    const source = typeof entry === "string" ? entry : entry.source;
    if (!source) throw new ConfigError(`flow.json: contract ${name} has no source`, FLOW_JSON_DOCS);
    return { name, source: path.resolve(path.dirname(FLOW_JSON), source) };
  });
}

/** The contracts flow.json deploys to `account` on `network`, in deployment order. */
export function deploymentPlan(network: FlowNetwork, account: string): string[] {
  const doc = readFlowJson() as RawFlowJson & { deployments?: Record<string, Record<string, unknown>> };
  const list = doc.deployments?.[network]?.[account];
  if (!Array.isArray(list) || !list.every((x): x is string => typeof x === "string")) {
    throw new ConfigError(`flow.json: deployments.${network}.${account} must list contract names`, FLOW_JSON_DOCS);
  }
  return list;
}

/** The key algorithms flow.json declares for an account (its key itself may come from elsewhere). */
export function accountKeyAlgorithms(account: string): Pick<FlowKeyConfig, "signatureAlgorithm" | "hashAlgorithm"> {
  const key = readFlowJson().accounts?.[account]?.key as Partial<FlowKeyConfig> | undefined;
  return {
    signatureAlgorithm: key?.signatureAlgorithm ?? "ECDSA_P256",
    hashAlgorithm: key?.hashAlgorithm ?? "SHA3_256",
  };
}
