/**
 * Reads the key service's configuration from the environment, failing with
 * one message that lists every problem, so a misconfigured deployment is fixed
 * in one go.
 */
import { contractAddresses, type FlowNetwork } from "../config/flow-json";
import { readDeployment } from "../config/deployments";
import { flowNetwork } from "../config/networks";
import { codec, type FlowContext, type KeySigner } from "../flow/runtime";
import { LiteLLMAdminClient } from "../litellm";
import { parseEncryptionKey } from "./crypto";
import { clientOf } from "./http/client";
import type { KeyServiceOptions } from "./service";
import { FlareFlowError } from "../errors";
import { createLogger, type Logger } from "../log";

export class KeyServiceConfigError extends FlareFlowError {
  override readonly name = "KeyServiceConfigError";
  override readonly docs = "README.md#services";
}

type Env = Readonly<Record<string, string | undefined>>;

const SIG_ALGOS = ["ECDSA_P256", "ECDSA_secp256k1"] as const;
const HASH_ALGOS = ["SHA3_256", "SHA2_256"] as const;

/** Every variable the key service reads, for the README and error messages. */
export const KEY_SERVICE_ENV = {
  FLAREFLOW_FLOW_NETWORK: "emulator | testnet | mainnet (default emulator)",
  FLOW_ACCESS_NODE: "REST access node (default: the network's)",
  FLAREFLOW_PROVIDER_ADDRESS: "the provider account that signs issue_key/rotate_key (required)",
  FLAREFLOW_PROVIDER_PRIVATE_KEY: "its private key, 64 hex digits (required)",
  FLAREFLOW_PROVIDER_KEY_INDEX: "its key index (default 0)",
  FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM: "ECDSA_P256 | ECDSA_secp256k1 (default ECDSA_P256)",
  FLAREFLOW_PROVIDER_HASH_ALGORITHM: "SHA3_256 | SHA2_256 (default SHA3_256)",
  FLAREFLOW_KEY_ENCRYPTION_KEY: "32 bytes (64 hex digits or base64) encrypting keys awaiting delivery (required)",
  FLAREFLOW_KEY_SERVICE_STATE_DIR: "journal directory (default .flareflow/key-service)",
  FLAREFLOW_KEY_SERVICE_START_HEIGHT: "first block to read on a new state dir (default 0 on the emulator; required elsewhere)",
  FLAREFLOW_KEY_SERVICE_PORT: "HTTP port on 127.0.0.1 (default 8702)",
  FLAREFLOW_KEY_SERVICE_HOST: "HTTP bind address (default 127.0.0.1)",
  FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "comma-separated origins (scheme://host[:port]) of the pages that may call the API from a browser (default: none)",
  FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "comma-separated addresses of reverse proxies whose X-Forwarded-For names the client (default: none)",
  FLAREFLOW_KEY_SERVICE_POLL_MS: "event polling interval (default 1000)",
  FLAREFLOW_KEY_SERVICE_LIVE_LIMIT: "on | poll-only | off: the live spending limit; poll-only sets no tpm_limit guard on keys (default on)",
  FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS: "how far back each spend-log poll reads: LiteLLM's batch delay (PROXY_BATCH_WRITE_AT) plus the longest call expected (default 15000)",
  LITELLM_URL: "LiteLLM proxy (default http://127.0.0.1:4000)",
  LITELLM_MASTER_KEY: "LiteLLM admin key (required)",
} as const;

function int(env: Env, name: string, def: number | undefined, problems: string[], min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") {
    if (def === undefined) problems.push(`${name} is not set: ${KEY_SERVICE_ENV[name as keyof typeof KEY_SERVICE_ENV] ?? ""}`);
    return def ?? 0;
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) problems.push(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, options: readonly T[], def: T, problems: string[]): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  if (!(options as readonly string[]).includes(raw)) problems.push(`${name} must be one of ${options.join(", ")}, got "${raw}"`);
  return raw as T;
}

export function providerSignerFromEnv(env: Env, problems: string[]): KeySigner {
  const address = env["FLAREFLOW_PROVIDER_ADDRESS"];
  const privateKey = env["FLAREFLOW_PROVIDER_PRIVATE_KEY"];
  let normalized = "0x0000000000000000";
  if (!address) problems.push("FLAREFLOW_PROVIDER_ADDRESS is not set: the provider account whose subscriptions this service serves");
  else {
    try {
      normalized = codec.normalizeAddress(address, "FLAREFLOW_PROVIDER_ADDRESS");
    } catch {
      problems.push(`FLAREFLOW_PROVIDER_ADDRESS is not a Flow address`);
    }
  }
  if (!privateKey) problems.push("FLAREFLOW_PROVIDER_PRIVATE_KEY is not set: the provider account's private key (64 hex digits)");
  // Never echo the value of a malformed key.
  else if (!/^(0x)?[0-9a-fA-F]{64}$/.test(privateKey)) problems.push("FLAREFLOW_PROVIDER_PRIVATE_KEY must be 64 hex digits");
  return {
    address: normalized,
    privateKey: (privateKey ?? "").replace(/^0x/, ""),
    keyIndex: int(env, "FLAREFLOW_PROVIDER_KEY_INDEX", 0, problems),
    signatureAlgorithm: oneOf(env, "FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM", SIG_ALGOS, "ECDSA_P256", problems),
    hashAlgorithm: oneOf(env, "FLAREFLOW_PROVIDER_HASH_ALGORITHM", HASH_ALGOS, "SHA3_256", problems),
  };
}

