import { describe, expect, it } from "vitest";
import { accessNodeNumber } from "../../src/flow/runtime";

class Refused extends Error {}
const read = (value: unknown) => accessNodeNumber(value, "block height", (message) => new Refused(message));

describe("numbers from an access node", () => {
  it("takes non-negative safe integers, as JSON numbers or plain decimal strings", () => {
    expect(read(0)).toBe(0);
    expect(read(42)).toBe(42);
    expect(read("0")).toBe(0);
    expect(read("123456789")).toBe(123456789);
    expect(read(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses anything else with the caller's error, naming the field and the value", () => {
    for (const bad of ["", " 7", "7 ", "0x10", "1e3", "+1", "-1", "01", "1.0", String(2 ** 53), -1, 1.5, 2 ** 53, Number.NaN, null, undefined, true, [], {}]) {
      expect(() => read(bad), JSON.stringify(bad)).toThrow(Refused);
    }
    expect(() => read("0x10")).toThrow('the access node returned a bad block height: "0x10"');
  });

});
