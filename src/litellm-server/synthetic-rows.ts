import { LOCAL_API_BASE } from "./spend-row";
import { MASTER_KEY_ALIAS } from "./release";
import type { SpendLogRecord } from "./types";

/**
 * Deterministic spend-log rows for benchmarks and tests, shaped as the stand-in's spendRow()
 * (and LiteLLM's spend writer) writes them, without a chat call each: loaded into the stand-in
 * with loadSpendLogs() and into LiteLLM's PostgreSQL table with insertSpendLogs().
 *
 * The mix: keys of many subscriptions (`ff-<id>`, some rotated `ff-<id>-r<n>`), a share of
 * failed calls, a share of keys that are not FlareFlow's (another team's alias, no alias, the
 * master key), and deployments as LiteLLM logs them: the public model_group beside the
 * provider-prefixed, dated deployment name, an unknown model billed at the default multiplier.
 */

/** (model_group, model): public name and deployment name, as a LiteLLM router logs them. */
export const SYNTHETIC_DEPLOYMENTS: readonly (readonly [string | null, string])[] = [
  ["gpt-4o", "azure/gpt-4o-2024-08-06"],
  ["gpt-3.5-turbo", "openai/gpt-3.5-turbo-0125"],
  ["claude-3-5-sonnet", "anthropic/claude-3-5-sonnet-20241022"],
  ["claude-3-5-sonnet", "bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0"],
  ["llama-3-70b", "groq/llama3-70b-8192"],
  [null, "vertex_ai/claude-3-haiku@20240307"],
  ["house-model", "openai/house-model-v1"],
];

export type SyntheticRowsOptions = {
  rows: number;
  /** Rows get startTime in [startMs, startMs + spanMs). */
  startMs: number;
  spanMs: number;
  subscriptions: number;
  /** Makes request ids unique across calls (e.g. a window number). */
  idPrefix: string;
  seed?: number;
  /** Shares in [0, 1]. */
  failedShare?: number;
  foreignShare?: number;
  rotatedShare?: number;
  /** When the simulated batch writer makes the row readable (default: at once). */
  visibleAt?: number;
};

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Aliases that are not a subscription's: another team, none, the master key, and near misses of ff-<id>. */
const FOREIGN_ALIASES: readonly (string | null)[] = ["team-analytics", null, MASTER_KEY_ALIAS, "ff-", "ff-12x", "ff-7-r0", "ff-18446744073709551616", "FF-7"];

export function* syntheticSpendRows(o: SyntheticRowsOptions): Generator<Omit<SpendLogRecord, "seq">> {
  const rand = random(o.seed ?? 1);
  const failedShare = o.failedShare ?? 0.01;
  const foreignShare = o.foreignShare ?? 0.02;
  const rotatedShare = o.rotatedShare ?? 0.1;
  // Rows of one key share their metadata object: the JSON is the same, the memory is not.
  const metadataByAlias = new Map<string | null, Record<string, unknown>>();
  const metadataOf = (alias: string | null, apiKey: string): Record<string, unknown> => {
    let m = metadataByAlias.get(alias);
    if (m === undefined) {
      m = {
        user_api_key: apiKey,
        user_api_key_alias: alias,
        user_api_key_team_id: null,
        user_api_key_org_id: null,
        user_api_key_user_id: null,
        user_api_key_team_alias: null,
        spend_logs_metadata: null,
        requester_ip_address: "",
        applied_guardrails: [],
        status: "success",
        additional_usage_values: {},
      };
      metadataByAlias.set(alias, m);
    }
    return m;
  };
  const step = o.spanMs / Math.max(1, o.rows);
  for (let i = 0; i < o.rows; i++) {
    const sub = 1 + Math.floor(rand() * o.subscriptions);
    const foreign = rand() < foreignShare;
    const alias = foreign ? (FOREIGN_ALIASES[i % FOREIGN_ALIASES.length] ?? null) : rand() < rotatedShare ? `ff-${sub}-r${1 + (sub % 3)}` : `ff-${sub}`;
    const apiKey = (alias ?? "none").padEnd(64, "0").slice(0, 64);
    const [group, model] = SYNTHETIC_DEPLOYMENTS[Math.floor(rand() * SYNTHETIC_DEPLOYMENTS.length)] ?? ["gpt-4o", "gpt-4o"];
    const failed = rand() < failedShare;
    const prompt = failed ? 0 : 1 + Math.floor(rand() * 3000);
    const completion = failed ? 0 : Math.floor(rand() * 1000);
    const start = Math.floor(o.startMs + i * step);
    const startIso = new Date(start).toISOString();
    const endIso = new Date(start + 800).toISOString();
    yield {
      request_id: `chatcmpl-${o.idPrefix}-${i.toString(36)}`,
      call_type: "acompletion",
      api_key: apiKey,
      spend: (prompt + completion) * 1e-6,
      total_tokens: prompt + completion,
      prompt_tokens: prompt,
      completion_tokens: completion,
      startTime: startIso,
      endTime: endIso,
      completionStartTime: endIso,
      model,
      model_id: `local-${group ?? model}`,
      model_group: group,
      custom_llm_provider: model.split("/")[0] ?? "",
      api_base: LOCAL_API_BASE,
      user: "",
      metadata: metadataOf(alias, apiKey),
      cache_hit: "False",
      cache_key: "Cache OFF",
      request_tags: [],
      team_id: null,
      end_user: "",
      requester_ip_address: "",
      status: failed ? "failure" : "success",
      session_id: `session-${o.idPrefix}-${i.toString(36)}`,
      visible_at: o.visibleAt ?? 0,
    };
  }
}
