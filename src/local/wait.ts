import { LocalStackError } from "./errors";
/**
 * How to poll. A server still starting refuses connections, so its probe throws until it is up
 * (`retryErrors`); a test's check of state it can already read should fail at once when it throws.
 */
export interface Polling {
  /** Give up after this long; default 30 s. */
  timeoutMs?: number;
  /** Pause between probes; default 100 ms. */
  everyMs?: number;
  /** A throwing probe counts as "not yet" instead of ending the wait with its error. */
  retryErrors?: boolean;
}

/** Polls `probe` until it gives a value (undefined: not yet), or fails naming `what`; a number is the timeout. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, polling: number | Polling = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 100, retryErrors = false } = typeof polling === "number" ? { timeoutMs: polling } : polling;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = retryErrors ? await Promise.resolve().then(probe).catch(() => undefined) : await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new LocalStackError(`timed out waiting for ${what} (${timeoutMs / 1000} s)`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls `probe` until it answers true (see `until`). */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, polling: number | Polling = {}): Promise<void> {
  await until(what, async () => ((await probe()) ? true : undefined), polling);
}
