/**
 * A key's rpm_limit / tpm_limit, as LiteLLM 1.110.2 enforces them
 * (proxy/hooks/parallel_request_limiter_v3.py): a sliding 60-s window per key of requests and of
 * tokens used; a request is refused with 429 before it runs when the window already holds
 * rpm_limit requests or tpm_limit tokens (`_handle_rate_limit_error`: message, `retry-after`,
 * error type "throttling_error" from litellm.RateLimitError). Tokens count when a call ends.
 * Kept in memory, as LiteLLM keeps them in its cache; a restart starts empty windows.
 */
import { proxyError } from "./errors";
import { RATE_LIMIT_WINDOW_MS } from "./release";
import type { KeyRecord } from "./types";

type Window = { requests: number[]; tokens: Array<{ at: number; tokens: number }> };

function utcStamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number = RATE_LIMIT_WINDOW_MS) {}

  private window(token: string, now: number): Window {
    let w = this.windows.get(token);
    if (w === undefined) {
      w = { requests: [], tokens: [] };
      this.windows.set(token, w);
    }
    const since = now - this.windowMs;
    w.requests = w.requests.filter((t) => t > since);
    w.tokens = w.tokens.filter((t) => t.at > since);
    return w;
  }

  /** Refuses when a limit is reached; otherwise counts this request. */
  admit(key: KeyRecord, now: number): void {
    const rpm = key.rpm_limit ?? null;
    const tpm = key.tpm_limit ?? null;
    if (rpm === null && tpm === null) return;
    const w = this.window(key.token, now);
    const refuse = (type: "requests" | "tokens", limit: number) =>
      proxyError(
        429,
        "throttling_error",
        `Rate limit exceeded for api_key: ${key.token}. Limit type: ${type}. Current limit: ${limit}, Remaining: 0. Limit resets at: ${utcStamp(now + this.windowMs)}`,
        null,
        { "retry-after": String(this.windowMs / 1000), rate_limit_type: type, reset_at: utcStamp(now + this.windowMs) },
      );
    if (rpm !== null && w.requests.length >= rpm) throw refuse("requests", rpm);
    const used = w.tokens.reduce((sum, t) => sum + t.tokens, 0);
    if (tpm !== null && used >= tpm) throw refuse("tokens", tpm);
    w.requests.push(now);
  }

  /** Counts a finished call's tokens against the key's window. */
  record(key: KeyRecord, now: number, tokens: number): void {
    if ((key.tpm_limit ?? null) === null) return;
    this.window(key.token, now).tokens.push({ at: now, tokens });
  }

  /** Remaining requests and tokens in the current window (null: no limit), for the response headers. */
  remaining(key: KeyRecord, now: number): { requests: number | null; tokens: number | null } {
    const w = this.window(key.token, now);
    const rpm = key.rpm_limit ?? null;
    const tpm = key.tpm_limit ?? null;
    return {
      requests: rpm === null ? null : Math.max(0, rpm - w.requests.length),
      tokens: tpm === null ? null : Math.max(0, tpm - w.tokens.reduce((s, t) => s + t.tokens, 0)),
    };
  }
}
