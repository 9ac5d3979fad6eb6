import { contractAddresses } from "../config/flow-json";
import { DEV_PORTS, FLOW_ENDPOINTS } from "../config/endpoints";
import { COSTON2_CHAIN_ID, evmNetworks, flowNetwork, HARDHAT_CHAIN_ID, liveRpcUrl, localWindowSeconds } from "../config/networks";
import { readDeployment } from "../config/deployments";
import { flowSigner } from "../deploy/flow-signer";
import { serviceSigner } from "../local/accounts";
import type { KeySigner } from "../flow/runtime";
import { DEFAULT_LITELLM_URL } from "../litellm/config";
import { ConnectorError, messageOf } from "./errors";
import { databaseUrlFromEnv, type DatabaseUrl } from "./database-url";
import { LOCAL_ORACLE_KEYS } from "../config/local-oracles";
import { defaultStateDir, type ConnectorNetwork } from "./state-dir";
import { count, port, readEnv, requiredText, type Env } from "../config/env";
import * as z from "zod/mini";

export { LOCAL_ORACLE_KEYS };

/**
 * The connector's configuration per network, in one place. The code path is the same on every
 * network; only these values differ. Secrets (EVM key, oracle keys, Flow relayer key, API keys)
 * come from the environment and are never logged.
 */

export type { ConnectorNetwork };

export type ConnectorConfig = {
  network: ConnectorNetwork;
  /** Window length in seconds (the network config's; must equal FlareFDCTriggers.WindowSeconds). */
  windowSeconds: number;
  /** Seconds to wait after a window ends before reading it (LiteLLM writes spend logs in batches). */
  closeDelaySeconds: number;
  /** How many windows back a late spend-log row is still picked up (into the next report). */
  lateLookbackWindows: number;
  /** First window to report; default: the window the state was created in. */
  firstWindow?: bigint;
  stateDir: string;
  pollIntervalMs: number;
  /** Clock (unix ms); tests inject one. */
  now: () => number;
  publisher: {
    /** Public base URL the attestation names (https on Coston2). */
    baseUrl: string;
    /** Where the connector serves the reports itself (omit when another server publishes the directory). */
    listen?: { host: string; port: number };
  };
  /**
   * Where spend logs come from: the admin API at `url`, or, when `database` is set
   * (LITELLM_DATABASE_URL, read-only), LiteLLM's own PostgreSQL table with one grouped query.
   */
  litellm: { url: string; env: Readonly<Record<string, string | undefined>>; database?: DatabaseUrl };
  evm: { rpcUrl: string; chainId: bigint; verifierAddress: string; privateKey: string };
  flare: { verifierUrl: string; verifierApiKey: string; daLayerUrl: string; daApiKey?: string; proofAttempts: number };
  flow: { accessNode: string; addresses: Readonly<Record<string, string>>; relayer: KeySigner };
  oracles: { privateKeys: string[] };
  /** Lines per Flow transaction; larger reports are settled in chunks. */
  maxLinesPerTransaction: number;
};

/** Every secret value in a configuration, for the logger to scrub wherever one appears. */
export function connectorSecrets(config: ConnectorConfig): string[] {
  return [
    config.evm.privateKey,
    ...config.oracles.privateKeys,
    config.flow.relayer.privateKey,
    config.flare.verifierApiKey,
    config.flare.daApiKey,
    config.litellm.database?.password,
    config.litellm.env["LITELLM_MASTER_KEY"],
  ].filter((s): s is string => s !== undefined);
}

function read<T>(schema: z.ZodMiniType<T>, raw: string | undefined): T {
  return readEnv(schema, raw, (message) => new ConnectorError("config", message));
}

/** A value the network config reads and checks itself, its refusal the connector's. */
function fromNetworkConfig<T>(readValue: () => T): T {
  try {
    return readValue();
  } catch (error) {
    throw new ConnectorError("config", messageOf(error), { cause: error });
  }
}

const HEX_32_BYTES = /^0x[0-9a-fA-F]{64}$/;
const withHexPrefix = z.transform((key: string) => (key.startsWith("0x") ? key : `0x${key}`));

function evmKey(name: string) {
  return z.pipe(withHexPrefix, z.string().check(z.regex(HEX_32_BYTES, { error: `${name} must be 32 bytes of hex` })));
}

/**
 * The most lines one Flow transaction carries: the size test/emulator/settlement-worst-case.test.ts
 * proves fits mainnet's 9,999 even when every line costs the most a line can. A larger setting
 * could plan a chunk that never executes.
 */
export const MAX_LINES_PER_TRANSACTION = 450;