function list(raw: string | undefined): string[] {
  return (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** Exact origins only: "*" would let any page ask for keys with a wallet it has tricked into signing. */
function origins(raw: string | undefined, problems: string[]): string[] {
  const out: string[] = [];
  for (const item of list(raw)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(item);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || parsed.origin !== item) {
      problems.push(`FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "${item}" is not an origin (scheme://host[:port], no path, no "*")`);
    } else out.push(item);
  }
  return out;
}

function proxies(raw: string | undefined, problems: string[]): string[] {
  const out: string[] = [];
  for (const item of list(raw)) {
    const client = clientOf(item);
    if (client === null) problems.push(`FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "${item}" is not an IP address`);
    else out.push(client);
  }
  return out;
}

/** Where the contracts are: the emulator's service account, or deployments/<network>.json. */
export function flowContextFor(network: FlowNetwork, accessNode: string, problems: string[], deploymentsDir?: string): FlowContext {
  if (network === "emulator") return { accessNode, addresses: contractAddresses("emulator", "0xf8d6e0586b0a20c7") };
  const account = readDeployment(network, deploymentsDir).flow?.account;
  if (account === undefined) problems.push(`no Flow deployment recorded for ${network}: run deploy:flow first (deployments/${network}.json)`);
  return { accessNode, addresses: contractAddresses(network, account) };
}

/** The key service's logger, told every secret the environment gives it. */
export function keyServiceLogger(env: Env = process.env): Logger {
  return createLogger("key-service", { secrets: [env["LITELLM_MASTER_KEY"], env["FLAREFLOW_PROVIDER_PRIVATE_KEY"], env["FLAREFLOW_KEY_ENCRYPTION_KEY"]] });
}

export function keyServiceOptionsFromEnv(env: Env = process.env): KeyServiceOptions {
  const problems: string[] = [];
  const networkName = env["FLAREFLOW_FLOW_NETWORK"] ?? "emulator";
  let network: ReturnType<typeof flowNetwork> | undefined;
  try {
    network = flowNetwork(networkName);
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  const accessNode = env["FLOW_ACCESS_NODE"] ?? network?.accessNode ?? "";
  const flow = network ? flowContextFor(network.name, accessNode, problems) : { accessNode, addresses: {} };
  const provider = providerSignerFromEnv(env, problems);
  let encryptionKey: Buffer = Buffer.alloc(0);
  try {
    encryptionKey = parseEncryptionKey(env["FLAREFLOW_KEY_ENCRYPTION_KEY"]);
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  let litellm: LiteLLMAdminClient | undefined;
  try {
    litellm = new LiteLLMAdminClient({ env });
  } catch (e) {
    problems.push(e instanceof Error ? e.message : String(e));
  }
  const startHeight = int(env, "FLAREFLOW_KEY_SERVICE_START_HEIGHT", network?.live ? undefined : 0, problems);
  const port = int(env, "FLAREFLOW_KEY_SERVICE_PORT", 8702, problems);
  if (port > 65535) problems.push("FLAREFLOW_KEY_SERVICE_PORT must be at most 65535");
  const pollIntervalMs = int(env, "FLAREFLOW_KEY_SERVICE_POLL_MS", 1000, problems, 50);
  const corsOrigins = origins(env["FLAREFLOW_KEY_SERVICE_CORS_ORIGINS"], problems);
  const trustedProxies = proxies(env["FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES"], problems);
  const liveMode = oneOf(env, "FLAREFLOW_KEY_SERVICE_LIVE_LIMIT", ["on", "poll-only", "off"] as const, "on", problems);
  const lookbackMs = int(env, "FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS", 15_000, problems, 1000);
  if (problems.length > 0 || litellm === undefined) {
    throw new KeyServiceConfigError(`the key service is misconfigured:\n  - ${problems.join("\n  - ")}`);
  }
  return {
    flow,
    provider,
    litellm,
    encryptionKey,
    stateDir: env["FLAREFLOW_KEY_SERVICE_STATE_DIR"] ?? ".flareflow/key-service",
    startHeight,
    http: {
      port,
      host: env["FLAREFLOW_KEY_SERVICE_HOST"] ?? "127.0.0.1",
      corsOrigins,
      trustedProxies,
    },
    pollIntervalMs,
    liveLimit: { enabled: liveMode !== "off", guard: liveMode === "on", lookbackMs },
    logger: keyServiceLogger(env),
  };
}
