/**
 * Length of one usage window in seconds on the live networks (every network config reads it; the
 * local stack may set FLAREFLOW_WINDOW_SECONDS). Window id = window start (unix seconds) / 300.
 */
export const WINDOW_SECONDS = 300;

/** Largest value of a Solidity uint64 (and of a Cadence UInt64). */
export const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The id of the window containing `unixSeconds`: floor(unixSeconds / 300).
 * Accepts a non-negative integer number or bigint; returns a bigint (a uint64 on chain).
 */
export function windowOf(unixSeconds: number | bigint): bigint {
  const seconds = typeof unixSeconds === "bigint" ? unixSeconds : toIntegerBigInt(unixSeconds);
  if (seconds < 0n) throw new RangeError(`windowOf: negative time ${seconds}`);
  const window = seconds / BigInt(WINDOW_SECONDS);
  if (window > UINT64_MAX) throw new RangeError(`windowOf: window ${window} exceeds uint64`);
  return window;
}

/** Start (unix seconds) of a window. */
export function windowStart(window: bigint): bigint {
  return window * BigInt(WINDOW_SECONDS);
}

function toIntegerBigInt(value: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`windowOf: not a finite time: ${value}`);
  return BigInt(Math.floor(value));
}
