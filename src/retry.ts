/**
 * The one retry loop of the project: LiteLLM's admin calls (bounded, jittered exponential
 * backoff) and the reads of public endpoints (fixed delays, src/fetch-read.ts). Sleep and
 * randomness are injected so tests can count attempts without waiting.
 */

export interface RetryPolicy {
  /** Total attempts including the first; 1 disables retries. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The delay before retry number `retry` (0 for the first), or undefined when none is left. */
export type RetrySchedule = (retry: number) => number | undefined;

/**
 * "Full jitter": a uniform delay in [0, min(max, base * 2^retry)). Spreads
 * retries of many key-service instances hitting a recovering LiteLLM.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(Math.max(0, Math.min(1, random())) * ceiling);
}

/** Jittered backoff until `policy.maxAttempts` attempts are spent. */
export function backoffSchedule(policy: RetryPolicy, random: () => number): RetrySchedule {
  const attempts = Math.max(1, Math.floor(policy.maxAttempts));
  return (retry) => (retry + 1 < attempts ? backoffDelay(retry, policy, random) : undefined);
}

/** One retry after each of `delays`, then none. */
export function fixedSchedule(delays: readonly number[]): RetrySchedule {
  return (retry) => delays[retry];
}

export interface RetryHooks {
  sleep: Sleep;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** Runs `op` until it succeeds, fails with a non-retryable error, or the schedule runs out. */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  schedule: RetrySchedule,
  hooks: RetryHooks,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const delay = schedule(attempt - 1);
      if (delay === undefined) throw error;
      hooks.onRetry?.(attempt, delay, error);
      await hooks.sleep(delay);
    }
  }
}
