/**
 * POST /chat/completions and GET /models (with /v1 prefixes): OpenAI shapes,
 * deterministic replies, spend charged to the key and logged the way
 * LiteLLM's DB spend writer logs it.
 */
import { randomUUID } from "node:crypto";
import { authenticate, checkBudget, checkModelAccess } from "./auth";
import { countPromptTokens, countTextTokens, fakeReply, type ChatMessage } from "./completion";
import type { RouteResult, ServerContext } from "./context";
import { proxyError, validationError } from "./errors";
import { costOf } from "./models";
import { LITELLM_RELEASE, pyFloat } from "./release";
import { LOCAL_API_BASE, spendRow } from "./spend-row";
import { includeUsage, streamEvents } from "./stream";

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

/**
 * POST /chat/completions. The master key may call it (as the proxy admin, logged under
 * LiteLLM's master-key alias); a virtual key goes through authenticate(), its model list, its
 * rate limits and its budget. Answers carry LiteLLM's `x-litellm-*` headers
 * (common_request_processing.py `get_custom_headers`). The spend row is written for streamed
 * and plain calls alike, once the call has ended, and shows after the batch delay.
 */
export function chatCompletion(ctx: ServerContext, body: Record<string, unknown>, token: string | null): RouteResult {
  const now = ctx.now();
  const caller = authenticate(ctx.store, token, ctx.masterKey, now);
  const key = caller.kind === "key" ? caller.key : null;
  const modelName = body["model"];
  if (typeof modelName !== "string" || modelName === "") {
    throw proxyError(400, "invalid_request_error", "litellm.BadRequestError: model is required", "model");
  }
  if (key !== null) {
    checkModelAccess(key, modelName);
    checkBudget(key, ctx.budgetExceededStatus);
  }
  const model = ctx.models.find((m) => m.model_name === modelName);
  if (model === undefined) {
    throw proxyError(
      400,
      "invalid_request_error",
      `{'error': '/chat/completions: Invalid model name passed in model=${modelName}. Call \`/v1/models\` to view available models for your key.'}`,
      "model",
    );
  }
  const stream = body["stream"];
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    throw validationError(["body", "stream"], "Input should be a valid boolean", "bool_type");
  }
  const maxTokensRaw = body["max_tokens"] ?? body["max_completion_tokens"];
  const maxTokens = typeof maxTokensRaw === "number" && Number.isInteger(maxTokensRaw) && maxTokensRaw > 0 ? maxTokensRaw : null;
  const messages = readMessages(body);
  if (key !== null) ctx.rateLimits.admit(key, now);
  const reply = fakeReply(modelName, messages, maxTokens);
  const promptTokens = countPromptTokens(messages);
  const completionTokens = countTextTokens(reply);
  const totalTokens = promptTokens + completionTokens;
  const inputCost = promptTokens * model.input_cost_per_token;
  const outputCost = completionTokens * model.output_cost_per_token;
  const spend = costOf(model, promptTokens, completionTokens);
  const id = `chatcmpl-${randomUUID()}`;
  const end = ctx.now();

  // LiteLLM enforces budgets from its in-memory counter at once; only the DB write is batched.
  if (key !== null) {
    key.spend += spend;
    key.model_spend[modelName] = (key.model_spend[modelName] ?? 0) + spend;
    ctx.store.putKey(key);
    ctx.rateLimits.record(key, end, totalTokens);
  }
  ctx.store.addLog(spendRow(ctx, body, key, model, id, now, end, { promptTokens, completionTokens, spend }));

  const headers: Record<string, string> = {
    "x-litellm-call-id": id,
    "x-litellm-model-id": `local-${model.model_name}`,
    "x-litellm-model-api-base": LOCAL_API_BASE,
    "x-litellm-version": LITELLM_RELEASE,
    "x-litellm-response-cost": pyFloat(spend),
    "x-litellm-response-cost-original": pyFloat(spend),
    "x-litellm-response-cost-input": pyFloat(inputCost),
    "x-litellm-response-cost-output": pyFloat(outputCost),
    "x-litellm-key-spend": pyFloat(key === null ? spend : key.spend),
    "x-litellm-response-duration-ms": pyFloat(end - now),
  };
  if (key !== null) {
    if (key.max_budget !== null) headers["x-litellm-key-max-budget"] = pyFloat(key.max_budget);
    if ((key.rpm_limit ?? null) !== null) headers["x-litellm-key-rpm-limit"] = String(key.rpm_limit);
    if ((key.tpm_limit ?? null) !== null) headers["x-litellm-key-tpm-limit"] = String(key.tpm_limit);
  }
  const created = Math.floor(end / 1000);
  const finish = maxTokens !== null && completionTokens >= maxTokens ? "length" : "stop";
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: totalTokens };
  if (stream === true) {
    return { status: 200, body: null, headers, events: streamEvents(id, created, modelName, reply, finish, includeUsage(body) ? usage : null) };
  }
  return {
    status: 200,
    headers,
    body: {
      id,
      object: "chat.completion",
      created,
      model: modelName,
      system_fingerprint: null,
      choices: [{ index: 0, finish_reason: finish, message: { role: "assistant", content: reply, tool_calls: null, function_call: null } }],
      usage,
    },
  };
}

/** GET /v1/models: every model for the master key, the key's own list otherwise. */
export function listModels(ctx: ServerContext, token: string | null, isMaster: boolean): RouteResult {
  const caller = isMaster ? ({ kind: "master" } as const) : authenticate(ctx.store, token, ctx.masterKey, ctx.now());
  const visible = caller.kind === "master" || caller.key.models.length === 0 ? ctx.models : ctx.models.filter((m) => caller.key.models.includes(m.model_name));
  return {
    status: 200,
    body: {
      data: visible.map((m) => ({ id: m.model_name, object: "model", created: 1677610602, owned_by: m.provider })),
      object: "list",
    },
  };
}
