/**
 * Client configuration. The master key is read from the environment and from
 * nowhere else: it is not a constructor argument, so it cannot be threaded
 * through call sites, configs or logs by accident.
 */
import { DEV_PORTS } from "../config/endpoints";
import { LiteLLMError } from "./errors";
import { silentLogger, type Logger } from "../log";
import { defaultRetryPolicy, realSleep, type RetryPolicy, type Sleep } from "../retry";
import type { TransportOptions } from "./transport";

export const DEFAULT_LITELLM_URL = `http://127.0.0.1:${DEV_PORTS.litellm}`;

export interface LiteLLMClientOptions {
  /** Environment to read LITELLM_MASTER_KEY and LITELLM_URL from; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Overrides LITELLM_URL. */
  baseUrl?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
  logger?: Logger;
  fetchImpl?: typeof fetch;
}

/** Everything the transport needs, with defaults applied. */
export type ResolvedClientConfig = TransportOptions;

export function resolveClientConfig(options: LiteLLMClientOptions = {}): ResolvedClientConfig {
  const env = options.env ?? process.env;
  const masterKey = env["LITELLM_MASTER_KEY"];
  if (masterKey === undefined || masterKey.trim() === "") {
    throw new LiteLLMError("LITELLM_MASTER_KEY is not set in the environment", { kind: "config" });
  }
  return {
    baseUrl: options.baseUrl ?? env["LITELLM_URL"] ?? DEFAULT_LITELLM_URL,
    masterKey: masterKey.trim(),
    timeoutMs: options.timeoutMs ?? 15_000,
    maxResponseBytes: options.maxResponseBytes ?? 32 * 1024 * 1024,
    retry: { ...defaultRetryPolicy, ...options.retry },
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
    fetchImpl: options.fetchImpl ?? fetch,
  };
}
