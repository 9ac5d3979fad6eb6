/**
 * A key's rpm_limit / tpm_limit, as LiteLLM 1.110.2 enforces them in memory
 * (proxy/hooks/parallel_request_limiter_v3.py, `_in_memory_cache_sliding_window`,
 * `is_cache_list_over_limit`, `_handle_rate_limit_error`):
 * - one window per key, despite the function's name a fixed one: it starts at the first call
 *   after the previous window has run its LITELLM_RATE_LIMIT_WINDOW_SIZE (60 s, whole seconds of
 *   the call's time), and starting it sets the key's request and token counters back to 0;
 * - each call adds 1 to the request counter before the check and is refused when the count is
 *   above rpm_limit (a refused call stays counted);
 * - a call is refused when the tokens counted in the window plus what it reserves exceed
 *   tpm_limit. 1.110.2 reserves an estimate of the call (its input plus max_tokens, or a floor)
 *   and settles the difference when the call ends; this stand-in reserves the least estimate the
 *   release takes (1 token) and counts the call's total tokens when it ends, so it refuses a call
 *   only once the window's tokens have reached tpm_limit. That is looser than LiteLLM, which
 *   refuses sooner (by up to one call's estimate), never later (README, LiteLLM stand-in);
 * - a refusal is a 429 with the message, `retry-after` and error type "throttling_error" of
 *   litellm.RateLimitError.
 * Kept in memory, as LiteLLM keeps them in its cache without Redis; a restart starts empty windows.
 */
import { proxyError } from "./errors";
import { RATE_LIMIT_WINDOW_MS } from "./release";
import type { KeyRecord } from "./types";

type Window = { start: number; requests: number; tokens: number };

function utcStamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number = RATE_LIMIT_WINDOW_MS) {}

  /** The key's window at `now`, a new one (counters at 0) when the last has run its length. */
  private window(token: string, now: number): Window {
    const second = Math.floor(now / 1000);
    let w = this.windows.get(token);
    if (w === undefined || second - w.start >= this.windowMs / 1000) {
      w = { start: second, requests: 0, tokens: 0 };
      this.windows.set(token, w);
    }
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
    if (rpm !== null) {
      w.requests += 1;
      if (w.requests > rpm) throw refuse("requests", rpm);
    }
    if (tpm !== null && w.tokens + 1 > tpm) throw refuse("tokens", tpm);
  }

  /** Counts a finished call's tokens in the key's current window. */
  record(key: KeyRecord, now: number, tokens: number): void {
    if ((key.tpm_limit ?? null) === null) return;
    const w = this.windows.get(key.token);
    // A window that has run its length is replaced by the next call, losing what it counted.
    if (w !== undefined && Math.floor(now / 1000) - w.start < this.windowMs / 1000) w.tokens += tokens;
  }
}
