/**
 * The server's state: keys by hash, spend-log rows, and coalesced atomic
 * persistence. One writer at a time; a mutation during a write schedules one
 * more write, so the file always ends at the latest state.
 */
import { addDuration } from "./durations";
import { readState, writeStateAtomically } from "./persist";
import type { KeyRecord, PersistedState, SpendLogRecord } from "./types";

export class Store {
  private readonly keys = new Map<string, KeyRecord>();
  private logs: SpendLogRecord[] = [];
  private seq = 0;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private writeError: unknown = null;
  /** Set by flush(): the next writes hold queued spend rows too (a clean stop drains the queue). */
  private draining = false;

  constructor(
    private readonly stateFile: string | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    if (this.stateFile === undefined) return;
    const state = await readState(this.stateFile);
    if (state === null) return;
    for (const k of state.keys) this.keys.set(k.token, k);
    this.logs = [...state.spendLogs];
    this.seq = state.seq;
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  key(token: string): KeyRecord | undefined {
    return this.keys.get(token);
  }

  keyByAlias(alias: string): KeyRecord | undefined {
    for (const k of this.keys.values()) if (k.key_alias === alias) return k;
    return undefined;
  }

  allKeys(): KeyRecord[] {
    return [...this.keys.values()];
  }

  putKey(k: KeyRecord): void {
    this.keys.set(k.token, k);
    this.touch();
  }

  deleteKey(token: string): boolean {
    const had = this.keys.delete(token);
    if (had) this.touch();
    return had;
  }

  /**
   * LiteLLM queues a spend row in memory and writes it with the next batch (PROXY_BATCH_WRITE_AT):
   * the row reaches the state file only at `visible_at`, so a crash before then loses it, as a
   * LiteLLM crash loses its queue.
   */
  addLog(row: SpendLogRecord): void {
    this.logs.push(row);
    if (this.stateFile !== undefined) setTimeout(() => this.touch(), Math.max(0, row.visible_at - this.now())).unref();
  }

  /** Rows the simulated batch writer has flushed by `now`. */
  visibleLogs(now: number): SpendLogRecord[] {
    return this.logs.filter((r) => r.visible_at <= now);
  }

  /** LiteLLM's budget reset job: spend back to 0 once budget_reset_at has passed. */
  resetBudgetIfDue(k: KeyRecord, now: number): void {
    if (k.budget_duration === null || k.budget_reset_at === null) return;
    let resetAt = Date.parse(k.budget_reset_at);
    if (resetAt > now) return;
    while (resetAt <= now) {
      const next = addDuration(resetAt, k.budget_duration);
      if (next === null || next <= resetAt) return;
      resetAt = next;
    }
    k.spend = 0;
    k.model_spend = {};
    k.budget_reset_at = new Date(resetAt).toISOString();
    this.touch();
  }

  touch(): void {
    if (this.stateFile === undefined) return;
    this.dirty = true;
    if (this.writing === null) this.writing = this.drain();
  }

  /** Waits for the file to hold the current state; throws if the last write failed. */
  async flush(): Promise<void> {
    if (this.stateFile === undefined) return;
    this.draining = true;
    this.dirty = true;
    if (this.writing === null && this.dirty) this.writing = this.drain();
    while (this.writing !== null) await this.writing;
    if (this.writeError !== null) {
      const e = this.writeError;
      this.writeError = null;
      throw e;
    }
  }

  // Never rejects: a background write failure (disk full, directory gone) is
  // kept for flush() to report, and the state stays dirty so the next mutation retries.
  private async drain(): Promise<void> {
    try {
      while (this.dirty && this.stateFile !== undefined) {
        this.dirty = false;
        // Yield once so a burst of mutations is written together.
        await new Promise((r) => setImmediate(r));
        try {
          await writeStateAtomically(this.stateFile, this.snapshot());
          this.writeError = null;
        } catch (e) {
          this.writeError = e;
          this.dirty = true;
          return;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private snapshot(): PersistedState {
    const t = this.now();
    return { version: 1, keys: this.allKeys(), spendLogs: this.draining ? this.logs : this.logs.filter((r) => r.visible_at <= t), seq: this.seq };
  }
}
