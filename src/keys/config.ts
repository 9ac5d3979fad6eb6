/**
 * Reads the key service's configuration from the environment, failing with
 * one message that lists every problem, so a misconfigured deployment is fixed
 * in one go.
 */
import { contractAddresses, type FlowNetwork } from "../config/flow-json";
import { readDeployment } from "../config/deployments";
import { DEV_PORTS } from "../config/endpoints";
import { flowNetwork } from "../config/networks";
import { codec, type FlowContext, type KeySigner } from "../flow/runtime";
import { DEFAULT_LITELLM_URL, LiteLLMAdminClient } from "../litellm";
import { parseEncryptionKey } from "./crypto";
import { secretsOfEnv } from "./secrets";
import { clientOf } from "./http/client";
import type { KeyServiceOptions } from "./service";
import { FlareFlowError, messageOf } from "../errors";
import { createLogger, type Logger } from "../log";
import * as z from "zod/mini";

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
  FLAREFLOW_KEY_SERVICE_PORT: `HTTP port on 127.0.0.1 (default ${DEV_PORTS.keyService})`,
  FLAREFLOW_KEY_SERVICE_HOST: "HTTP bind address (default 127.0.0.1)",
  FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "comma-separated origins (scheme://host[:port]) of the pages that may call the API from a browser (default: none)",
  FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "comma-separated addresses of reverse proxies whose X-Forwarded-For names the client (default: none)",
  FLAREFLOW_KEY_SERVICE_POLL_MS: "event polling interval (default 1000)",
  FLAREFLOW_KEY_SERVICE_LIVE_LIMIT: "on | poll-only | off: the live spending limit; poll-only sets no tpm_limit guard on keys (default on)",
  FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS: "how far back each spend-log poll reads: LiteLLM's batch delay (PROXY_BATCH_WRITE_AT) plus the longest call expected (default 15000)",
  LITELLM_URL: `LiteLLM proxy (default ${DEFAULT_LITELLM_URL})`,
  LITELLM_MASTER_KEY: "LiteLLM admin key (required)",
} as const;

/** The variable's line in KEY_SERVICE_ENV, so "is not set" says what to set it to. */
function notSet(name: EnvName): string {
  return `${name} is not set: ${KEY_SERVICE_ENV[name]}`;
}

type EnvName = keyof typeof KEY_SERVICE_ENV;

/** A number is read as blank-means-unset: an operator's `PORT=` in a .env file asks for the default. */
const blankIsUnset = z.transform((raw: string | undefined) => (raw === undefined || raw.trim() === "" ? undefined : raw));
/** A name or a choice: only the empty value is unset; "  " there is a typo to report, not a request for the default. */
const emptyIsUnset = z.transform((raw: string | undefined) => (raw === "" ? undefined : raw));

/**
 * A whole number >= min. The checks see the raw text, so a refusal quotes what the operator wrote
 * (not NaN), and none aborts: every rule the value breaks is reported at once.
 */
function integer(name: EnvName, min: number, ...checks: z.core.$ZodCheck<string>[]) {
  return z.pipe(
    z.string({ error: notSet(name) }).check(
      z.refine((raw) => Number.isSafeInteger(Number(raw)) && Number(raw) >= min, {
        error: (issue) => `${name} must be an integer >= ${min}, got "${String(issue.input)}"`,
      }),
      ...checks,
    ),
    z.transform(Number),
  );
}

function integerOr(name: EnvName, def: number, min = 0, ...checks: z.core.$ZodCheck<string>[]) {
  return z.pipe(blankIsUnset, z._default(integer(name, min, ...checks), def));
}

function choice<const T extends readonly [string, ...string[]]>(name: EnvName, options: T, def: T[number]) {
  const one = z.enum(options, { error: (issue) => `${name} must be one of ${options.join(", ")}, got "${String(issue.input)}"` });
  return z.pipe(emptyIsUnset, z._default(one, def));
}

