/**
 * POST /chat/completions and GET /models (with /v1 prefixes): OpenAI shapes,
 * deterministic replies, spend charged to the key and logged the way
 * LiteLLM's DB spend writer logs it.
 */
import { randomUUID } from "node:crypto";
import { authenticateKey, checkBudget, checkModelAccess } from "./auth";
import { countPromptTokens, countTextTokens, fakeReply, type ChatMessage } from "./completion";
import type { RouteResult, ServerContext } from "./context";
import { proxyError } from "./errors";
import { costOf } from "./models";

function readMessages(body: Record<string, unknown>): ChatMessage[] {
  const raw = body["messages"];
  if (!Array.isArray(raw) || raw.length === 0) {
    throw proxyError(400, "invalid_request_error", "litellm.BadRequestError: messages must be a non-empty list", "messages");
  }
  return raw.map((m, i) => {
    if (typeof m !== "object" || m === null) throw proxyError(400, "invalid_request_error", `messages[${i}] must be an object`, "messages");
    const role = (m as Record<string, unknown>)["role"];
    const content = (m as Record<string, unknown>)["content"];
    if (typeof role !== "string") throw proxyError(400, "invalid_request_error", `messages[${i}].role must be a string`, "messages");
    let text: string;
    if (typeof content === "string") text = content;
    else if (Array.isArray(content)) {
      // OpenAI content parts: only text parts count here.
      text = content
        .map((p) => (typeof p === "object" && p !== null && typeof (p as Record<string, unknown>)["text"] === "string" ? String((p as Record<string, unknown>)["text"]) : ""))
        .join("\n");
    } else if (content === null || content === undefined) text = "";
    else throw proxyError(400, "invalid_request_error", `messages[${i}].content must be a string or a list`, "messages");
    return { role, content: text };
  });
}

export function chatCompletion(ctx: ServerContext, body: Record<string, unknown>, token: string | null): RouteResult {
  const now = ctx.now();
  const key = authenticateKey(ctx.store, token, now);
  const modelName = body["model"];
  if (typeof modelName !== "string" || modelName === "") {
    throw proxyError(400, "invalid_request_error", "litellm.BadRequestError: model is required", "model");
  }
  checkModelAccess(key, modelName);
  checkBudget(key, ctx.budgetExceededStatus);
  const model = ctx.models.find((m) => m.model_name === modelName);
  if (model === undefined) {
    throw proxyError(
      400,
      "invalid_request_error",
      `{'error': '/chat/completions: Invalid model name passed in model=${modelName}. Call \`/v1/models\` to view available models for your key.'}`,
      "model",
    );
  }
  if (body["stream"] === true) {
    throw proxyError(400, "invalid_request_error", "stream=true is not supported by the local LiteLLM server", "stream");
  }
  const maxTokensRaw = body["max_tokens"] ?? body["max_completion_tokens"];
  const maxTokens = typeof maxTokensRaw === "number" && Number.isInteger(maxTokensRaw) && maxTokensRaw > 0 ? maxTokensRaw : null;
  const messages = readMessages(body);
  const reply = fakeReply(modelName, messages, maxTokens);
  const promptTokens = countPromptTokens(messages);
  const completionTokens = countTextTokens(reply);
  const spend = costOf(model, promptTokens, completionTokens);
  const id = `chatcmpl-${randomUUID()}`;
  const end = ctx.now();

  // LiteLLM enforces budgets from its in-memory counter at once; only the DB write is batched.
  key.spend += spend;
  key.model_spend[modelName] = (key.model_spend[modelName] ?? 0) + spend;
  ctx.store.putKey(key);

  const requestMetadata = body["metadata"];
  const keySpendMeta = key.metadata["spend_logs_metadata"];
  const reqSpendMeta =
    typeof requestMetadata === "object" && requestMetadata !== null ? (requestMetadata as Record<string, unknown>)["spend_logs_metadata"] : undefined;
  const spendLogsMetadata =
    typeof keySpendMeta === "object" || typeof reqSpendMeta === "object"
      ? { ...(keySpendMeta as Record<string, unknown> | undefined), ...(reqSpendMeta as Record<string, unknown> | undefined) }
      : null;
  ctx.store.addLog({
    request_id: id,
    call_type: "acompletion",
    api_key: key.token,
    spend,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    startTime: new Date(now).toISOString(),
    endTime: new Date(end).toISOString(),
    completionStartTime: new Date(end).toISOString(),
    model: model.litellm_model,
    model_id: `local-${model.model_name}`,
    model_group: model.model_name,
    custom_llm_provider: model.provider,
    api_base: "http://127.0.0.1/local-fake",
    user: typeof body["user"] === "string" ? body["user"] : key.user_id ?? "",
    metadata: {
      user_api_key: key.token,
      user_api_key_alias: key.key_alias,
      user_api_key_team_id: key.team_id,
      user_api_key_org_id: null,
      user_api_key_user_id: key.user_id,
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
    team_id: key.team_id,
    end_user: typeof body["user"] === "string" ? body["user"] : "",
    requester_ip_address: "",
    status: "success",
    session_id: randomUUID(),
    visible_at: end + ctx.spendLogDelayMs,
    seq: ctx.store.nextSeq(),
  });

  return {
    status: 200,
    body: {
      id,
      object: "chat.completion",
      created: Math.floor(end / 1000),
      model: modelName,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          finish_reason: maxTokens !== null && completionTokens >= maxTokens ? "length" : "stop",
          message: { role: "assistant", content: reply, tool_calls: null, function_call: null },
        },
      ],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    },
  };
}

/** GET /v1/models: every model for the master key, the key's own list otherwise. */
export function listModels(ctx: ServerContext, token: string | null, isMaster: boolean): RouteResult {
  const visible = isMaster
    ? ctx.models
    : (() => {
        const key = authenticateKey(ctx.store, token, ctx.now());
        return key.models.length === 0 ? ctx.models : ctx.models.filter((m) => key.models.includes(m.model_name));
      })();
  return {
    status: 200,
    body: {
      data: visible.map((m) => ({ id: m.model_name, object: "model", created: 1677610602, owned_by: m.provider })),
      object: "list",
    },
  };
}
