/**
 * Secret redaction for text: error messages, and every log line (src/log.ts runs each line
 * through redactSecrets before it is written).
 *
 * LiteLLM keys (virtual and master) all start with `sk-`, and LiteLLM itself
 * echoes keys back in some error messages ("Key sk-... not found", the
 * abbreviated `sk-...abcd` in expired-key errors), so any text that crossed the
 * wire is scrubbed before it can reach a log line or an exception message.
 * A URL's password (postgres://user:password@host/db) goes the same way.
 */

const SK_PATTERN = /sk-[A-Za-z0-9_\-.~+/=]*/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',}]+/gi;
const URL_PASSWORD_PATTERN = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']*:)[^\s/@"']+@/gi;

export const REDACTED = "sk-[REDACTED]";

/** Replaces every `sk-` secret, bearer credential and URL password in `text`, and each of `extraSecrets`. */
export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  // Exact secrets first: a master key need not follow the sk- convention.
  for (const secret of extraSecrets) {
    if (secret.length >= 4) out = out.split(secret).join("[REDACTED]");
  }
  out = out.replace(BEARER_PATTERN, "$1[REDACTED]");
  out = out.replace(URL_PASSWORD_PATTERN, "$1[REDACTED]@");
  return out.replace(SK_PATTERN, REDACTED);
}

/** True when `text` still carries something that looks like a key. */
export function containsSecret(text: string): boolean {
  return /sk-(?!\[REDACTED\])[A-Za-z0-9_\-.]/.test(text);
}

/** A one-line description of any thrown value, for logs and the key service's health endpoint. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redactSecrets(`${error.name}: ${error.message}`);
  return redactSecrets(String(error));
}
