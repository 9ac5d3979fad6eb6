/**
 * LiteLLM 1.110.2's checks on the key in the Authorization header, with its error bodies
 * (proxy/auth/user_api_key_auth.py, auth_checks.py, resolvers/exceptions.py):
 * - no key: 401 auth_error "Authentication Error, No api key passed in.";
 * - unknown or deleted key: 401 token_not_found_in_db "Authentication Error, Invalid API key
 *   provided.", param "key" (KeyNotFoundError, INVALID_API_KEY_ERROR_MESSAGE);
 * - blocked key: 401 auth_error "Authentication Error, Key is blocked. ...";
 * - expired key: 401 expired_key, param the abbreviated key;
 * - model outside the key's list: 403 key_model_access_denied, param "model"
 *   (auth/model_access_denied.py MODEL_ACCESS_DENIED_CLIENT_MESSAGE);
 * - spend at or over max_budget: 422 budget_exceeded (litellm.budget_exceeded_status_code).
 * The master key passes every check and calls as the proxy admin.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { abbreviateKey, proxyError } from "./errors";
import { pyFloat, pyUtcDatetime } from "./release";
import type { Store } from "./store";
import type { KeyRecord } from "./types";

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function sameSecret(a: string, b: string): boolean {
  // Compare digests so length differences leak nothing either.
  return timingSafeEqual(Buffer.from(sha256Hex(a), "hex"), Buffer.from(sha256Hex(b), "hex"));
}

export function isMasterKey(token: string | null, masterKey: string): boolean {
  return token !== null && sameSecret(token, masterKey);
}

function keyNotFound() {
  return proxyError(401, "token_not_found_in_db", "Authentication Error, Invalid API key provided.", "key");
}

export function noKey() {
  return proxyError(401, "auth_error", "Authentication Error, No api key passed in.");
}

/** Admin routes: only the master key passes (auth/route_checks.py for a virtual key's role). */
export function requireMaster(token: string | null, masterKey: string, store: Store, route: string): void {
  if (token === null) throw noKey();
  if (isMasterKey(token, masterKey)) return;
  if (token.startsWith("sk-") && store.key(sha256Hex(token)) !== undefined) {
    throw proxyError(
      401,
      "auth_error",
      `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=internal_user. Your user_id=None`,
    );
  }
  throw keyNotFound();
}

export type Caller = { kind: "master" } | { kind: "key"; key: KeyRecord; raw: string };

/** Who is calling an LLM route, refused the way LiteLLM refuses a key that may not be used. */
export function authenticate(store: Store, token: string | null, masterKey: string, now: number): Caller {
  if (token === null) throw noKey();
  if (isMasterKey(token, masterKey)) return { kind: "master" };
  const key = token.startsWith("sk-") ? store.key(sha256Hex(token)) : undefined;
  if (key === undefined) throw keyNotFound();
  if (key.blocked === true) {
    throw proxyError(401, "auth_error", "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.");
  }
  if (key.expires !== null && Date.parse(key.expires) < now) {
    throw proxyError(
      401,
      "expired_key",
      `Authentication Error - Expired Key. Key Expiry time ${pyUtcDatetime(Date.parse(key.expires))} and current time ${pyUtcDatetime(now)}`,
      abbreviateKey(token),
    );
  }
  store.resetBudgetIfDue(key, now);
  return { kind: "key", key, raw: token };
}

export function checkModelAccess(key: KeyRecord, model: string): void {
  if (key.models.length === 0 || key.models.includes(model)) return;
  throw proxyError(
    403,
    "key_model_access_denied",
    `The requested model '${model}' is not available for this API key, or the model name is invalid. Check the models available to you and try again.`,
    "model",
  );
}

const MASKED_KEY_NAME = /^sk-\.\.\.[A-Za-z0-9_-]{4}$/;

export function checkBudget(key: KeyRecord, status: number): void {
  if (key.max_budget === null || key.spend < key.max_budget) return;
  const label = key.key_alias ?? "key";
  const descriptor = MASKED_KEY_NAME.test(key.key_name) ? `${label} (${key.key_name})` : label;
  throw proxyError(status, "budget_exceeded", `Budget has been exceeded! Key=${descriptor} Current cost: ${pyFloat(key.spend)}, Max budget: ${pyFloat(key.max_budget)}`);
}