const commaList = z.transform((raw: string | undefined) => (raw ?? "").split(",").map((s) => s.trim()).filter(Boolean));

/** Exact origins only: "*" would let any page ask for keys with a wallet it has tricked into signing. */
const CorsOrigins = z.pipe(
  commaList,
  z.array(
    z.string().check(
      z.refine(
        (item) => {
          try {
            const parsed = new URL(item);
            return /^https?:$/.test(parsed.protocol) && parsed.origin === item;
          } catch {
            return false;
          }
        },
        { error: (issue) => `FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "${String(issue.input)}" is not an origin (scheme://host[:port], no path, no "*")` },
      ),
    ),
  ),
);

/** Kept in clientOf's form (an IPv6 proxy as its /64), the form the request's peer is compared in. */
const TrustedProxies = z.pipe(
  commaList,
  z.array(
    z.transform((item: string, ctx) => {
      const client = clientOf(item);
      if (client === null) ctx.issues.push({ code: "custom", input: item, message: `FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "${item}" is not an IP address` });
      return client ?? "";
    }),
  ),
);

/**
 * The signing account. The key's messages are fixed text: zod only puts an issue's input in its
 * message when a message function does, and none here does, so a malformed key is never echoed.
 */
const ProviderEnv = z.pipe(
  z.object({
    FLAREFLOW_PROVIDER_ADDRESS: z.pipe(
      z.pipe(emptyIsUnset, z.string({ error: "FLAREFLOW_PROVIDER_ADDRESS is not set: the provider account whose subscriptions this service serves" })),
      z.transform((address: string, ctx) => {
        try {
          return codec.normalizeAddress(address, "FLAREFLOW_PROVIDER_ADDRESS");
        } catch {
          ctx.issues.push({ code: "custom", input: address, message: "FLAREFLOW_PROVIDER_ADDRESS is not a Flow address" });
          return address;
        }
      }),
    ),
    FLAREFLOW_PROVIDER_PRIVATE_KEY: z.pipe(
      z.pipe(
        emptyIsUnset,
        z.string({ error: "FLAREFLOW_PROVIDER_PRIVATE_KEY is not set: the provider account's private key (64 hex digits)" }).check(
          z.regex(/^(0x)?[0-9a-fA-F]{64}$/, { error: "FLAREFLOW_PROVIDER_PRIVATE_KEY must be 64 hex digits" }),
        ),
      ),
      z.transform((key: string) => key.replace(/^0x/, "")),
    ),
    FLAREFLOW_PROVIDER_KEY_INDEX: integerOr("FLAREFLOW_PROVIDER_KEY_INDEX", 0),
    FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM: choice("FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM", SIG_ALGOS, "ECDSA_P256"),
    FLAREFLOW_PROVIDER_HASH_ALGORITHM: choice("FLAREFLOW_PROVIDER_HASH_ALGORITHM", HASH_ALGOS, "SHA3_256"),
  }),
  z.transform(
    (v): KeySigner => ({
      address: v.FLAREFLOW_PROVIDER_ADDRESS,
      privateKey: v.FLAREFLOW_PROVIDER_PRIVATE_KEY,
      keyIndex: v.FLAREFLOW_PROVIDER_KEY_INDEX,
      signatureAlgorithm: v.FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM,
      hashAlgorithm: v.FLAREFLOW_PROVIDER_HASH_ALGORITHM,
    }),
  ),
);

const LIVE_LIMIT = ["on", "poll-only", "off"] as const;

