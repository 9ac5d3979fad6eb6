/**
 * Durable state of the key service: an append-only JSONL journal.
 *
 * Why not SQLite: the native better-sqlite3 module needs a prebuilt binary or a
 * compiler for the exact Node ABI, and CI builds nothing native. Why not one
 * JSON file rewritten per step: with thousands of subscriptions every step
 * would rewrite all of them. Appending one fsync'd line per step is O(1), a
 * crash can only tear the last line (ignored on load: that step never
 * happened), and each line carries a full record, so the last line per
 * subscription wins. The file is compacted (written to a temp file, fsync'd,
 * renamed over, directory fsync'd) when it grows well past the live state.
 */
import * as fs from "node:fs";
import { fsyncDir } from "../storage/durable-file";
import * as path from "node:path";
import { parseCursor, parseSubscriptionRecord, StateFileError } from "./state-validate";
import type { Cursor, SubscriptionRecord } from "./state";

export interface JournalEntry {
  cursor?: Cursor;
  sub?: SubscriptionRecord;
}

export interface LoadedState {
  cursor: Cursor | null;
  subs: Map<string, SubscriptionRecord>;
}

const FILE = "key-service.jsonl";

export class Journal {
  private fd: number | null = null;
  private lines = 0;
  private readonly file: string;

  private constructor(private readonly dir: string) {
    this.file = path.join(dir, FILE);
  }

  /** Opens (creating) the journal in `dir` and returns it with the state it holds. */
  static open(dir: string): { journal: Journal; state: LoadedState } {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const journal = new Journal(dir);
    const state = journal.load();
    journal.compact(state);
    journal.fd = fs.openSync(journal.file, "a", 0o600);
    return { journal, state };
  }

  private load(): LoadedState {
    const state: LoadedState = { cursor: null, subs: new Map() };
    if (!fs.existsSync(this.file)) return state;
    const text = fs.readFileSync(this.file, "utf8");
    const rows = text.split("\n");
    rows.forEach((row, i) => {
      if (row.trim() === "") return;
      const isLast = i === rows.length - 1; // text after the final newline: a torn append
      let parsed: unknown;
      try {
        parsed = JSON.parse(row);
      } catch {
        if (isLast) return;
        throw new StateFileError(`${this.file}:${i + 1}: not JSON; the state file is corrupt (restore it or start over with a new state dir)`);
      }
      if (isLast) return; // an unterminated line was never acknowledged as written
      const entry = parsed as Record<string, unknown>;
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        throw new StateFileError(`${this.file}:${i + 1}: not a journal entry`);
      }
      if (entry["cursor"] !== undefined) state.cursor = parseCursor(entry["cursor"], `${this.file}:${i + 1}.cursor`);
      if (entry["sub"] !== undefined) {
        const sub = parseSubscriptionRecord(entry["sub"], `${this.file}:${i + 1}.sub`);
        state.subs.set(sub.id, sub);
      }
    });
    return state;
  }

  /** Rewrites the journal as one line per live record, atomically. */
  private compact(state: LoadedState): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const out: string[] = [];
    if (state.cursor) out.push(JSON.stringify({ cursor: state.cursor }));
    for (const sub of state.subs.values()) out.push(JSON.stringify({ sub }));
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeSync(fd, out.length ? `${out.join("\n")}\n` : "");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDir(this.dir);
    this.lines = out.length;
  }

  /** Appends one entry and returns once it is on disk. */
  append(entry: JournalEntry): void {
    if (this.fd === null) throw new Error("journal is closed");
    fs.writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fs.fsyncSync(this.fd);
    this.lines += 1;
  }

  /** Compacts when the journal holds many superseded lines. */
  maybeCompact(state: LoadedState): void {
    if (this.fd === null || this.lines < Math.max(1000, 4 * (state.subs.size + 1))) return;
    fs.closeSync(this.fd);
    this.fd = null;
    this.compact(state);
    this.fd = fs.openSync(this.file, "a", 0o600);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
