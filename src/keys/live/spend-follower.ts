/**
 * Reads LiteLLM's spend log incrementally. /spend/logs/v2 filters by a call's start time only,
 * and a row shows after LiteLLM's batch delay, after its call has ended; so each poll reads the
 * rows that started since the previous poll less a look-back (batch delay plus the longest call
 * expected), never the whole log. A periodic sweep reads back to the oldest unsettled window, for
 * calls longer than the look-back. Rows are de-duplicated downstream by request_id.
 */
import type { LiteLLMAdminClient, SpendLogRow } from "../../litellm";

export interface SpendFollowerOptions {
  /** How far before the previous poll a poll starts reading (ms). */
  lookbackMs: number;
  /** How often a poll reads from the oldest unsettled window instead (ms). */
  sweepMs: number;
  now: () => number;
}

export class SpendFollower {
  private lastPollMs: number | null = null;
  private lastSweepMs = Number.NEGATIVE_INFINITY;
  /** Rows read in all, for the health figures. */
  rowsRead = 0;

  constructor(
    private readonly litellm: LiteLLMAdminClient,
    private readonly options: SpendFollowerOptions,
  ) {}

  /** Rows that started from `oldestMs` (the oldest unsettled window) on, as far as this poll needs. */
  async poll(oldestMs: number, onRow: (row: SpendLogRow) => void): Promise<void> {
    const now = this.options.now();
    const sweep = this.lastPollMs === null || now - this.lastSweepMs >= this.options.sweepMs;
    const from = sweep ? oldestMs : Math.max(oldestMs, (this.lastPollMs ?? now) - this.options.lookbackMs);
    // A little past now: a row's start is LiteLLM's clock, which may run ahead of ours.
    const end = new Date(now + 60_000);
    for await (const row of this.litellm.iterateSpendLogs({ startDate: new Date(Math.min(from, now)), endDate: end })) {
      this.rowsRead += 1;
      onRow(row);
    }
    this.lastPollMs = now;
    if (sweep) this.lastSweepMs = now;
  }
}
