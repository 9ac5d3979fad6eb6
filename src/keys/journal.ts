/**
 * Durable state of the key service: an append-only JSONL journal whose lines
 * are numbered and checksummed (journal-lines.ts).
 *
 * Why not SQLite: the native better-sqlite3 module needs a prebuilt binary or a
 * compiler for the exact Node ABI, and CI builds nothing native. Why not one
 * JSON file rewritten per step: with thousands of subscriptions every step
 * would rewrite all of them. Appending one fsync'd line per step is O(1), a
 * crash can only tear the last line (ignored on load: that step never
 * happened), and each line carries a full record, so the last line per
 * subscription wins. The file is compacted (written to a temp file, fsync'd,
 * renamed over, directory fsync'd) when it grows well past the live state.
 *
 * Damage is refused with the file and line named, never loaded silently: a
 * changed or missing line breaks the checksum chain, a snapshot cut short
 * falls short of its header's record count, and a wrong encryption key fails
 * the header's key check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fsyncDir } from "../storage/durable-file";
import { KeyCustodyError, openKey, sealKey, type SealedKey } from "./crypto";
import { JOURNAL_VERSION, LineWriter, readLines } from "./journal-lines";
import { parseCursor, parseSubscriptionRecord, StateFileError } from "./state-validate";
import type { Cursor, SubscriptionRecord } from "./state";
import { FlareFlowError } from "../errors";

export interface JournalEntry {
  cursor?: Cursor;
  sub?: SubscriptionRecord;
}

export interface LoadedState {
  cursor: Cursor | null;
  subs: Map<string, SubscriptionRecord>;
}

export const JOURNAL_FILE = "key-service.jsonl";

const KEY_CHECK_ID = "journal";
const KEY_CHECK_ALIAS = "key-check";
const KEY_CHECK_TEXT = "flareflow key-service journal";

export class Journal {
  private fd: number | null = null;
  private appended = 0;
  private writer = new LineWriter(0, "");
  private keyCheck: SealedKey;
  /** Where the loaded cursor came from, for messages that must name it. */
  cursorLine: number | null = null;
  /** True when the directory held no journal: the state must come from the chain and LiteLLM. */
  readonly fresh: boolean;

  private constructor(
    private readonly dir: string,
    readonly file: string,
    kek: Buffer,
    keyCheck: SealedKey | null,
  ) {
    this.fresh = keyCheck === null;
    this.keyCheck = keyCheck ?? sealKey(kek, KEY_CHECK_ID, KEY_CHECK_ALIAS, KEY_CHECK_TEXT);
  }

  /**
   * Opens (creating) the journal in `dir` and returns it with the state it
   * holds. Throws StateFileError (file:line) on damage and KeyCustodyError
   * when `kek` is not the key the journal was written with.
   */
  static open(dir: string, kek: Buffer): { journal: Journal; state: LoadedState } {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, JOURNAL_FILE);
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const read = readLines(file, text);
    if (read.header !== null) checkKey(file, kek, read.header.keyCheck);
    const journal = new Journal(dir, file, kek, read.header?.keyCheck ?? null);
    const state: LoadedState = { cursor: null, subs: new Map() };
    for (const { line, payload } of read.lines) {
      const where = `${file}:${line}`;
      const extra = Object.keys(payload).filter((k) => k !== "cursor" && k !== "sub");
      if (extra.length > 0 || (payload["cursor"] === undefined && payload["sub"] === undefined)) {
        throw new StateFileError(`${where}: not a journal entry`);
      }
      if (payload["cursor"] !== undefined) {
        state.cursor = parseCursor(payload["cursor"], `${where}.cursor`);
        journal.cursorLine = line;
      }
      if (payload["sub"] !== undefined) {
        const sub = parseSubscriptionRecord(payload["sub"], `${where}.sub`);
        state.subs.set(sub.id, sub);
      }
    }
    journal.compact(state);
    journal.fd = fs.openSync(file, "a", 0o600);
    return { journal, state };
  }

  /** Rewrites the journal as a header and one line per live record (the cursor last), atomically. */
  private compact(state: LoadedState): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const records = state.subs.size + (state.cursor ? 1 : 0);
    const headed = new LineWriter(0, "");
    const out = [headed.line({ header: { version: JOURNAL_VERSION, records, keyCheck: this.keyCheck } })];
    for (const sub of state.subs.values()) out.push(headed.line({ sub }));
    if (state.cursor) out.push(headed.line({ cursor: state.cursor }));
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeSync(fd, out.join(""));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
    fsyncDir(this.dir);
    this.writer = headed;
    this.appended = 0;
    if (state.cursor) this.cursorLine = out.length;
  }

  /** Appends one entry and returns once it is on disk. */
  append(entry: JournalEntry): void {
    if (this.fd === null) throw new FlareFlowError("journal is closed");
    fs.writeSync(this.fd, this.writer.line({ ...entry }));
    fs.fsyncSync(this.fd);
    this.appended += 1;
    if (entry.cursor) this.cursorLine = this.writer.seq;
  }

  /** Compacts when the journal holds many superseded lines. */
  maybeCompact(state: LoadedState): void {
    if (this.fd === null || this.appended < Math.max(1000, 4 * (state.subs.size + 1))) return;
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

function checkKey(file: string, kek: Buffer, keyCheck: SealedKey): void {
  let text: string | null = null;
  try {
    text = openKey(kek, KEY_CHECK_ID, KEY_CHECK_ALIAS, keyCheck);
  } catch {
    text = null;
  }
  if (text !== KEY_CHECK_TEXT) {
    throw new KeyCustodyError(
      `${file}:1: FLAREFLOW_KEY_ENCRYPTION_KEY is not the key this journal was written with (its key check does not decrypt); ` +
        "start with the original key, or the keys waiting for delivery cannot be revealed",
    );
  }
}
