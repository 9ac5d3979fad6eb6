/**
 * Validators turning untrusted response bodies into the typed shapes of
 * ./types. Each throws ShapeError with the offending path.
 */
import type {
  DeleteKeysResponse,
  GenerateKeyResponse,
  KeyInfo,
  KeyInfoResponse,
  KeyListPage,
  SpendLogMetadata,
  SpendLogRow,
  SpendLogsPage,
} from "./types";
import {
  arrayOf,
  bool,
  count,
  field,
  hash64,
  isoDate,
  jsonObjectOrString,
  nonNegNum,
  object,
  optField,
  ShapeError,
  str,
} from "./validate";

const strings = arrayOf(str);

export function parseGenerateKeyResponse(body: unknown): GenerateKeyResponse {
  const o = object(body, "");
  const key = field(o, "key", str, "");
  if (!key.startsWith("sk-")) throw new ShapeError("key", "an sk- key", "another string");
  return {
    key,
    token: field(o, "token", hash64, ""),
    key_alias: optField(o, "key_alias", str, ""),
    key_name: optField(o, "key_name", str, ""),
    expires: optField(o, "expires", isoDate, ""),
    models: optField(o, "models", strings, "") ?? [],
    max_budget: optField(o, "max_budget", nonNegNum, ""),
    budget_duration: optField(o, "budget_duration", str, ""),
    metadata: jsonObjectOrString(o["metadata"], "metadata"),
  };
}

export function parseKeyInfo(value: unknown, path: string): KeyInfo {
  const o = object(value, path);
  return {
    token: optField(o, "token", hash64, path),
    key_alias: optField(o, "key_alias", str, path),
    key_name: optField(o, "key_name", str, path),
    spend: optField(o, "spend", nonNegNum, path) ?? 0,
    max_budget: optField(o, "max_budget", nonNegNum, path),
    budget_duration: optField(o, "budget_duration", str, path),
    budget_reset_at: optField(o, "budget_reset_at", isoDate, path),
    expires: optField(o, "expires", isoDate, path),
    models: optField(o, "models", strings, path) ?? [],
    metadata: jsonObjectOrString(o["metadata"], path ? `${path}.metadata` : "metadata"),
    blocked: optField(o, "blocked", bool, path) ?? false,
    rpm_limit: optField(o, "rpm_limit", count, path),
    tpm_limit: optField(o, "tpm_limit", count, path),
    created_at: optField(o, "created_at", isoDate, path),
  };
}

export function parseKeyInfoResponse(body: unknown): KeyInfoResponse {
  const o = object(body, "");
  return { key: field(o, "key", str, ""), info: parseKeyInfo(o["info"], "info") };
}

/** One /key/list entry: a full key row, or only its hash (the default form). */
export type KeyListEntry = { kind: "full"; info: KeyInfo } | { kind: "hash"; token: string };

export function parseKeyListEntry(value: unknown, path: string): KeyListEntry {
  if (typeof value === "string") return { kind: "hash", token: hash64(value, path) };
  return { kind: "full", info: parseKeyInfo(value, path) };
}

/** /key/list in either form; hash-only entries are returned for the caller to complete. */
export function parseKeyListAnswer(body: unknown): Omit<KeyListPage, "keys"> & { entries: KeyListEntry[] } {
  const o = object(body, "");
  const entries = field(o, "keys", arrayOf((v, p) => parseKeyListEntry(v, p)), "");
  return {
    entries,
    total_count: optField(o, "total_count", count, "") ?? entries.length,
    current_page: optField(o, "current_page", count, "") ?? 1,
    total_pages: optField(o, "total_pages", count, "") ?? 1,
  };
}

export function parseDeleteKeysResponse(body: unknown): DeleteKeysResponse {
  const o = object(body, "");
  return { deleted_keys: field(o, "deleted_keys", strings, "") };
}

/** /key/update answers `{key, ...the updated key row}` (the row carries its `token`). */
export function parseUpdateKeyResponse(body: unknown): KeyInfo {
  const o = object(body, "");
  field(o, "key", str, "");
  field(o, "token", hash64, "");
  return parseKeyInfo(o, "");
}

function parseSpendLogMetadata(value: unknown, path: string): SpendLogMetadata {
  const o = jsonObjectOrString(value, path);
  const slm = o["spend_logs_metadata"];
  return {
    ...o,
    user_api_key: optField(o, "user_api_key", str, path),
    user_api_key_alias: optField(o, "user_api_key_alias", str, path),
    user_api_key_user_id: optField(o, "user_api_key_user_id", str, path),
    spend_logs_metadata: slm === null || slm === undefined ? null : jsonObjectOrString(slm, `${path}.spend_logs_metadata`),
  };
}

export function parseSpendLogRow(value: unknown, path: string): SpendLogRow {
  const o = object(value, path);
  const prompt = field(o, "prompt_tokens", count, path);
  const completion = field(o, "completion_tokens", count, path);
  const total = field(o, "total_tokens", count, path);
  // A row whose parts do not add up would bill the wrong amount downstream.
  if (total !== prompt + completion) {
    throw new ShapeError(`${path}.total_tokens`, `prompt_tokens + completion_tokens (${prompt + completion})`, total);
  }
  return {
    request_id: field(o, "request_id", str, path),
    call_type: optField(o, "call_type", str, path) ?? "",
    api_key: field(o, "api_key", str, path),
    spend: field(o, "spend", nonNegNum, path),
    total_tokens: total,
    prompt_tokens: prompt,
    completion_tokens: completion,
    startTime: field(o, "startTime", isoDate, path),
    endTime: field(o, "endTime", isoDate, path),
    model: field(o, "model", str, path),
    model_group: optField(o, "model_group", str, path),
    user: optField(o, "user", str, path),
    status: optField(o, "status", str, path),
    metadata: parseSpendLogMetadata(o["metadata"], `${path}.metadata`),
  };
}

export function parseSpendLogsPage(body: unknown): SpendLogsPage {
  const o = object(body, "");
  return {
    data: field(o, "data", arrayOf((v, p) => parseSpendLogRow(v, p)), ""),
    total: field(o, "total", count, ""),
    page: field(o, "page", count, ""),
    page_size: field(o, "page_size", count, ""),
    total_pages: field(o, "total_pages", count, ""),
    total_is_capped: optField(o, "total_is_capped", bool, "") ?? false,
  };
}

