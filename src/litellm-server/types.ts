/** State and options of the local LiteLLM-compatible server. */

export interface ModelConfig {
  /** Public name clients send as `model` (LiteLLM's model_name / model_group). */
  model_name: string;
  /** Underlying deployment name logged as `model` (LiteLLM's litellm_params.model). */
  litellm_model: string;
  provider: string;
  /** USD per token, as in LiteLLM's model cost map. */
  input_cost_per_token: number;
  output_cost_per_token: number;
}

/** One row of LiteLLM_VerificationToken, the fields this server keeps. */
export interface KeyRecord {
  token: string;
  key_name: string;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  expires: string | null;
  models: string[];
  metadata: Record<string, unknown>;
  blocked: boolean | null;
  /** Requests and tokens per minute; null: unlimited. Absent in state files from before they were kept. */
  rpm_limit?: number | null;
  tpm_limit?: number | null;
  user_id: string | null;
  team_id: string | null;
  model_spend: Record<string, number>;
  created_at: string;
  updated_at: string;
}

/**
 * One row of LiteLLM_SpendLogs plus the instant it becomes readable. Not derived from the client's
 * SpendLogRow (src/litellm/types.ts): this is the whole stored row; that, the columns the client reads, as parsed.
 */
export interface SpendLogRecord {
  request_id: string;
  call_type: string;
  api_key: string;
  spend: number;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  startTime: string;
  endTime: string;
  completionStartTime: string;
  model: string;
  model_id: string;
  /** Nullable in LiteLLM's table; the stand-in's own calls always set it. */
  model_group: string | null;
  custom_llm_provider: string;
  api_base: string;
  user: string;
  metadata: Record<string, unknown>;
  cache_hit: string;
  cache_key: string;
  request_tags: string[];
  team_id: string | null;
  end_user: string;
  requester_ip_address: string;
  status: string;
  session_id: string;
  /** Not a LiteLLM column: when the simulated batch writer has flushed this row. */
  visible_at: number;
  /** Not a LiteLLM column: insertion order, the tiebreak for equal startTime. */
  seq: number;
}

export interface PersistedState {
  version: 1;
  keys: KeyRecord[];
  spendLogs: SpendLogRecord[];
  seq: number;
  /** Key journal entries up to this sequence number are in `keys` (absent in older files: none). */
  journalSeq?: number;
}

export interface LiteLLMServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Admin key; LiteLLM requires it to start with sk-. */
  masterKey: string;
  /**
   * Delay before a request shows in /spend/logs/v2. LiteLLM batches spend
   * writes every PROXY_BATCH_WRITE_AT seconds (default 10), so a request is
   * invisible for up to that long; the default here is the same 10 s.
   */
  spendLogDelayMs?: number;
  /** JSON file for state across restarts; absent keeps state in memory only. */
  stateFile?: string;
  /** Injected clock (ms since epoch) for tests. */
  now?: () => number;
  models?: ModelConfig[];
  /** The budget refusal's status: 422 in 1.110.2 (`litellm.budget_exceeded_status_code`), 429 or 400 in older releases. */
  budgetExceededStatus?: 400 | 422 | 429;
  /** The most rows /spend/logs/v2 counts before it reports total_is_capped (LiteLLM: 10,000). */
  spendLogsCountCap?: number;
  /** Called with each handled request (method, path, status); never sees bodies or headers. */
  onRequest?: (method: string, path: string, status: number) => void;
}

export interface LiteLLMServerHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Writes pending state to the state file now (also done by stop()). */
  flush(): Promise<void>;
  /**
   * Benchmarks and tests only (no LiteLLM endpoint does this): adds spend-log rows as LiteLLM's
   * batch writer would have written them, without a chat call each. Returns how many.
   */
  loadSpendLogs(rows: Iterable<Omit<SpendLogRecord, "seq">>): number;
}
