/**
 * The Flow codecs' UFix64 and Address, the TypeScript side of every script result and transaction
 * argument: normalized as src/pricing prints a UFix64 and as Flow prints an address, and anything
 * else refused in the codec's words with the path it came by.
 */
import { describe, expect, it } from "vitest";
import { codec, CodecError } from "../../src/flow/runtime";

describe("UFix64", () => {
  it("always carries 8 decimals, whatever it came with", () => {
    expect(codec.UFix64.decode("4.125", "p")).toBe("4.12500000");
    expect(codec.UFix64.decode("0", "p")).toBe("0.00000000");
    expect(codec.UFix64.encode("007.10000000", "p")).toBe("7.10000000");
    expect(codec.UFix64.decode("184467440737.09551615", "p")).toBe("184467440737.09551615");
  });

  it("refuses what is not one, saying which and where", () => {
    expect(() => codec.UFix64.decode("184467440737.09551616", "a.b")).toThrow(new CodecError('a.b: expected a UFix64 within range, got "184467440737.09551616"'));
    for (const bad of ["1.123456789", "-1.0", " 1.0", "1.", ".5", "1e3", ""]) {
      expect(() => codec.UFix64.decode(bad, "x"), bad).toThrow(`x: expected a UFix64 decimal string with at most 8 decimals, got ${JSON.stringify(bad)}`);
    }
    expect(() => codec.UFix64.encode(1 as unknown as string, "x")).toThrow("x: expected a UFix64 decimal string with at most 8 decimals, got number");
  });
});

describe("Address", () => {
  it("is 0x and 16 lower-case hex digits, padded", () => {
    expect(codec.normalizeAddress("0xF8D6E0586B0A20C7", "p")).toBe("0xf8d6e0586b0a20c7");
    expect(codec.normalizeAddress("f8d6e0586b0a20c7", "p")).toBe("0xf8d6e0586b0a20c7");
    expect(codec.normalizeAddress("0x1", "p")).toBe("0x0000000000000001");
  });

  it("refuses anything else by its path", () => {
    for (const bad of ["0x", "0x12345678901234567", "0xzz", "f8d6 e058"]) {
      expect(() => codec.normalizeAddress(bad, "flow.json x"), bad).toThrow(`flow.json x: expected a Flow address (0x + up to 16 hex digits), got ${JSON.stringify(bad)}`);
    }
  });
});
