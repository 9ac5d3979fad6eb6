/**
 * Validation of /key/generate and /key/update bodies. LiteLLM validates with
 * pydantic (422 on a wrong type) and then applies its own rules (400). Fields of LiteLLM's
 * GenerateKeyRequest / UpdateKeyRequest (proxy/_types.py) that this stand-in does not implement
 * are refused with 400, never silently dropped: a key must not look limited when it is not.
 */
import { addDuration } from "./durations";
import { proxyError, validationError } from "./errors";

export interface KeyFields {
  key_alias?: string | null;
  models?: string[];
  max_budget?: number | null;
  budget_duration?: string | null;
  duration?: string | null;
  metadata?: Record<string, unknown>;
  blocked?: boolean | null;
  user_id?: string | null;
  key?: string;
  spend?: number;
  rpm_limit?: number | null;
  tpm_limit?: number | null;
}

/** LiteLLM key fields the stand-in does not implement (a non-null value is refused). */
const UNIMPLEMENTED_FIELDS = [
  "team_id", "organization_id", "project_id", "agent_id", "budget_id", "max_parallel_requests",
  "model_max_budget", "model_rpm_limit", "model_tpm_limit", "rpm_limit_type", "tpm_limit_type",
  "soft_budget", "aliases", "config", "permissions", "allowed_cache_controls", "allowed_routes",
  "tags", "enforced_params", "guardrails", "prompts", "object_permission", "router_settings",
  "access_group_ids", "budget_limits", "auto_rotate", "rotation_interval", "key_type", "budget_fallbacks",
] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function readKeyFields(body: Record<string, unknown>): KeyFields {
  const out: KeyFields = {};
  const strOrNull = (name: keyof KeyFields) => {
    const v = body[name];
    if (v === undefined) return;
    if (v !== null && typeof v !== "string") throw validationError(["body", name], "Input should be a valid string", "string_type");
    (out as Record<string, unknown>)[name] = v;
  };
  strOrNull("key_alias");
  strOrNull("budget_duration");
  strOrNull("duration");
  strOrNull("user_id");
  if (body["key"] !== undefined) {
    if (typeof body["key"] !== "string") throw validationError(["body", "key"], "Input should be a valid string", "string_type");
    out.key = body["key"];
  }
  if (body["models"] !== undefined) {
    const m = body["models"];
    if (!Array.isArray(m) || !m.every((x) => typeof x === "string")) {
      throw validationError(["body", "models"], "Input should be a valid list of strings", "list_type");
    }
    out.models = m as string[];
  }
  for (const name of ["max_budget", "spend"] as const) {
    const v = body[name];
    if (v === undefined) continue;
    if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) {
      throw validationError(["body", name], "Input should be a valid number", "float_type");
    }
    if (typeof v === "number" && v < 0) {
      throw proxyError(400, "bad_request_error", `{'error': '${name} cannot be negative. Received: ${v}'}`);
    }
    if (name === "max_budget") out.max_budget = v as number | null;
    else if (typeof v === "number") out.spend = v;
  }
  if (body["metadata"] !== undefined && body["metadata"] !== null) {
    if (!isObject(body["metadata"])) throw validationError(["body", "metadata"], "Input should be a valid dictionary", "dict_type");
    out.metadata = body["metadata"];
  }
  if (body["blocked"] !== undefined) {
    const b = body["blocked"];
    if (b !== null && typeof b !== "boolean") throw validationError(["body", "blocked"], "Input should be a valid boolean", "bool_type");
    out.blocked = b as boolean | null;
  }
  for (const name of ["rpm_limit", "tpm_limit"] as const) {
    const v = body[name];
    if (v === undefined) continue;
    if (v !== null && (typeof v !== "number" || !Number.isSafeInteger(v))) {
      throw validationError(["body", name], "Input should be a valid integer", "int_type");
    }
    if (typeof v === "number" && v < 0) throw proxyError(400, "bad_request_error", `${name} cannot be negative. Received: ${v}`, name);
    out[name] = v as number | null;
  }
  for (const name of UNIMPLEMENTED_FIELDS) {
    if (body[name] !== undefined && body[name] !== null) {
      throw proxyError(400, "bad_request_error", `local LiteLLM stand-in: the key field \`${name}\` is not implemented here; refused rather than ignored`, name);
    }
  }
  for (const name of ["budget_duration", "duration"] as const) {
    const v = out[name];
    if (typeof v === "string" && v !== "-1" && addDuration(0, v) === null) {
      throw proxyError(400, "bad_request_error", `Invalid duration format: ${v}`);
    }
  }
  return out;
}
