/**
 * The key table's write-ahead journal. LiteLLM answers /key/generate, /key/update, /key/delete and
 * /key/block only after its database write returns (1.110.2 `generate_key_helper_fn` awaits
 * `prisma_client.insert_data(table_name="key")`, and a failed insert is a 500), so a key it has
 * answered for survives a crash. The stand-in's state file is a whole snapshot, too large to
 * rewrite per key at thousands of keys; instead each key change is appended here as one JSON line
 * and fsynced before the route answers. Changes arriving while a write is in flight go together in
 * the next one (group commit). Each entry carries the store's sequence number; the snapshot says
 * up to which number it already holds, so loading replays only what came after it.
 */
import { promises as fs } from "node:fs";
import type { KeyRecord } from "./types";
import { LiteLLMServerError } from "./errors";

export type JournalEntry = { seq: number; put: KeyRecord } | { seq: number; delete: string };

type Waiter = { resolve: () => void; reject: (error: unknown) => void };

export class KeyJournal {
  private pending: string[] = [];
  private waiters: Waiter[] = [];
  private pendingSeq = 0;
  /** Whether a write of `pending` is queued and not begun. */
  private scheduled = false;
  /** Writes and compactions run one after another on this chain, never side by side. */
  private tail: Promise<void> = Promise.resolve();
  /** The highest sequence number on disk. */
  private durableSeq = 0;

  constructor(readonly file: string) {}

  /** Appends an entry; resolves once it is on disk, rejects if the write failed. */
  append(entry: JournalEntry): Promise<void> {
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.pendingSeq = Math.max(this.pendingSeq, entry.seq);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      this.tail = this.tail.then(() => this.writePending());
    }
    return done;
  }

  // Never rejects (the chain goes on): a failure rejects the waiters of its batch.
  private async writePending(): Promise<void> {
    this.scheduled = false;
    const lines = this.pending;
    const waiters = this.waiters;
    const seq = this.pendingSeq;
    this.pending = [];
    this.waiters = [];
    try {
      const handle = await fs.open(this.file, "a", 0o600);
      try {
        await handle.writeFile(lines.join(""));
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.durableSeq = Math.max(this.durableSeq, seq);
      for (const w of waiters) w.resolve();
    } catch (error) {
      // Last-first: the store undoes a batch's changes in this order, so a field two of them
      // changed ends where it was before the first.
      for (const w of waiters.reverse()) w.reject(error);
    }
  }

  /**
   * Drops the entries up to `coveredSeq` once a snapshot holding them is on disk. Queued behind the
   * writes begun before it, so it never cuts one short. Entries written since the snapshot are
   * kept: the file is rewritten with them and renamed over the old one (a crash leaves one or the
   * other whole), so the journal shrinks even while key changes never stop.
   */
  compact(coveredSeq: number): Promise<void> {
    const run = this.tail.then(async () => {
      if (this.durableSeq <= coveredSeq) {
        await fs.truncate(this.file, 0).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        });
        return;
      }
      const kept = await KeyJournal.read(this.file, coveredSeq);
      const temp = `${this.file}.tmp`;
      const handle = await fs.open(temp, "w", 0o600);
      try {
        await handle.writeFile(kept.map((e) => `${JSON.stringify(e)}\n`).join(""));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, this.file);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * The entries after `afterSeq`, in order. A last line without its newline is a write the crash
   * cut short, never acknowledged, so it is dropped; any other unreadable line is corruption.
   */
  static async read(file: string, afterSeq: number): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const lines = text.split("\n");
    const torn = lines.pop();
    if (torn !== undefined && torn !== "" && isEntry(parseLine(torn))) lines.push(torn);
    const entries: JournalEntry[] = [];
    for (const [index, line] of lines.entries()) {
      const entry = parseLine(line);
      if (!isEntry(entry)) throw new LiteLLMServerError(`key journal ${file}: line ${index + 1} is not a key change; the file is damaged`);
      if (entry.seq > afterSeq) entries.push(entry);
    }
    return entries;
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  if (typeof e["seq"] !== "number" || !Number.isSafeInteger(e["seq"]) || e["seq"] < 1) return false;
  if (typeof e["delete"] === "string") return true;
  const put = e["put"];
  return typeof put === "object" && put !== null && typeof (put as Record<string, unknown>)["token"] === "string";
}
