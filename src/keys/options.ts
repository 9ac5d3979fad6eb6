/**
 * What the key service is given (KeyServiceOptions) and what it reports (KeyServiceHealth).
 */
import type { LiteLLMAdminClient } from "../litellm";
import type { FlowContext, KeySigner } from "../flow/runtime";
import type { ChallengeLimits } from "./http/challenges";
import type { Logger } from "../log";
import type { LeavesReader } from "./leaves";
import type { FaultHook } from "../faults";
import type { FaultPoint } from "./reconcile";
import type { Cursor, SubscriptionRecord } from "./state";
import type { LiveLimitOptions } from "./live/limiter";

export interface KeyServiceOptions {
  flow: FlowContext;
  /** The provider account that signs issue_key / rotate_key; only its subscriptions are served. */
  provider: KeySigner;
  litellm: LiteLLMAdminClient;
  /** 32-byte AES-256-GCM key for keys awaiting delivery. */
  encryptionKey: Buffer;
  /** Directory of the journal (created 0700). */
  stateDir: string;
  /** Height to start from when the state dir is new (the contract's deployment height). */
  startHeight: number;
  /**
   * HTTP listener; port 0 picks a free one. Host defaults to 127.0.0.1. No
   * origin may call it from a browser unless listed in corsOrigins (the
   * page's); X-Forwarded-For is believed only from trustedProxies.
   */
  http?: { port: number; host?: string; corsOrigins?: readonly string[]; trustedProxies?: readonly string[] };
  pollIntervalMs?: number;
  /** First retry delay of a failed subscription; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Blocks per events query (the access node caps it at 250). */
  eventRangeSize?: number;
  /** First keys attached per issue_keys transaction, and made per pass (default FIRST_KEYS_PER_TRANSACTION). */
  firstKeysPerTransaction?: number;
  challengeTtlMs?: number;
  /** Bounds of the open-challenge table (http/challenges.ts has the defaults). */
  challengeLimits?: Partial<ChallengeLimits>;
  /** Default: src/log.ts's logger, told the provider's private key and the encryption key. */
  logger?: Logger;
  now?: () => number;
  /** Test hook called after each journaled step; throw InjectedCrash to stop as a crash would. */
  fault?: FaultHook<FaultPoint, SubscriptionRecord>;
  /** Called for each transaction the service sends (name, id). */
  onTransaction?: (name: string, transactionId: string) => void;
  /** The connector's request leaves, for POST /v1/leaves (leaves.ts); without it the route answers 503. */
  leaves?: LeavesReader;
  /** How often a cap-suspended subscription is checked for a new period (default 30 s). */
  duePeriodCheckMs?: number;
  /** The live spending limit (live/limiter.ts has the defaults); on unless enabled: false. */
  liveLimit?: LiveLimitOptions;
}

export interface KeyServiceHealth {
  status: "ok" | "degraded" | "stopped";
  cursor: Cursor;
  sealedHeight: number | null;
  lagBlocks: number | null;
  subscriptions: number;
  pending: string[];
  /** False until the chain is replayed to its head and LiteLLM audited since start; nothing is changed before. */
  audited: boolean;
  lastError: { message: string; at: string; subscriptionId: string | null } | null;
  lastProgressAt: string | null;
  /** ready: a whole pricing pass has completed since start (live blocks are lifted only after one). */
  liveLimit: { enabled: boolean; ready: boolean; lastPassAt: string | null };
}
