/**
 * Request and response shapes of the LiteLLM admin endpoints this project
 * uses, as LiteLLM's proxy defines them (litellm/proxy/_types.py,
 * management_endpoints/key_management_endpoints.py,
 * spend_tracking/spend_management_endpoints.py). The answers' types are
 * inferred from their schemas (./parse): only the fields FlareFlow reads.
 */
import type * as z from "zod/mini";
import type * as schemas from "./parse";

/** Metadata FlareFlow puts on every key; LiteLLM stores metadata as free JSON. */
export interface FlareFlowKeyMetadata {
  subscription_id: string;
  customer: string;
  provider: string;
  /** Rotation generation: 0 for `ff-<id>`, n for `ff-<id>-r<n>`. */
  generation?: number;
  rotated_from?: string;
  [extra: string]: unknown;
}

/** POST /key/generate body (subset of GenerateKeyRequest). */
export interface GenerateKeyRequest {
  /** Must be unique across all keys: LiteLLM refuses a duplicate alias with 400. */
  key_alias: string;
  /** Model names the key may call; empty or absent means every model. */
  models?: string[];
  /** USD budget of the key; requests are refused once spend >= max_budget. */
  max_budget?: number | null;
  /** Budget reset period: "30s", "30m", "30h", "30d", "1mo". */
  budget_duration?: string | null;
  /** Key lifetime in the same duration syntax; absent means never expires. */
  duration?: string | null;
  metadata: FlareFlowKeyMetadata;
  /**
   * The raw key to register (must start with `sk-`). The client fills it in
   * when absent, so that a retried /key/generate is recognisable.
   */
  key?: string;
  user_id?: string;
  blocked?: boolean;
  /** Requests / tokens per minute (LiteLLM enforces them per 60-s window); absent: unlimited. */
  rpm_limit?: number | null;
  tpm_limit?: number | null;
}

/**
 * POST /key/generate answer: the only time the raw key is ever returned. `key` is the raw `sk-`
 * key: never log it, hand it to its owner once.
 */
export type GenerateKeyResponse = z.output<typeof schemas.GenerateKeyAnswer>;

/** POST /key/update body: `key` (raw or hash) plus the fields to change. */
export interface UpdateKeyRequest {
  key: string;
  key_alias?: string;
  models?: string[];
  max_budget?: number | null;
  budget_duration?: string | null;
  metadata?: Record<string, unknown>;
  blocked?: boolean;
  duration?: string | null;
  rpm_limit?: number | null;
  tpm_limit?: number | null;
}

/** The stored key row, as /key/info, /key/list?return_full_object and /key/block return it. */
export type KeyInfo = z.output<typeof schemas.KeyInfo>;

/** GET /key/info answer: `{key: <as asked>, info: {...}}`. */
export type KeyInfoResponse = z.output<typeof schemas.KeyInfoAnswer>;

export interface ListKeysParams {
  page?: number;
  /** LiteLLM caps the page size at 100. */
  size?: number;
  key_alias?: string;
  key_hash?: string;
}

/**
 * GET /key/list answer. LiteLLM lists key hashes (strings) unless `return_full_object=true` is
 * honoured (key_management_endpoints.py `list_keys`); the client reads both and completes
 * hash-only entries from /key/info.
 */
export interface KeyListPage {
  keys: KeyInfo[];
  total_count: number;
  current_page: number;
  total_pages: number;
}

/** POST /key/delete: LiteLLM takes `keys` (raw or hashed) or `key_aliases`. */
export type DeleteKeysRequest = { keys: string[] } | { key_aliases: string[] };

/** LiteLLM echoes what it was asked to delete (keys or aliases). */
export type DeleteKeysResponse = z.output<typeof schemas.DeleteKeysAnswer>;

/** One row of LiteLLM_SpendLogs as /spend/logs/v2 returns it: the columns read, as parsed (the stand-in's SpendLogRecord is the whole stored row). */
export type SpendLogRow = z.output<typeof schemas.SpendLogRow>;

export type SpendLogMetadata = z.output<typeof schemas.SpendLogMetadata>;

export interface SpendLogsParams {
  /** Inclusive bounds on startTime; LiteLLM takes second precision, UTC. */
  startDate: Date;
  endDate: Date;
  /** Raw key or hash; the client always sends the hash. */
  apiKey?: string;
  model?: string;
  requestId?: string;
  page?: number;
  /** Rows per page: 100 unless asked; LiteLLM 1.110.2 takes up to 1,000 on /spend/logs/v2. */
  pageSize?: number;
}

/**
 * GET /spend/logs/v2 answer. Rows are ordered by startTime descending. LiteLLM counts at most
 * SPEND_LOGS_PAGINATION_COUNT_CAP (10,000) matching rows: past that, `total` reads 10,000,
 * `total_is_capped` is true and `total_pages` stops short of the last page, so a reader pages
 * until an empty page (spend_management_endpoints.py `ui_view_spend_logs`, LiteLLM 1.110.2).
 */
export type SpendLogsPage = z.output<typeof schemas.SpendLogsPage>;

/** The seed's getKeyUsage shape: declared once, by the key service's wire contract that carries it. */
export type { DailyUsage, KeyUsage, RecentRequest } from "../keys/http/wire";