const LinesPerTransaction = z.pipe(
  count("FLAREFLOW_MAX_LINES_PER_TX", MAX_LINES_PER_TRANSACTION),
  z.number().check(
    z.refine((n) => n >= 1 && n <= MAX_LINES_PER_TRANSACTION, {
      error: (issue) => `FLAREFLOW_MAX_LINES_PER_TX must be 1 to ${MAX_LINES_PER_TRANSACTION} (the largest chunk proven to fit a Flow transaction), got ${String(issue.input)}`,
    }),
  ),
);

/** Each key named by its place in the list (the issue's path), never by its value. */
const OracleKeyList = z.pipe(
  z.transform((raw: string) => raw.split(",").map((key) => key.trim())),
  z.array(
    z.pipe(
      withHexPrefix,
      z.string().check(z.regex(HEX_32_BYTES, { error: (issue) => `FLAREFLOW_ORACLE_KEYS[${String(issue.path?.[0])}] must be 32 bytes of hex` })),
    ),
  ),
);
const ORACLE_KEYS_WHY = "comma-separated secp256k1 keys of the oracles this relayer runs";

/** Local runs fall back to the well-known local oracles; a live network has no safe default. */
function oracleKeys(env: Env, fallback?: string[]): string[] {
  const unsetIfEmpty = z.transform((raw: string | undefined) => (raw === "" ? undefined : raw));
  const keys = fallback ? z._default(OracleKeyList, fallback) : z.pipe(z.string({ error: `set FLAREFLOW_ORACLE_KEYS (${ORACLE_KEYS_WHY})` }), OracleKeyList);
  return read(z.pipe(unsetIfEmpty, keys), env.FLAREFLOW_ORACLE_KEYS);
}

function verifierFromDeployments(network: string, env: Env, dir?: string): string {
  const fromEnv = env.FLAREFLOW_VERIFIER_ADDRESS;
  if (fromEnv) return fromEnv;
  const address = readDeployment(network, dir).evm?.contracts.UsageReportVerifier?.address;
  if (!address) throw new ConnectorError("config", `no UsageReportVerifier in deployments/${network}.json: run deploy:evm for ${network} or set FLAREFLOW_VERIFIER_ADDRESS`);
  return address;
}

export { defaultStateDir };