/** The service's own variables. The start height has no safe default on a live network: block 0 would replay its whole history. */
function serviceEnv(live: boolean) {
  const START = "FLAREFLOW_KEY_SERVICE_START_HEIGHT";
  return z.object({
    FLAREFLOW_KEY_SERVICE_STATE_DIR: z._default(z.string(), ".flareflow/key-service"),
    FLAREFLOW_KEY_SERVICE_START_HEIGHT: live ? z.pipe(blankIsUnset, integer(START, 0)) : integerOr(START, 0),
    FLAREFLOW_KEY_SERVICE_PORT: integerOr(
      "FLAREFLOW_KEY_SERVICE_PORT",
      DEV_PORTS.keyService,
      0,
      z.refine((raw) => !(Number(raw) > 65535), { error: "FLAREFLOW_KEY_SERVICE_PORT must be at most 65535" }),
    ),
    FLAREFLOW_KEY_SERVICE_HOST: z._default(z.string(), "127.0.0.1"),
    FLAREFLOW_KEY_SERVICE_POLL_MS: integerOr("FLAREFLOW_KEY_SERVICE_POLL_MS", 1000, 50),
    FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: CorsOrigins,
    FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: TrustedProxies,
    FLAREFLOW_KEY_SERVICE_LIVE_LIMIT: choice("FLAREFLOW_KEY_SERVICE_LIVE_LIMIT", LIVE_LIMIT, "on"),
    FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS: integerOr("FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS", 15_000, 1000),
  });
}

/** Each issue's message is a whole sentence naming its variable, so the path zod adds is not needed. */
function parseInto<S extends z.ZodMiniType>(schema: S, env: Env, problems: string[]): z.output<S> | undefined {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  problems.push(...result.error.issues.map((issue) => issue.message));
  return undefined;
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
  return createLogger("key-service", { secrets: secretsOfEnv(env) });
}

/**
 * Every group is parsed even after one fails, in the order the README lists the variables. The
 * network, the encryption key and the LiteLLM client keep their own parsers (shared with the
 * scripts and the connector); their errors join the same list.
 */
export function keyServiceOptionsFromEnv(env: Env = process.env): KeyServiceOptions {
  const problems: string[] = [];
  const networkName = env["FLAREFLOW_FLOW_NETWORK"] ?? "emulator";
  let network: ReturnType<typeof flowNetwork> | undefined;
  try {
    network = flowNetwork(networkName);
  } catch (e) {
    problems.push(messageOf(e));
  }
  const accessNode = env["FLOW_ACCESS_NODE"] ?? network?.accessNode ?? "";
  const flow = network ? flowContextFor(network.name, accessNode, problems) : { accessNode, addresses: {} };
  const provider = parseInto(ProviderEnv, env, problems);
  let encryptionKey: Buffer = Buffer.alloc(0);
  try {
    encryptionKey = parseEncryptionKey(env["FLAREFLOW_KEY_ENCRYPTION_KEY"]);
  } catch (e) {
    problems.push(messageOf(e));
  }
  let litellm: LiteLLMAdminClient | undefined;
  try {
    litellm = new LiteLLMAdminClient({ env });
  } catch (e) {
    problems.push(messageOf(e));
  }
  const service = parseInto(serviceEnv(network?.live === true), env, problems);
  if (problems.length > 0 || provider === undefined || litellm === undefined || service === undefined) {
    throw new KeyServiceConfigError(`the key service is misconfigured:\n  - ${problems.join("\n  - ")}`);
  }
  const liveMode = service.FLAREFLOW_KEY_SERVICE_LIVE_LIMIT;
  return {
    flow,
    provider,
    litellm,
    encryptionKey,
    stateDir: service.FLAREFLOW_KEY_SERVICE_STATE_DIR,
    startHeight: service.FLAREFLOW_KEY_SERVICE_START_HEIGHT,
    http: {
      port: service.FLAREFLOW_KEY_SERVICE_PORT,
      host: service.FLAREFLOW_KEY_SERVICE_HOST,
      corsOrigins: service.FLAREFLOW_KEY_SERVICE_CORS_ORIGINS,
      trustedProxies: service.FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES,
    },
    pollIntervalMs: service.FLAREFLOW_KEY_SERVICE_POLL_MS,
    liveLimit: { enabled: liveMode !== "off", guard: liveMode === "on", lookbackMs: service.FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS },
    logger: keyServiceLogger(env),
  };
}
