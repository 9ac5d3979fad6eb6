/**
 * LiteLLM's checks on the key in the Authorization header, with its error
 * bodies: missing or unknown key 401 auth_error, blocked key 401 auth_error,
 * expired key 400 expired_key, model outside the key's list 401
 * key_model_access_denied, spend at or over max_budget budget_exceeded.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { abbreviateKey, proxyError } from "./errors";
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

function invalidToken(token: string) {
  return proxyError(
    401,
    "auth_error",
    `Authentication Error, Invalid proxy server token passed. Received API Key = ${abbreviateKey(token)}, Key Hash (Token) =${sha256Hex(token)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
  );
}

export function noKey() {
  return proxyError(401, "auth_error", "Authentication Error, No api key passed in.");
}

/** Admin routes: only the master key passes. */
export function requireMaster(token: string | null, masterKey: string, store: Store, route: string): void {
  if (token === null) throw noKey();
  if (isMasterKey(token, masterKey)) return;
  if (token.startsWith("sk-") && store.key(sha256Hex(token)) !== undefined) {
    throw proxyError(
      401,
      "auth_error",
      `Authentication Error, Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=internal_user`,
    );
  }
  throw invalidToken(token);
}

/** Finds the virtual key and refuses it the way LiteLLM does when it may not be used. */
export function authenticateKey(store: Store, token: string | null, now: number): KeyRecord {
  if (token === null) throw noKey();
  const key = token.startsWith("sk-") ? store.key(sha256Hex(token)) : undefined;
  if (key === undefined) throw invalidToken(token);
  if (key.blocked === true) {
    throw proxyError(401, "auth_error", "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.");
  }
  if (key.expires !== null && Date.parse(key.expires) < now) {
    throw proxyError(
      400,
      "expired_key",
      `Authentication Error - Expired Key. Key Expiry time ${key.expires} and current time ${new Date(now).toISOString()}`,
      abbreviateKey(token),
    );
  }
  store.resetBudgetIfDue(key, now);
  return key;
}

export function checkModelAccess(key: KeyRecord, model: string): void {
  if (key.models.length === 0 || key.models.includes(model)) return;
  throw proxyError(
    401,
    "key_model_access_denied",
    `key not allowed to access model. This key can only access models=[${key.models.map((m) => `'${m}'`).join(", ")}]. Tried to access ${model}`,
    "model",
  );
}

export function checkBudget(key: KeyRecord, status: 400 | 429): void {
  if (key.max_budget === null || key.spend < key.max_budget) return;
  throw proxyError(
    status,
    "budget_exceeded",
    `Budget has been exceeded! Key=${key.token} Current cost: ${key.spend}, Max budget: ${key.max_budget}`,
    null,
  );
}
