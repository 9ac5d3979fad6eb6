/**
 * The server's state: keys by hash, spend-log rows, and coalesced atomic
 * persistence. One writer at a time; a mutation during a write schedules one
 * more write, so the file always ends at the latest state. Key changes made by
 * the key management routes are also journaled, and durable before they answer
 * (key-journal.ts).
 */
import { addDuration } from "./durations";
import { KeyJournal, type JournalEntry } from "./key-journal";
import { readState, writeStateAtomically } from "./persist";
import type { KeyRecord, PersistedState, SpendLogRecord } from "./types";

/** Visible spend rows in the order /spend/logs/v2 pages them: startTime descending, then newest insert first. */
export type SpendLogView = { rows: readonly SpendLogRecord[]; startMs: Float64Array };

/** Key changes journaled between snapshots before the store takes one (see journaled()). */
export const SNAPSHOT_EVERY_KEY_CHANGES = 1_000;

export class Store {
  private readonly keys = new Map<string, KeyRecord>();
  /** Tokens by key alias, and each token's alias as indexed (a route edits a record in place before saving it). */
  private readonly aliases = new Map<string, Set<string>>();
  private readonly aliasOf = new Map<string, string>();
  private readonly journal: KeyJournal | undefined;
  private logs: SpendLogRecord[] = [];
  /**
   * The ordered view, kept until a row is added or the clock crosses a row's visible_at, so that
   * paging a large window costs a binary search per page instead of a sort.
   */
  private view: { logs: number; validFrom: number; validUntil: number; view: SpendLogView } | undefined;
  private seq = 0;
  private changesSinceSnapshot = 0;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private writeError: unknown = null;
  /** Set by flush(): the next writes hold queued spend rows too (a clean stop drains the queue). */
  private draining = false;

  constructor(
    private readonly stateFile: string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.journal = stateFile === undefined ? undefined : new KeyJournal(`${stateFile}.keys-journal`);
  }

