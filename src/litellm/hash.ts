import { createHash, randomBytes } from "node:crypto";

/**
 * LiteLLM stores and logs a virtual key only as `hash_token(key)`: the sha256
 * hex digest of the raw `sk-` string. The same digest is what goes on Flow.
 */
export function hashKey(rawKey: string): string {
  return createHash("sha256").update(rawKey, "utf8").digest("hex");
}

const HASH_RE = /^[0-9a-f]{64}$/;

export function isKeyHash(value: string): boolean {
  return HASH_RE.test(value);
}

/** Accepts a raw key or its hash and returns the hash (what spend logs carry). */
export function toKeyHash(apiKeyOrHash: string): string {
  if (apiKeyOrHash.startsWith("sk-")) return hashKey(apiKeyOrHash);
  if (isKeyHash(apiKeyOrHash)) return apiKeyOrHash;
  throw new TypeError("expected an sk- key or a 64-character sha256 hex hash");
}

/**
 * A new raw key in LiteLLM's own format (`sk-` + token_urlsafe(16)). Generating
 * it client-side lets /key/generate be retried safely: a retry carries the same
 * key, so a lost response can be recognised instead of minting a second key.
 */
export function newRawKey(): string {
  return `sk-${randomBytes(16).toString("base64url")}`;
}
