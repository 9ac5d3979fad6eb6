/**
 * Bounded, jittered exponential backoff. Sleep and randomness are injected so
 * tests can count attempts without waiting.
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

/**
 * "Full jitter": a uniform delay in [0, min(max, base * 2^retry)). Spreads
 * retries of many key-service instances hitting a recovering LiteLLM.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(Math.max(0, Math.min(1, random())) * ceiling);
}

export interface RetryHooks {
  sleep: Sleep;
  random: () => number;
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** Runs `op` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(
  op: (attempt: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  const attempts = Math.max(1, Math.floor(policy.maxAttempts));
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      const delay = backoffDelay(attempt - 1, policy, hooks.random);
      hooks.onRetry?.(attempt, delay, error);
      await hooks.sleep(delay);
    }
  }
}