  async load(): Promise<void> {
    if (this.stateFile === undefined || this.journal === undefined) return;
    const state = await readState(this.stateFile);
    if (state !== null) {
      for (const k of state.keys) this.index(k);
      this.logs = [...state.spendLogs];
      this.seq = state.seq;
    }
    for (const entry of await KeyJournal.read(this.journal.file, state?.journalSeq ?? 0)) {
      if ("put" in entry) this.index(entry.put);
      else this.unindex(entry.delete);
      this.seq = Math.max(this.seq, entry.seq);
    }
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  key(token: string): KeyRecord | undefined {
    return this.keys.get(token);
  }

  keyByAlias(alias: string): KeyRecord | undefined {
    const [token] = this.aliases.get(alias) ?? [];
    return token === undefined ? undefined : this.keys.get(token);
  }

  allKeys(): KeyRecord[] {
    return [...this.keys.values()];
  }

  /** A key's counters changed (spend, budget reset): written with the next snapshot, as LiteLLM batches its spend updates. */
  putKey(k: KeyRecord): void {
    this.index(k);
    this.touch();
  }

  /** A key created by a management route: resolves once it is durable; if it cannot be written, it does not exist. */
  createKey(k: KeyRecord): Promise<void> {
    this.index(k);
    return this.journaled({ seq: this.nextSeq(), put: k }).catch((error: unknown) => {
      if (this.keys.get(k.token) === k) this.unindex(k.token);
      this.touch();
      throw error;
    });
  }

  /**
   * Sets a key's fields for a management route; resolves once the change is durable. If it cannot
   * be written, the fields it set go back to what they were, unless something has changed them
   * since (a spend counter raised by a call in between stays raised). The journal fails a batch's
   * changes last-first, so a field changed twice in it ends at its value before both.
   */
  changeKey(k: KeyRecord, patch: Partial<KeyRecord>): Promise<void> {
    const before: Partial<KeyRecord> = {};
    const fields = Object.keys(patch) as (keyof KeyRecord)[];
    for (const f of fields) Object.assign(before, { [f]: k[f] });
    Object.assign(k, patch);
    this.index(k);
    return this.journaled({ seq: this.nextSeq(), put: k }).catch((error: unknown) => {
      for (const f of fields) if (Object.is(k[f], patch[f])) Object.assign(k, { [f]: before[f] });
      if (this.keys.get(k.token) === k) this.index(k);
      // A snapshot written meanwhile may hold the undone change: the next one must not.
      this.touch();
      throw error;
    });
  }

  /** Deletes keys; resolves once the deletion is durable. If it cannot be written, the keys stay. */
  async deleteKeys(tokens: readonly string[]): Promise<void> {
    const removed = tokens.map((t) => this.keys.get(t)).filter((k): k is KeyRecord => k !== undefined);
    for (const k of removed) this.unindex(k.token);
    try {
      await Promise.all(removed.map((k) => this.journaled({ seq: this.nextSeq(), delete: k.token })));
    } catch (error) {
      for (const k of removed) if (!this.keys.has(k.token)) this.index(k);
      this.touch();
      throw error;
    }
  }

  /**
   * The journal is emptied only by a snapshot, and key changes alone would never ask for one: past
   * SNAPSHOT_EVERY_KEY_CHANGES since the last, the store takes one, so a restart replays a short
   * journal however many keys the key service creates between spend writes.
   */
  private journaled(entry: JournalEntry): Promise<void> {
    if (this.journal === undefined) return Promise.resolve();
    this.changesSinceSnapshot += 1;
    if (this.changesSinceSnapshot >= SNAPSHOT_EVERY_KEY_CHANGES) this.touch();
    return this.journal.append(entry);
  }

  private index(k: KeyRecord): void {
    this.keys.set(k.token, k);
    const alias = k.key_alias ?? undefined;
    if (this.aliasOf.get(k.token) === alias) return;
    this.dropAlias(k.token);
    if (alias === undefined) return;
    this.aliasOf.set(k.token, alias);
    const holders = this.aliases.get(alias);
    if (holders === undefined) this.aliases.set(alias, new Set([k.token]));
    else holders.add(k.token);
  }

  private unindex(token: string): boolean {
    this.dropAlias(token);
    return this.keys.delete(token);
  }

  private dropAlias(token: string): void {
    const alias = this.aliasOf.get(token);
    if (alias === undefined) return;
    this.aliasOf.delete(token);
    const holders = this.aliases.get(alias);
    holders?.delete(token);
    if (holders?.size === 0) this.aliases.delete(alias);
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

  /**
   * Bulk load for benchmarks and tests: rows as LiteLLM's batch writer would have written them,
   * without a chat call each. Each row gets the next insertion number, set on the object itself
   * (a million copies would double the memory): pass rows nothing else changes.
   */
  addLogs(rows: Iterable<Omit<SpendLogRecord, "seq">>): number {
    let n = 0;
    for (const row of rows) {
      const stored = row as SpendLogRecord;
      stored.seq = this.nextSeq();
      this.logs.push(stored);
      n++;
    }
    if (n > 0) this.touch();
    return n;
  }

  /** Rows the simulated batch writer has flushed by `now`, newest first (see SpendLogView). */
  visibleNewestFirst(now: number): SpendLogView {
    const cached = this.view;
    if (cached !== undefined && cached.logs === this.logs.length && now >= cached.validFrom && now < cached.validUntil) return cached.view;
    let validFrom = -Infinity;
    let validUntil = Infinity;
    const visible: { row: SpendLogRecord; t: number }[] = [];
    for (const row of this.logs) {
      if (row.visible_at <= now) {
        validFrom = Math.max(validFrom, row.visible_at);
        const t = Date.parse(row.startTime);
        if (!Number.isNaN(t)) visible.push({ row, t });
      } else {
        validUntil = Math.min(validUntil, row.visible_at);
      }
    }
    visible.sort((a, b) => b.t - a.t || b.row.seq - a.row.seq);
    const view: SpendLogView = { rows: visible.map((v) => v.row), startMs: Float64Array.from(visible, (v) => v.t) };
    this.view = { logs: this.logs.length, validFrom, validUntil, view };
    return view;
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
          const snapshot = this.snapshot();
          await writeStateAtomically(this.stateFile, snapshot);
          await this.journal?.compact(snapshot.journalSeq ?? 0);
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
    this.changesSinceSnapshot = 0;
    // Every journal entry numbered up to seq has been applied to the keys written here.
    return { version: 1, keys: this.allKeys(), spendLogs: this.draining ? this.logs : this.logs.filter((r) => r.visible_at <= t), seq: this.seq, journalSeq: this.seq };
  }
}
