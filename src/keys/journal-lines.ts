/**
 * The line format of the key service's journal (version 2). Every line is one
 * JSON object carrying a sequence number and, last, a checksum chained over
 * every line before it:
 *
 *   {"seq":n, ...payload,"sum":"<first 32 hex digits of sha256(previous sum + this line without its sum)>"}
 *
 * The chain makes a changed, removed, duplicated or reordered line visible at
 * the line where it happened. Line 1 is a header that states how many snapshot
 * lines follow it (a compaction writes the whole state at once), so a file cut
 * inside its snapshot is refused too. Appends after the snapshot continue the
 * sequence; a file cut at a line boundary after the snapshot is the same as an
 * older copy of the journal, from which the service recovers by replaying the
 * chain and auditing LiteLLM (see recovery in README.md).
 */
import { createHash } from "node:crypto";
import type { SealedKey } from "./crypto";
import { StateFileError } from "./state-validate";

export const JOURNAL_VERSION = 2;

export interface JournalHeader {
  version: typeof JOURNAL_VERSION;
  /** Snapshot lines after the header, written by the same compaction. */
  records: number;
  /** A known text sealed with the encryption key: a wrong key is found at start, not at a reveal. */
  keyCheck: SealedKey;
}

const SUM = /,"sum":"([0-9a-f]{32})"\}$/;

function chain(previous: string, body: string): string {
  return createHash("sha256").update(previous).update("\n").update(body).digest("hex").slice(0, 32);
}

/** Writes lines, continuing a chain. */
export class LineWriter {
  constructor(
    public seq: number,
    public sum: string,
  ) {}

  line(payload: Record<string, unknown>): string {
    this.seq += 1;
    const body = JSON.stringify({ seq: this.seq, ...payload });
    this.sum = chain(this.sum, body);
    return `${body.slice(0, -1)},"sum":"${this.sum}"}\n`;
  }
}

export interface ReadLine {
  /** 1-based line number in the file. */
  line: number;
  payload: Record<string, unknown>;
}

/**
 * Checks every line of `text` and returns them with the chain's end, so that
 * appends can continue it. A torn final line (no newline: an append the crash
 * interrupted, never acknowledged) is dropped unless it cuts the snapshot.
 */
export function readLines(file: string, text: string): { header: JournalHeader | null; lines: ReadLine[]; seq: number; sum: string } {
  if (text === "") return { header: null, lines: [], seq: 0, sum: "" };
  const rows = text.split("\n");
  const terminated = rows[rows.length - 1] === "";
  if (terminated) rows.pop();
  let header: JournalHeader | null = null;
  let seq = 0;
  let sum = "";
  const lines: ReadLine[] = [];
  for (let i = 0; i < rows.length; i++) {
    const n = i + 1;
    const where = `${file}:${n}`;
    const row = rows[i] as string;
    const torn = !terminated && i === rows.length - 1;
    if (torn && header !== null && n > 1 + header.records) break;
    if (torn) throw new StateFileError(`${where}: the journal ends inside its snapshot (an unterminated line); it was cut or damaged`);
    const m = SUM.exec(row);
    const body = m === null ? null : `${row.slice(0, m.index)}}`;
    const payload = body === null ? null : parseObject(body);
    if (m === null || body === null || payload === null) {
      throw new StateFileError(
        n === 1
          ? `${where}: not a version-${JOURNAL_VERSION} key-service journal (written by an older version, or not a journal): move it away and the service rebuilds its state from the chain and LiteLLM`
          : `${where}: not a journal line (damaged or edited by hand)`,
      );
    }
    if (payload["seq"] !== seq + 1) {
      throw new StateFileError(`${where}: expected record ${seq + 1}, found ${JSON.stringify(payload["seq"])}: lines are missing, repeated or out of order`);
    }
    const expected = chain(sum, body);
    if (expected !== m[1]) throw new StateFileError(`${where}: checksum mismatch: this line (or one before it) was changed`);
    seq += 1;
    sum = expected;
    const rest = { ...payload };
    delete rest["seq"];
    if (n === 1) {
      header = parseHeader(rest["header"], where);
      continue;
    }
    lines.push({ line: n, payload: rest });
  }
  if (header === null) throw new StateFileError(`${file}:1: the journal has no header`);
  if (lines.length < header.records) {
    throw new StateFileError(
      `${file}:${lines.length + 1}: the journal ends after line ${lines.length + 1}, but its header (line 1) announces ${header.records} snapshot records: it was cut short`,
    );
  }
  return { header, lines, seq, sum };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function parseHeader(v: unknown, where: string): JournalHeader {
  const h = v as Partial<JournalHeader> | undefined;
  const check = h?.keyCheck as Partial<SealedKey> | undefined;
  if (
    typeof h !== "object" ||
    h === null ||
    h.version !== JOURNAL_VERSION ||
    typeof h.records !== "number" ||
    !Number.isSafeInteger(h.records) ||
    h.records < 0 ||
    typeof check?.iv !== "string" ||
    typeof check.tag !== "string" ||
    typeof check.data !== "string"
  ) {
    throw new StateFileError(`${where}: not a version-${JOURNAL_VERSION} journal header`);
  }
  return { version: JOURNAL_VERSION, records: h.records, keyCheck: { iv: check.iv, tag: check.tag, data: check.data } };
}
