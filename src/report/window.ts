import { UNITS_PER_SECOND } from "../pricing/units";

/**
 * Usage windows of one network's length (src/config/networks says which; FlareFDCTriggers and
 * UsageReportVerifier are configured with the same). The window id is start / length, exactly the
 * contracts' definition; every window id or window start in the TypeScript is reckoned here.
 */
export class Windows {
  readonly seconds: number;

  constructor(seconds: number | bigint) {
    this.seconds = Number(seconds);
    if (!Number.isInteger(this.seconds) || this.seconds < 1) throw new RangeError(`window length must be a positive integer: ${seconds}`);
  }

  /** The window containing `ms` (unix milliseconds). */
  of(ms: number): bigint {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`not a time: ${ms}`);
    return BigInt(Math.floor(ms / 1000 / this.seconds));
  }

  startMs(window: bigint): number {
    return Number(window) * this.seconds * 1000;
  }

  endMs(window: bigint): number {
    return (Number(window) + 1) * this.seconds * 1000;
  }

  /** The window's start as Flow tells time (UFix64 seconds, in units of 1e-8): the pricing in force and the billing period are found by it. */
  startUnits(window: bigint): bigint {
    return window * BigInt(this.seconds) * UNITS_PER_SECOND;
  }

  /** The newest window that has ended at least `delaySeconds` before `nowMs` (undefined if none). */
  lastClosed(nowMs: number, delaySeconds: number): bigint | undefined {
    const w = this.of(Math.max(0, nowMs - delaySeconds * 1000));
    return w === 0n ? undefined : w - 1n;
  }
}

/**
 * UsageReportVerifier's MIN_WINDOW_SECONDS and MAX_WINDOW_SECONDS, so that a deploy refuses a length
 * before sending anything (test/evm/usage-report-verifier.spec.ts checks them against the contract).
 */
export const WINDOW_SECONDS_BOUNDS = { min: 1, max: 86_400 } as const;
