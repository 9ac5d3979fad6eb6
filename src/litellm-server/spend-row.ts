import { randomUUID } from "node:crypto";
import type { ServerContext } from "./context";
import { MASTER_KEY_ALIAS, PROXY_ADMIN_NAME } from "./release";
import type { KeyRecord, ModelConfig, SpendLogRecord } from "./types";

export const LOCAL_API_BASE = "http://127.0.0.1/local-fake";

/** One LiteLLM_SpendLogs row as the DB spend writer logs it (proxy/spend_tracking/spend_tracking_utils.py). */
export function spendRow(
  ctx: ServerContext,
  body: Record<string, unknown>,
  key: KeyRecord | null,
  model: ModelConfig,
  id: string,
  start: number,
  end: number,
  use: { promptTokens: number; completionTokens: number; spend: number },
): SpendLogRecord {
  const requestMetadata = body["metadata"];
  const keySpendMeta = key?.metadata["spend_logs_metadata"];
  const reqSpendMeta =
    typeof requestMetadata === "object" && requestMetadata !== null ? (requestMetadata as Record<string, unknown>)["spend_logs_metadata"] : undefined;
  const spendLogsMetadata =
    typeof keySpendMeta === "object" || typeof reqSpendMeta === "object"
      ? { ...(keySpendMeta as Record<string, unknown> | undefined), ...(reqSpendMeta as Record<string, unknown> | undefined) }
      : null;
  const apiKey = key === null ? MASTER_KEY_ALIAS : key.token;
  const userId = key === null ? PROXY_ADMIN_NAME : key.user_id;
  const endUser = typeof body["user"] === "string" ? body["user"] : "";
  return {
    request_id: id,
    call_type: "acompletion",
    api_key: apiKey,
    spend: use.spend,
    total_tokens: use.promptTokens + use.completionTokens,
    prompt_tokens: use.promptTokens,
    completion_tokens: use.completionTokens,
    startTime: new Date(start).toISOString(),
    endTime: new Date(end).toISOString(),
    completionStartTime: new Date(end).toISOString(),
    model: model.litellm_model,
    model_id: `local-${model.model_name}`,
    model_group: model.model_name,
    custom_llm_provider: model.provider,
    api_base: LOCAL_API_BASE,
    user: endUser !== "" ? endUser : userId ?? "",
    metadata: {
      user_api_key: apiKey,
      user_api_key_alias: key?.key_alias ?? null,
      user_api_key_team_id: key?.team_id ?? null,
      user_api_key_org_id: null,
      user_api_key_user_id: userId,
      user_api_key_team_alias: null,
      spend_logs_metadata: spendLogsMetadata,
      requester_ip_address: "",
      applied_guardrails: [],
      status: "success",
      additional_usage_values: {},
    },
    cache_hit: "False",
    cache_key: "Cache OFF",
    request_tags: [],
    team_id: key?.team_id ?? null,
    end_user: endUser,
    requester_ip_address: "",
    status: "success",
    session_id: randomUUID(),
    visible_at: end + ctx.spendLogDelayMs,
    seq: ctx.store.nextSeq(),
  };
}