/** The local stack: Hardhat node + Flare stand-in + emulator + local LiteLLM server. */
export function localConnectorConfig(env: Env = process.env, overrides: Partial<ConnectorConfig> = {}): ConnectorConfig {
  const publisherPort = read(port("FLAREFLOW_PUBLISHER_PORT", DEV_PORTS.publisher), env.FLAREFLOW_PUBLISHER_PORT);
  return {
    network: "local",
    windowSeconds: fromNetworkConfig(() => localWindowSeconds(env)),
    closeDelaySeconds: read(count("FLAREFLOW_CLOSE_DELAY_SECONDS", 15), env.FLAREFLOW_CLOSE_DELAY_SECONDS),
    lateLookbackWindows: read(count("FLAREFLOW_LATE_LOOKBACK_WINDOWS", 12), env.FLAREFLOW_LATE_LOOKBACK_WINDOWS),
    stateDir: defaultStateDir("local", env),
    pollIntervalMs: read(count("FLAREFLOW_CONNECTOR_POLL_MS", 1000), env.FLAREFLOW_CONNECTOR_POLL_MS),
    now: Date.now,
    publisher: {
      baseUrl: env.FLAREFLOW_PUBLISHER_URL ?? `http://127.0.0.1:${publisherPort}`,
      // FLAREFLOW_PUBLISHER_EXTERNAL=1: a separate long-lived process serves the directory, so
      // Flare can fetch a report while the connector restarts.
      listen: env.FLAREFLOW_PUBLISHER_EXTERNAL === "1" ? undefined : { host: "127.0.0.1", port: publisherPort },
    },
    litellm: { url: env.LITELLM_URL ?? DEFAULT_LITELLM_URL, env, database: databaseUrlFromEnv(env) },
    evm: {
      rpcUrl: env.FLAREFLOW_EVM_RPC ?? `http://127.0.0.1:${DEV_PORTS.hardhat}`,
      chainId: BigInt(HARDHAT_CHAIN_ID),
      verifierAddress: overrides.evm?.verifierAddress ?? verifierFromDeployments("localhost", env),
      // Hardhat's first well-known dev account: the harness owner and fee payer locally.
      privateKey: read(evmKey("FLAREFLOW_EVM_KEY"), env.FLAREFLOW_EVM_KEY ?? "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
    },
    flare: {
      verifierUrl: env.FLARE_VERIFIER_URL ?? `http://127.0.0.1:${DEV_PORTS.flare}`,
      verifierApiKey: env.FLARE_VERIFIER_API_KEY ?? "00000000-0000-0000-0000-000000000000",
      daLayerUrl: env.FLARE_DA_LAYER_URL ?? `http://127.0.0.1:${DEV_PORTS.flare}`,
      proofAttempts: read(count("FLAREFLOW_PROOF_ATTEMPTS", 10), env.FLAREFLOW_PROOF_ATTEMPTS),
    },
    flow: {
      accessNode: env.FLOW_ACCESS_NODE ?? FLOW_ENDPOINTS.emulator.accessNode,
      addresses: contractAddresses("emulator", serviceSigner().address),
      relayer: serviceSigner(),
    },
    oracles: { privateKeys: oracleKeys(env, [...LOCAL_ORACLE_KEYS]) },
    maxLinesPerTransaction: read(LinesPerTransaction, env.FLAREFLOW_MAX_LINES_PER_TX),
    ...overrides,
  };
}

const CostonPublisherUrl = z.pipe(
  requiredText("FLAREFLOW_PUBLISHER_URL", "the public HTTPS address of the report publisher; Flare's verifiers fetch only public HTTPS"),
  z.string().check(
    z.startsWith("https://", { error: (issue) => `FLAREFLOW_PUBLISHER_URL must be https:// on Coston2 (Flare's verifiers fetch only HTTPS), got ${String(issue.input)}` }),
  ),
);

/**
 * Coston2 (chain 114) with Flow testnet. Flare's verifiers fetch only public HTTPS (5 s timeout,
 * 100 KiB, application/json): FLAREFLOW_PUBLISHER_URL must be such an address serving this
 * connector's published directory.
 */
export function coston2ConnectorConfig(env: Env = process.env, overrides: Partial<ConnectorConfig> = {}): ConnectorConfig {
  const baseUrl = read(CostonPublisherUrl, env.FLAREFLOW_PUBLISHER_URL);
  const testnet = flowNetwork("testnet");
  const listenPort = read(port("FLAREFLOW_PUBLISHER_PORT", DEV_PORTS.publisher), env.FLAREFLOW_PUBLISHER_PORT);
  return {
    network: "coston2",
    windowSeconds: evmNetworks.coston2.windowSeconds,
    closeDelaySeconds: read(count("FLAREFLOW_CLOSE_DELAY_SECONDS", 60), env.FLAREFLOW_CLOSE_DELAY_SECONDS),
    lateLookbackWindows: read(count("FLAREFLOW_LATE_LOOKBACK_WINDOWS", 12), env.FLAREFLOW_LATE_LOOKBACK_WINDOWS),
    stateDir: defaultStateDir("coston2", env),
    pollIntervalMs: read(count("FLAREFLOW_CONNECTOR_POLL_MS", 10_000), env.FLAREFLOW_CONNECTOR_POLL_MS),
    now: Date.now,
    publisher: { baseUrl, listen: env.FLAREFLOW_PUBLISHER_EXTERNAL === "1" ? undefined : { host: "127.0.0.1", port: listenPort } },
    litellm: { url: read(requiredText("LITELLM_URL", "the LiteLLM proxy"), env.LITELLM_URL), env, database: databaseUrlFromEnv(env) },
    evm: {
      rpcUrl: liveRpcUrl("coston2", env),
      chainId: BigInt(COSTON2_CHAIN_ID),
      verifierAddress: overrides.evm?.verifierAddress ?? verifierFromDeployments("coston2", env),
      privateKey: read(z.pipe(requiredText("FLAREFLOW_EVM_KEY", "the Coston2 account that pays FDC fees and gas"), evmKey("FLAREFLOW_EVM_KEY")), env.FLAREFLOW_EVM_KEY),
    },
    flare: {
      verifierUrl: env.VERIFIER_URL_TESTNET ?? "https://fdc-verifiers-testnet.flare.network",
      verifierApiKey: read(requiredText("VERIFIER_API_KEY_TESTNET", "Flare's verifier server API key"), env.VERIFIER_API_KEY_TESTNET),
      daLayerUrl: env.COSTON2_DA_LAYER_URL ?? "https://ctn2-data-availability.flare.network",
      daApiKey: env.COSTON2_DA_LAYER_API_KEY,
      proofAttempts: read(count("FLAREFLOW_PROOF_ATTEMPTS", 30), env.FLAREFLOW_PROOF_ATTEMPTS),
    },
    flow: { accessNode: env.FLOW_ACCESS_NODE ?? testnet.accessNode, addresses: contractAddresses("testnet"), relayer: flowSigner(testnet, env as NodeJS.ProcessEnv) },
    oracles: { privateKeys: oracleKeys(env) },
    maxLinesPerTransaction: read(LinesPerTransaction, env.FLAREFLOW_MAX_LINES_PER_TX),
    ...overrides,
  };
}

export function connectorConfig(network: string, env: Env = process.env): ConnectorConfig {
  if (network === "local") return localConnectorConfig(env);
  if (network === "coston2") return coston2ConnectorConfig(env);
  throw new ConnectorError("config", `unknown connector network "${network}" (expected local or coston2)`);
}
