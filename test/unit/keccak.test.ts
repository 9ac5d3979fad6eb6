/**
 * The request roots' Keccak-256 (src/report/keccak.ts) against @noble/hashes' keccak_256, the
 * implementation it replaced: every input length from empty to past four blocks (the rate is 136
 * bytes, so each block edge and the padding byte landing on the last byte of a block), random
 * bytes, and calls one after another (the state is reused).
 */
import { keccak_256 } from "@noble/hashes/sha3";
import { describe, expect, it } from "vitest";
import { keccak256 } from "../../src/report/keccak";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("keccak256", () => {
  it("is Ethereum's Keccak-256: the empty input's known digest", () => {
    expect(hex(keccak256(new Uint8Array(0)))).toBe("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    expect(hex(keccak256(new TextEncoder().encode("abc")))).toBe("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  });

  it("equals noble's keccak_256 for every length 0 to 600, and after a long input", () => {
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    for (let n = 0; n <= 600; n++) {
      const input = Uint8Array.from({ length: n }, next);
      expect(hex(keccak256(input)), `length ${n}`).toBe(hex(keccak_256(input)));
    }
    const long = Uint8Array.from({ length: 100_000 }, next);
    expect(hex(keccak256(long))).toBe(hex(keccak_256(long)));
    const short = Uint8Array.from([1, 2, 3]);
    expect(hex(keccak256(short))).toBe(hex(keccak_256(short)));
  });

  it("hashes only the bytes from start to end, and may write its digest into its own input", () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    for (const [start, end] of [[0, 0], [5, 5], [3, 139], [10, 146], [1, 300], [136, 272]] as const) {
      expect(hex(keccak256(bytes, undefined, 0, start, end)), `${start}-${end}`).toBe(hex(keccak_256(bytes.slice(start, end))));
    }
    const own = bytes.slice();
    const expected = hex(keccak_256(own.slice(32, 96)));
    keccak256(own, own, 0, 32, 96);
    expect(hex(own.subarray(0, 32))).toBe(expected);
  });

  it("returns a digest of its own: a later call does not change an earlier result", () => {
    const first = keccak256(Uint8Array.from([1]));
    const copy = hex(first);
    keccak256(Uint8Array.from([2]));
    expect(hex(first)).toBe(copy);
  });
});
