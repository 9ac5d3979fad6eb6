/**
 * /key/generate, /key/update, /key/delete, /key/block, /key/unblock,
 * /key/info, /key/list, following key_management_endpoints.py.
 */
import { randomBytes } from "node:crypto";
import { sha256Hex } from "./auth";
import type { RouteResult, ServerContext } from "./context";
import { addDuration } from "./durations";
import type { HttpError } from "../http/error";
import { abbreviateKey, proxyError, pyDetail, uncaughtError } from "./errors";
import { queryInt } from "./http";
import { readKeyFields } from "./key-fields";
import { keyRow } from "./key-view";
import type { KeyRecord } from "./types";
import { messageOf } from "../errors";

const HASH_RE = /^[0-9a-f]{64}$/;

/** LiteLLM accepts a raw sk- key or the stored hash wherever it names a key. */
function toToken(keyOrHash: string): string {
  return keyOrHash.startsWith("sk-") ? sha256Hex(keyOrHash) : keyOrHash;
}

function aliasTaken(ctx: ServerContext, alias: string | null | undefined, exceptToken?: string): void {
  if (alias === null || alias === undefined) return;
  const other = ctx.store.keyByAlias(alias);
  if (other !== undefined && other.token !== exceptToken) {
    throw proxyError(400, "bad_request_error", `Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, "key_alias");
  }
}

/**
 * A key change that could not be made durable, answered as each LiteLLM route answers a failed
 * table write (key_management_endpoints.py): `generate_key_helper_fn` its generic 500
 * "Internal Server Error."; `update_key_fn` wraps any exception in a 400 auth_error
 * "Authentication Error, <e>"; `delete_key_fn` hands it to `handle_exception_on_proxy`, a 500
 * internal_server_error (this stand-in's "Invalid request type" answer has the same form);
 * `block_key` catches nothing, so Starlette answers its plain-text 500 (uncaughtError).
 */
const failedWrite = {
  generate: () => proxyError(500, "internal_server_error", pyDetail("Internal Server Error.")),
  update: (e: string) => proxyError(400, "auth_error", `Authentication Error, ${e}`, "None"),
  delete: (e: string) => proxyError(500, "internal_server_error", `Internal Server Error, ${e}`, "None"),
  block: () => uncaughtError(),
} as const;

async function durably(write: Promise<void>, refusal: (error: string) => HttpError): Promise<void> {
  try {
    await write;
  } catch (error) {
    throw refusal(messageOf(error));
  }
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export async function generateKey(ctx: ServerContext, body: Record<string, unknown>): Promise<RouteResult> {
  const f = readKeyFields(body);
  const now = ctx.now();
  aliasTaken(ctx, f.key_alias);
  if (f.key !== undefined && !f.key.startsWith("sk-")) {
    throw proxyError(400, "internal_server_error", pyDetail(`Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ****`));
  }
  const raw = f.key ?? `sk-${randomBytes(16).toString("base64url")}`;
  const token = sha256Hex(raw);
  if (ctx.store.key(token) !== undefined) {
    // LiteLLM hits the table's unique constraint here and answers a generic 500.
    throw proxyError(500, "internal_server_error", pyDetail("Internal Server Error."));
  }
  const iso = new Date(now).toISOString();
  const budgetDuration = f.budget_duration ?? null;
  const record: KeyRecord = {
    token,
    key_name: abbreviateKey(raw),
    key_alias: f.key_alias ?? null,
    spend: f.spend ?? 0,
    max_budget: f.max_budget ?? null,
    budget_duration: budgetDuration,
    budget_reset_at: budgetDuration === null ? null : isoOrNull(addDuration(now, budgetDuration)),
    expires: f.duration === undefined || f.duration === null || f.duration === "-1" ? null : isoOrNull(addDuration(now, f.duration)),
    models: f.models ?? [],
    metadata: f.metadata ?? {},
    blocked: f.blocked ?? null,
    rpm_limit: f.rpm_limit ?? null,
    tpm_limit: f.tpm_limit ?? null,
    user_id: f.user_id ?? null,
    team_id: null,
    model_spend: {},
    created_at: iso,
    updated_at: iso,
  };
  // A key whose row was never written does not exist.
  await durably(ctx.store.createKey(record), failedWrite.generate);
  const row = keyRow(record, false);
  return {
    status: 200,
    body: { ...row, key: raw, token, token_id: token, duration: f.duration ?? null, soft_budget: null, budget_id: null },
  };
}

function existing(ctx: ServerContext, keyOrHash: unknown): KeyRecord | undefined {
  return typeof keyOrHash === "string" ? ctx.store.key(toToken(keyOrHash)) : undefined;
}

export async function updateKey(ctx: ServerContext, body: Record<string, unknown>): Promise<RouteResult> {
  if (typeof body["key"] !== "string") throw proxyError(422, "bad_request_error", "Field required: key", "key");
  const k = existing(ctx, body["key"]);
  // key_management_endpoints.py `_get_and_validate_existing_key`.
  if (k === undefined) throw proxyError(404, "not_found_error", "Key not found.", "key");
  const f = readKeyFields(body);
  aliasTaken(ctx, f.key_alias, k.token);
  const now = ctx.now();
  const patch: Partial<KeyRecord> = { updated_at: new Date(now).toISOString() };
  if (f.key_alias !== undefined) patch.key_alias = f.key_alias;
  if (f.models !== undefined) patch.models = f.models;
  if (f.max_budget !== undefined) patch.max_budget = f.max_budget;
  if (f.metadata !== undefined) patch.metadata = f.metadata;
  if (f.blocked !== undefined) patch.blocked = f.blocked;
  if (f.spend !== undefined) patch.spend = f.spend;
  if (f.rpm_limit !== undefined) patch.rpm_limit = f.rpm_limit;
  if (f.tpm_limit !== undefined) patch.tpm_limit = f.tpm_limit;
  if (f.budget_duration !== undefined) {
    patch.budget_duration = f.budget_duration;
    patch.budget_reset_at = f.budget_duration === null ? null : isoOrNull(addDuration(now, f.budget_duration));
  }
  if (f.duration !== undefined) {
    patch.expires = f.duration === null || f.duration === "-1" ? null : isoOrNull(addDuration(now, f.duration));
  }
  await durably(ctx.store.changeKey(k, patch), failedWrite.update);
  // update_key_fn answers `{"key": key, **updated_row}`: the whole stored row, token included.
  return { status: 200, body: { key: body["key"], ...keyRow(k, true) } };
}

export async function deleteKeys(ctx: ServerContext, body: Record<string, unknown>): Promise<RouteResult> {
  const keys = body["keys"];
  const aliases = body["key_aliases"];
  let asked: string[];
  let tokens: string[];
  if (Array.isArray(keys) && keys.length > 0 && keys.every((x) => typeof x === "string")) {
    asked = keys as string[];
    tokens = asked.map(toToken);
  } else if (Array.isArray(aliases) && aliases.length > 0 && aliases.every((x) => typeof x === "string")) {
    asked = aliases as string[];
    tokens = asked.map((a) => ctx.store.keyByAlias(a)?.token).filter((t): t is string => t !== undefined);
  } else {
    throw proxyError(500, "internal_server_error", "Internal Server Error, Invalid request type");
  }
  const found = tokens.filter((t) => ctx.store.key(t) !== undefined);
  if (found.length === 0) throw proxyError(404, "internal_server_error", pyDetail("No keys found"));
  await durably(ctx.store.deleteKeys(found), failedWrite.delete);
  // LiteLLM echoes the request's list, whatever it matched.
  return { status: 200, body: { deleted_keys: asked } };
}

export async function setBlocked(ctx: ServerContext, body: Record<string, unknown>, blocked: boolean): Promise<RouteResult> {
  const key = body["key"];
  if (typeof key !== "string" || !(key.startsWith("sk-") || HASH_RE.test(key))) {
    throw proxyError(400, "bad_request_error", "Invalid key format.", "key");
  }
  const k = ctx.store.key(toToken(key));
  if (k === undefined) throw proxyError(404, "bad_request_error", `Key ${key} not found`, "key");
  await durably(ctx.store.changeKey(k, { blocked, updated_at: new Date(ctx.now()).toISOString() }), failedWrite.block);
  return { status: 200, body: keyRow(k, true) };
}

/** GET /key/info?key=...; without `key`, a virtual key may read its own info. */
export function keyInfo(ctx: ServerContext, query: URLSearchParams, callerKey: string | null): RouteResult {
  const asked = query.get("key") ?? callerKey;
  const k = asked === null ? undefined : ctx.store.key(toToken(asked));
  if (k === undefined || asked === null) throw proxyError(404, "not_found_error", "Key not found in database", "key");
  ctx.store.resetBudgetIfDue(k, ctx.now());
  return { status: 200, body: { key: asked, info: keyRow(k, false) } };
}

export function listKeys(ctx: ServerContext, query: URLSearchParams): RouteResult {
  const page = queryInt(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const size = queryInt(query, "size", 10, 1, 100);
  const alias = query.get("key_alias");
  const hash = query.get("key_hash");
  const full = query.get("return_full_object") === "true";
  const matching = ctx.store
    .allKeys()
    .filter((k) => (alias === null || k.key_alias === alias) && (hash === null || k.token === hash))
    // LiteLLM orders by created_at desc, then token desc.
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.token.localeCompare(a.token));
  const slice = matching.slice((page - 1) * size, page * size);
  return {
    status: 200,
    body: {
      keys: full ? slice.map((k) => keyRow(k, true)) : slice.map((k) => k.token),
      total_count: matching.length,
      current_page: page,
      total_pages: Math.ceil(matching.length / size),
    },
  };
}
