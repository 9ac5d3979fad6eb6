/**
 * Usage LiteLLM has logged that Flow has not settled yet, per subscription, window and family,
 * kept from spend rows as they are read (each request counted once, by its request_id), and the
 * logged tokens each key still has in LiteLLM's rate-limit minute (for the tpm guard).
 */
import type { PendingWindow } from "./exposure";

export interface PendingRow {
  requestId: string;
  subscriptionId: string;
  /** sha256 of the key that made the call (LiteLLM counts tpm per key). */
  keyHash: string;
  window: bigint;
  family: string;
  tokens: number;
  /** When the call started (ms): LiteLLM's rate limiter sees it then. */
  startMs: number;
  /** When the call ended (ms): LiteLLM adds a call's tokens to the key's window then. */
  endMs: number;
}

/** The first call of a rate-limit window: its start, in whole seconds (LiteLLM's) and in ms. */
interface Anchor {
  second: number;
  ms: number;
}

export class PendingUsage {
  private readonly bySub = new Map<string, Map<bigint, Map<string, bigint>>>();
  /** Request ids of unsettled windows, by window, so settled windows drop their ids too. */
  private readonly ids = new Map<bigint, Set<string>>();
  /**
   * Per key, the logged calls of the last three rate-limit windows, and the window the older calls
   * left running (`base`): LiteLLM's windows form a chain (each starts at the first call after the
   * previous one ran out), so forgetting a call must not forget where the chain stood.
   */
  private readonly recent = new Map<string, { calls: { startMs: number; endMs: number; tokens: number }[]; base: Anchor | null }>();
  private settledThrough: bigint | null = null;

  /** Windows up to and including `window` are settled on Flow: their usage is in the chain's state now. */
  settle(window: bigint | null): void {
    if (window === null || (this.settledThrough !== null && window <= this.settledThrough)) return;
    this.settledThrough = window;
    for (const [w] of this.ids) if (w <= window) this.ids.delete(w);
    for (const [sub, windows] of this.bySub) {
      for (const [w] of windows) if (w <= window) windows.delete(w);
      if (windows.size === 0) this.bySub.delete(sub);
    }
  }

  /**
   * Adds a row; false when it was counted before or its window is settled already (its usage is
   * in the chain's state, or it came too late for the live limit; see README).
   */
  add(row: PendingRow): boolean {
    if (this.settledThrough !== null && row.window <= this.settledThrough) return false;
    let ids = this.ids.get(row.window);
    if (ids === undefined) {
      ids = new Set();
      this.ids.set(row.window, ids);
    }
    if (ids.has(row.requestId)) return false;
    ids.add(row.requestId);
    let windows = this.bySub.get(row.subscriptionId);
    if (windows === undefined) {
      windows = new Map();
      this.bySub.set(row.subscriptionId, windows);
    }
    let families = windows.get(row.window);
    if (families === undefined) {
      families = new Map();
      windows.set(row.window, families);
    }
    families.set(row.family, (families.get(row.family) ?? 0n) + BigInt(row.tokens));
    let recent = this.recent.get(row.keyHash);
    if (recent === undefined) {
      recent = { calls: [], base: null };
      this.recent.set(row.keyHash, recent);
    }
    recent.calls.push({ startMs: row.startMs, endMs: row.endMs, tokens: row.tokens });
    return true;
  }

  windowsOf(subscriptionId: string): PendingWindow[] {
    const windows = this.bySub.get(subscriptionId);
    return windows === undefined ? [] : [...windows].map(([window, families]) => ({ window, families }));
  }

  /**
   * Logged tokens LiteLLM still counts for `keyHash` in its rate-limit window at `nowMs`, as
   * 1.110.2 keeps that window (src/litellm-server/rate-limit.ts): a fixed one, started by the first
   * call (whole seconds) after the previous one ran `windowMs`, counting the tokens of calls that
   * end in it. Its start is found again from the logged calls' start times. 0 when the window may
   * turn before the next pass (within `marginMs`): a turn releases all it counted, and those
   * tokens must then not be allowed again. (A call refused at a window's turn starts a window too,
   * unseen here; the key service only refuses that way before it has priced a new key.)
   */
  windowTokens(keyHash: string, nowMs: number, windowMs: number, marginMs: number): number {
    const recent = this.recent.get(keyHash);
    if (recent === undefined) return 0;
    const calls = recent.calls.sort((a, b) => a.startMs - b.startMs);
    const windowSeconds = windowMs / 1000;
    let anchor = recent.base;
    const step = (r: { startMs: number }) => {
      const second = Math.floor(r.startMs / 1000);
      if (anchor === null || second - anchor.second >= windowSeconds) anchor = { second, ms: r.startMs };
    };
    // Calls that ended three windows ago are forgotten in start order, their effect on the chain kept in `base`.
    let forgotten = 0;
    while (forgotten < calls.length && calls[forgotten]!.endMs <= nowMs - 3 * windowMs) step(calls[forgotten++]!);
    calls.splice(0, forgotten);
    if (calls.length === 0) {
      // The last window started over three windows ago: the next call starts a new one whatever came before.
      this.recent.delete(keyHash);
      return 0;
    }
    recent.base = anchor;
    for (const r of calls) step(r);
    if (anchor === null || Math.floor((nowMs + marginMs) / 1000) - anchor.second >= windowSeconds) return 0;
    // A call ending in the very millisecond the window's first call starts may have been recorded by
    // LiteLLM against the window that ran out, and lost with it: not added back, so the limit stays within the room.
    const start = anchor.ms;
    return calls.reduce((sum, r) => (r.endMs > start ? sum + r.tokens : sum), 0);
  }

  /** Forgets the rate-limit history of keys not in `live` (deleted or rotated out). */
  pruneKeys(live: ReadonlySet<string>): void {
    for (const hash of this.recent.keys()) if (!live.has(hash)) this.recent.delete(hash);
  }
}
