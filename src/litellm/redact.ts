/**
 * Secret redaction for everything the LiteLLM client and the local server
 * write into errors or logs.
 *
 * LiteLLM keys (virtual and master) all start with `sk-`, and LiteLLM itself
 * echoes keys back in some error messages ("Key sk-... not found", the
 * abbreviated `sk-...abcd` in expired-key errors), so any text that crossed the
 * wire is scrubbed before it can reach a log line or an exception message.
 */

const SK_PATTERN = /sk-[A-Za-z0-9_\-.~+/=]*/g;
const BEARER_PATTERN = /(Bearer\s+)[^\s"',}]+/gi;

export const REDACTED = "sk-[REDACTED]";

/** Replaces every `sk-` secret and every bearer credential in `text`. */
export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  // Exact secrets first: a master key need not follow the sk- convention.
  for (const secret of extraSecrets) {
    if (secret.length >= 4) out = out.split(secret).join("[REDACTED]");
  }
  out = out.replace(BEARER_PATTERN, "$1[REDACTED]");
  return out.replace(SK_PATTERN, REDACTED);
}

/** True when `text` still carries something that looks like a key. */
export function containsSecret(text: string): boolean {
  return /sk-(?!\[REDACTED\])[A-Za-z0-9_\-.]/.test(text);
}

/** A logger that only ever receives redacted text. */
export interface LiteLLMLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export const silentLogger: LiteLLMLogger = {
  debug: () => undefined,
  warn: () => undefined,
};

/** Wraps a logger so that no caller can forget to redact. */
export function redactingLogger(inner: LiteLLMLogger, extraSecrets: readonly string[] = []): LiteLLMLogger {
  return {
    debug: (m) => inner.debug(redactSecrets(m, extraSecrets)),
    warn: (m) => inner.warn(redactSecrets(m, extraSecrets)),
  };
}
