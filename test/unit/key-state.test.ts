/**
 * The key service's state file read back through its schemas (src/keys/state.ts): a hand edit,
 * a disk error or a file from another version is refused with the place of the first bad field,
 * and nothing in it reaches the service but the fields it knows.
 */
import { describe, expect, it } from "vitest";
import { parseCursor, parseSubscriptionRecord, StateFileError } from "../../src/keys/state-validate";

const key = {
  generation: 0,
  alias: "ff-1",
  hash: "ab".repeat(32),
  sealed: { iv: "aXY=", tag: "dGFn", data: "ZGF0YQ==" },
  litellm: "live",
  flow: "attached",
  sentFromHeight: 12,
  blocked: false,
  models: ["gpt-4"],
  revoked: false,
};
const record = { id: "1", customer: "0x01", provider: "0x02", models: [], maxBudgetPerPeriod: null, lifecycle: "active", liveBlock: null, keys: [key] };

describe("the state file", () => {
  it("reads a well-formed record and cursor as they were written", () => {
    expect(parseSubscriptionRecord(record, "line 2")).toEqual(record);
    expect(parseCursor({ height: 5, last: { transactionIndex: 0, eventIndex: 3 } }, "c")).toEqual({ height: 5, last: { transactionIndex: 0, eventIndex: 3 } });
    expect(parseCursor({ height: 0, last: null }, "c")).toEqual({ height: 0, last: null });
  });

  it("refuses a damaged field with its place in the file", () => {
    const refused: [unknown, string][] = [
      [null, "line 2: expected an object"],
      [{ ...record, id: "0x1" }, "line 2.id: expected a decimal subscription id"],
      [{ ...record, id: 1 }, "line 2.id: expected a string"],
      [{ ...record, lifecycle: "paused" }, "line 2.lifecycle: expected one of active, suspended, closing, closed"],
      [{ ...record, keys: {} }, "line 2.keys: expected an array"],
      [{ ...record, keys: [{ ...key, hash: "AB".repeat(32) }] }, "line 2.keys[0].hash: expected 64 lowercase hex digits"],
      [{ ...record, keys: [{ ...key, generation: -1 }] }, "line 2.keys[0].generation: expected a non-negative integer"],
      [{ ...record, keys: [{ ...key, sentFromHeight: 1.5 }] }, "line 2.keys[0].sentFromHeight: expected a non-negative integer"],
      [{ ...record, keys: [{ ...key, sealed: "plaintext" }] }, "line 2.keys[0].sealed: expected an object"],
      [{ ...record, keys: [{ ...key, sealed: { ...key.sealed, tag: 7 } }] }, "line 2.keys[0].sealed.tag: expected a string"],
      [{ ...record, keys: [{ ...key, blocked: "no" }] }, "line 2.keys[0].blocked: expected a boolean"],
      [{ ...record, keys: [{ ...key, models: ["a", 1] }] }, "line 2.keys[0].models[1]: expected a string"],
      [{ ...record, keys: [{ ...key, flow: "toString" }] }, "line 2.keys[0].flow: expected one of pending, sending, attached, skipped"],
    ];
    for (const [v, message] of refused) expect(() => parseSubscriptionRecord(v, "line 2"), message).toThrow(new StateFileError(message));
    expect(() => parseCursor({ height: 1, last: { transactionIndex: 0 } }, "c")).toThrow(new StateFileError("c.last.eventIndex: expected a non-negative integer"));
    expect(() => parseCursor({ height: Number.MAX_SAFE_INTEGER + 1, last: null }, "c")).toThrow(new StateFileError("c.height: expected a non-negative integer"));
  });

  it("keeps unknown fields and a __proto__ key out of what it returns", () => {
    const edited = JSON.parse(JSON.stringify({ ...record, extra: 1 }).replace('"id":', '"__proto__":{"lifecycle":"closed"},"id":'));
    const read = parseSubscriptionRecord(edited, "line 2");
    expect([Object.getPrototypeOf(read), Object.keys(read).sort(), (read as Record<string, unknown>)["extra"]]).toEqual([Object.prototype, Object.keys(record).sort(), undefined]);
    const hidden = JSON.parse(`{"__proto__": ${JSON.stringify(record)}}`);
    expect(() => parseSubscriptionRecord(hidden, "line 2")).toThrow(new StateFileError("line 2.id: expected a string"));
  });
});
