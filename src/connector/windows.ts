/**
 * Usage windows of a configurable length. The window id is start / length, which for the
 * production length (300 s) is exactly src/report's windowOf and FlareFDCTriggers' definition.
 */
export class Windows {
  constructor(readonly seconds: number) {
    if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`window length must be a positive integer: ${seconds}`);
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

  /** The newest window that has ended at least `delaySeconds` before `nowMs` (undefined if none). */
  lastClosed(nowMs: number, delaySeconds: number): bigint | undefined {
    const w = this.of(Math.max(0, nowMs - delaySeconds * 1000));
    return w === 0n ? undefined : w - 1n;
  }
}
