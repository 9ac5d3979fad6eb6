/**
 * Attacks on the key service's journal file (issue 15, items 3 and 8): a journal cut, edited,
 * shuffled, from an older version, or opened with the wrong encryption key is refused at open
 * with the file and the line named, never loaded as if it were whole.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { Journal, JOURNAL_FILE } from "../../src/keys/journal";
import { KeyCustodyError } from "../../src/keys/crypto";
import { StateFileError } from "../../src/keys/state-validate";
import { applyEvent } from "../../src/keys/handlers";
import type { PositionedEvent } from "../../src/keys/events";

const kek = randomBytes(32);
const PROVIDER = "0x179b6b1cb6755e31";

function created(id: bigint): PositionedEvent {
  return {
    name: "SubscriptionCreated",
    data: { id, customer: "0xf3fcd2c1a78f5eee", provider: PROVIDER, deposit: "10.00000000", maxBudgetPerPeriod: null, allowedModels: ["gpt-4"], periodStart: "1.00000000" },
    blockHeight: Number(id),
    transactionId: "t",
    transactionIndex: 0,
    eventIndex: 0,
  };
}

describe("journal damage is refused with file and line", () => {
  let dir: string;
  let file: string;
  /** Lines of a compacted journal: a header, five subscriptions, the cursor. */
  let lines: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-journal-attack-"));
    file = path.join(dir, JOURNAL_FILE);
    const { journal } = Journal.open(dir, kek);
    for (let id = 1n; id <= 5n; id++) {
      const sub = applyEvent(created(id), new Map(), { provider: PROVIDER, kek });
      journal.append({ sub: sub!, cursor: { height: Number(id), last: { transactionIndex: 0, eventIndex: 0 } } });
    }
    journal.close();
    Journal.open(dir, kek).journal.close(); // reopening compacts: header + 5 records + cursor
    lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(7);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rows: string[], terminated = true) => fs.writeFileSync(file, rows.join("\n") + (terminated ? "\n" : ""));
  const refusal = (): string => {
    try {
      Journal.open(dir, kek).journal.close();
    } catch (e) {
      expect(e).toBeInstanceOf(StateFileError);
      return (e as Error).message;
    }
    throw new Error("the damaged journal was loaded");
  };

  it("a journal cut at a line boundary inside its snapshot (zero subscriptions left) is refused, naming the line", () => {
    write(lines.slice(0, 2));
    expect(refusal()).toMatch(new RegExp(`${JOURNAL_FILE}:2: the journal ends after line 2, but its header \\(line 1\\) announces 6 snapshot records`));
    write(lines.slice(0, 1));
    expect(refusal()).toMatch(/:1: the journal ends after line 1/);
  });

  it("a journal cut in the middle of a snapshot line is refused", () => {
    write([...lines.slice(0, 3), (lines[3] as string).slice(0, 40)], false);
    expect(refusal()).toMatch(/:4: the journal ends inside its snapshot/);
  });

  it("a record edited by hand (one character) is refused as a checksum mismatch at its line", () => {
    write(lines.map((l, i) => (i === 3 ? l.replace('"lifecycle":"active"', '"lifecycle":"closed"') : l)));
    expect(refusal()).toMatch(/:4: checksum mismatch/);
  });

  it("a line removed from the middle is refused at the line where the sequence breaks", () => {
    write([...lines.slice(0, 2), ...lines.slice(3)]);
    expect(refusal()).toMatch(/:3: expected record 3, found 4: lines are missing, repeated or out of order/);
  });

  it("a line repeated or two lines swapped are refused", () => {
    write([...lines.slice(0, 3), lines[2] as string, ...lines.slice(3)]);
    expect(refusal()).toMatch(/:4: expected record 4, found 3/);
    write([lines[0] as string, lines[2] as string, lines[1] as string, ...lines.slice(3)]);
    expect(refusal()).toMatch(/:2: expected record 2, found 3/);
  });

  it("a journal of the old unchecked format is refused with what to do", () => {
    write([JSON.stringify({ cursor: { height: 9, last: null } })]);
    expect(refusal()).toMatch(/:1: not a version-2 key-service journal .* move it away and the service rebuilds its state from the chain and LiteLLM/);
  });

  it("a torn last append after the snapshot is ignored (it was never acknowledged), the rest loads", () => {
    write([...lines, '{"seq":8,"sub":{"id":"6"'], false);
    const { journal, state } = Journal.open(dir, kek);
    journal.close();
    expect(state.subs.size).toBe(5);
    expect(state.cursor?.height).toBe(5);
  });

  it("the wrong encryption key is refused at open, naming the journal, before any key is needed", () => {
    let error: unknown;
    try {
      Journal.open(dir, randomBytes(32));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyCustodyError);
    expect((error as Error).message).toMatch(new RegExp(`${JOURNAL_FILE}:1: FLAREFLOW_KEY_ENCRYPTION_KEY is not the key this journal was written with`));
    // The right key still opens it, untouched.
    const { journal, state } = Journal.open(dir, kek);
    journal.close();
    expect(state.subs.size).toBe(5);
  });
});
