import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AbiCoder, encodeBytes32String, hexlify, id, keccak256 } from "ethers";
import { encodeWithLines } from "../../src/report/digest";
import {
  compareLines,
  decodeSummary,
  familyToBytes32,
  encodeReport,
  LINE_TUPLE,
  lineTuples,
  REPORT_ENCODING_TYPES,
  encodeSummary,
  InvalidLinesError,
  REPORT_DOMAIN,
  reportDigest,
  sortLines,
  summarize,
  summaryUrl,
  UINT64_MAX,
  USAGE_SUMMARY_ABI_SIGNATURE,
  validateLines,
  type UsageLine,
} from "../../src/report";
import { reportRequestSpec, requestSpecHash } from "../../src/fdc/request-spec";
import { rootOf } from "./fixtures/request-roots";
import { GOLDEN } from "./fixtures/golden-report";


const line = (subscriptionId: bigint, family: string, tokens = 1n, requests = 1n): UsageLine => ({
  subscriptionId,
  family,
  tokens,
  requests,
  requestsRoot: rootOf(String(subscriptionId)),
});

describe("lines", () => {
  it("sort by subscription, then family as bytes32 (prefix first, byte order)", () => {
    const sorted = sortLines([line(2n, "a"), line(1n, "gpt-4"), line(1n, ""), line(1n, "gpt"), line(1n, "Z"), line(1n, "gpt-3.5")]);
    expect(sorted.map((l) => `${l.subscriptionId}:${l.family}`)).toEqual(["1:", "1:Z", "1:gpt", "1:gpt-3.5", "1:gpt-4", "2:a"]);
    // The same order as comparing the bytes32 encodings.
    const hex = sorted.filter((l) => l.subscriptionId === 1n).map((l) => encodeBytes32String(l.family));
    expect([...hex].sort()).toEqual(hex);
    expect(() => validateLines(sorted)).not.toThrow();
  });

  it("validate: sorted, unique, uint64 ranges, family ≤ 31 bytes printable ASCII", () => {
    const bad: Array<[string, UsageLine[]]> = [
      ["unsorted ids", [line(2n, ""), line(1n, "")]],
      ["unsorted families", [line(1n, "b"), line(1n, "a")]],
      ["duplicate", [line(1n, "a"), line(1n, "a")]],
      ["negative id", [line(-1n, "")]],
      ["id beyond uint64", [line(UINT64_MAX + 1n, "")]],
      ["tokens beyond uint64", [line(1n, "", UINT64_MAX + 1n)]],
      ["negative requests", [line(1n, "", 1n, -1n)]],
      ["family of 32 bytes", [line(1n, "x".repeat(32))]],
      ["non-ASCII family", [line(1n, "gpt-4é")]],
      ["control character", [line(1n, "a\u0000")]],
      ["root of 31 bytes", [{ ...line(1n, ""), requestsRoot: `0x${"ab".repeat(31)}` }]],
      ["root in upper case", [{ ...line(1n, ""), requestsRoot: `0x${"AB".repeat(32)}` }]],
      ["root without 0x", [{ ...line(1n, ""), requestsRoot: "ab".repeat(32) }]],
    ];
    for (const [name, lines] of bad) {
      expect(() => validateLines(lines), name).toThrow(InvalidLinesError);
    }
    expect(() => validateLines([line(UINT64_MAX, "x".repeat(31), UINT64_MAX, UINT64_MAX)])).not.toThrow();
    expect(() => validateLines([])).not.toThrow();
  });

  it("accept a family of any printable ASCII, space and tilde included, and refuse the characters just outside", () => {
    expect(() => validateLines([line(1n, " "), line(1n, "a b~")])).not.toThrow();
    expect(familyToBytes32("~")).toBe(encodeBytes32String("~"));
    for (const family of ["\u001f", "gpt\u007f"]) {
      expect(() => validateLines([line(1n, family)]), JSON.stringify(family)).toThrow(/invalid family/);
    }
  });

  it("a family that is not a valid name has no bytes32, even one that would fit", () => {
    for (const family of ["gpt-4é", "a\u0000", "\u007f"]) expect(() => familyToBytes32(family), JSON.stringify(family)).toThrow(/invalid family name/);
  });

  it("refuse numbers that are not bigints and a family that is not a string (a JSON report decoded without care)", () => {
    expect(() => validateLines([{ ...line(1n, ""), subscriptionId: 1 as unknown as bigint }])).toThrow(/subscriptionId 1 is not a uint64/);
    expect(() => validateLines([{ ...line(1n, ""), tokens: 5 as unknown as bigint }])).toThrow(/tokens 5 is not a uint64/);
    expect(() => validateLines([{ ...line(1n, ""), family: 5 as unknown as string }])).toThrow(/invalid family 5/);
  });

  it("name the refused line, its index and what is wrong with it", () => {
    const ok = line(1n, "a");
    const cases: Array<[UsageLine, RegExp]> = [
      [line(-1n, "b"), /^line 1: subscriptionId -1 is not a uint64$/],
      [line(2n, "b", UINT64_MAX + 1n), /^line 1: tokens 18446744073709551616 is not a uint64$/],
      [line(2n, "b", 1n, -1n), /^line 1: requests -1 is not a uint64$/],
      [line(2n, "é"), /^line 1: invalid family "é"$/],
      [{ ...line(2n, "b"), requestsRoot: "0x12" }, /^line 1: requestsRoot "0x12" is not 32 bytes of lowercase 0x-hex$/],
      [line(1n, "a"), /^line 1: duplicate subscription and family$/],
      [line(1n, ""), /^line 1: lines are not sorted$/],
    ];
    for (const [bad, message] of cases) {
      let error: unknown;
      try {
        validateLines([ok, bad]);
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toBeInstanceOf(InvalidLinesError);
      expect((error as InvalidLinesError).name).toBe("InvalidLinesError");
      expect((error as InvalidLinesError).index).toBe(1);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("compare a line with itself (or its twin) as equal", () => {
    expect(compareLines(line(1n, "gpt-4"), line(1n, "gpt-4"))).toBe(0);
    expect(compareLines(line(1n, ""), line(1n, ""))).toBe(0);
  });
});

describe("digest", () => {
  it("REPORT_DOMAIN is keccak256 of the version string", () => {
    expect(REPORT_DOMAIN).toBe(id("FlareFlow.UsageReport.v2"));
  });

  it("is keccak256(abi.encode(domain, uint64 window, UsageLine[])), a line being 5 words", () => {
    const expected = AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "uint64", "tuple(uint64,bytes32,uint64,uint64,bytes32)[]"],
      [REPORT_DOMAIN, GOLDEN.window, GOLDEN.lines.map((l) => [l.subscriptionId, encodeBytes32String(l.family), l.tokens, l.requests, l.requestsRoot])],
    );
    // head (domain, window, offset, length) + 5 words per line
    expect((expected.length - 2) / 64).toBe(4 + 5 * GOLDEN.lines.length);
    expect(encodeReport(GOLDEN.window, GOLDEN.lines)).toBe(expected);
    expect(reportDigest(GOLDEN.window, GOLDEN.lines)).toBe(keccak256(expected));
  });

  it("the direct encoder writes what AbiCoder writes for the artifact's types, reports and chunks alike", () => {
    const uint64 = fc.bigInt({ min: 0n, max: UINT64_MAX });
    const family = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 31 });
    const root = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
    const lines = fc.array(fc.record({ subscriptionId: uint64, family, tokens: uint64, requests: uint64, requestsRoot: root }), { maxLength: 12 }).map((ls) => {
      const seen = new Set<string>();
      return sortLines(ls.filter((l) => !seen.has(`${l.subscriptionId}/${l.family}`) && seen.add(`${l.subscriptionId}/${l.family}`)));
    });
    fc.assert(
      fc.property(uint64, uint64, uint64, lines, (window, index, count, ls) => {
        const reference = AbiCoder.defaultAbiCoder().encode(REPORT_ENCODING_TYPES, [REPORT_DOMAIN, window, lineTuples(ls)]);
        expect(encodeReport(window, ls)).toBe(reference);
        const chunk = AbiCoder.defaultAbiCoder().encode(["bytes32", "uint64", "uint64", "uint64", `${LINE_TUPLE}[]`], [id("chunk"), window, index, count, lineTuples(ls)]);
        expect(hexlify(encodeWithLines([id("chunk"), window, index, count], ls))).toBe(chunk);
      }),
      { numRuns: 300 },
    );
  });

  it("the direct encoder refuses a head word that is not a uint64 or 32 bytes, naming it, and places each word in its own slot", () => {
    expect(() => encodeWithLines([REPORT_DOMAIN, -1n], [])).toThrow("head word 1 (-1) is not a uint64");
    expect(() => encodeWithLines([REPORT_DOMAIN, UINT64_MAX + 1n], [])).toThrow(`head word 1 (${UINT64_MAX + 1n}) is not a uint64`);
    expect(() => encodeWithLines([REPORT_DOMAIN, 0n, UINT64_MAX], [])).not.toThrow();
    expect(() => encodeWithLines(["0x1234", 0n], [])).toThrow("head word 0 is not 32 bytes");
    const types = ["uint64", "bytes32", "uint64", `${LINE_TUPLE}[]`];
    expect(hexlify(encodeWithLines([7n, REPORT_DOMAIN, 9n], GOLDEN.lines))).toBe(AbiCoder.defaultAbiCoder().encode(types, [7n, REPORT_DOMAIN, 9n, lineTuples(GOLDEN.lines)]));
  });

  it("matches the golden vectors", () => {
    expect(reportDigest(GOLDEN.window, GOLDEN.lines)).toBe(GOLDEN.digest);
    expect(reportDigest(GOLDEN.window, [])).toBe(GOLDEN.emptyDigest);
  });

  it("binds the window and every field", () => {
    const base = reportDigest(GOLDEN.window, GOLDEN.lines);
    expect(reportDigest(GOLDEN.window + 1n, GOLDEN.lines)).not.toBe(base);
    const changed = GOLDEN.lines.map((l, i) => (i === 2 ? { ...l, requests: l.requests + 1n } : l));
    expect(reportDigest(GOLDEN.window, changed)).not.toBe(base);
    // Same totals, other requests: another root, another digest.
    const otherRequests = GOLDEN.lines.map((l, i) => (i === 1 ? { ...l, requestsRoot: rootOf("other", 150000n) } : l));
    expect(reportDigest(GOLDEN.window, otherRequests)).not.toBe(base);
  });

  it("refuses invalid lines and windows", () => {
    expect(() => reportDigest(1n, [line(2n, ""), line(1n, "")])).toThrow(InvalidLinesError);
    expect(() => reportDigest(UINT64_MAX + 1n, [])).toThrow(RangeError);
  });

  it("covers window 0 and the last uint64 window, and names a window past either end", () => {
    expect(reportDigest(0n, [])).toMatch(/^0x[0-9a-f]{64}$/);
    expect(reportDigest(UINT64_MAX, [])).toMatch(/^0x[0-9a-f]{64}$/);
    expect(() => reportDigest(-1n, [])).toThrow(/^window -1 is not a uint64$/);
    expect(() => encodeReport(UINT64_MAX + 1n, [])).toThrow(/^window 18446744073709551616 is not a uint64$/);
  });
});

describe("summary", () => {
  it("summarizes, encodes to 128 bytes and decodes back", () => {
    const s = summarize(GOLDEN.window, GOLDEN.lines);
    expect(s).toEqual({ window: GOLDEN.window, digest: GOLDEN.digest, lineCount: 3n, totalTokens: 150142n });
    const data = encodeSummary(s);
    expect((data.length - 2) / 2).toBe(128);
    expect(decodeSummary(data)).toEqual(s);
  });

  it("refuses a total beyond uint64", () => {
    expect(() => summarize(1n, [line(1n, "a", UINT64_MAX), line(1n, "b", 1n)])).toThrow(/^total tokens 18446744073709551616 exceed uint64$/);
  });

  it("has a flat-tuple ABI signature (no arrays, no nested tuples)", () => {
    const sig = JSON.parse(USAGE_SUMMARY_ABI_SIGNATURE) as { type: string; components: Array<{ name: string; type: string }> };
    expect(sig.type).toBe("tuple");
    expect(sig.components.map((c) => `${c.type} ${c.name}`)).toEqual([
      "uint64 window",
      "bytes32 digest",
      "uint64 lineCount",
      "uint64 totalTokens",
    ]);
  });

  it("has, from the compiler's artifact, the very abiSignature bytes verifiers pin (and so the same spec hash)", () => {
    // Both values as they stood when the signature was written by hand: a verifier deployed then
    // pins these bytes, and deploy:evm compares the spec hash to decide whether to change its spec.
    expect(USAGE_SUMMARY_ABI_SIGNATURE).toBe(
      '{"components":[{"internalType":"uint64","name":"window","type":"uint64"},{"internalType":"bytes32","name":"digest","type":"bytes32"},' +
        '{"internalType":"uint64","name":"lineCount","type":"uint64"},{"internalType":"uint64","name":"totalTokens","type":"uint64"}],' +
        '"internalType":"struct UsageSummary","name":"summary","type":"tuple"}',
    );
    expect(requestSpecHash(reportRequestSpec())).toBe("0x047f357d1dbf5479a0dbd417318a310f6f15e6ce39b37c9d83b5d55e2927bee3");
  });

  it("lives at <base>/reports/<window>/summary", () => {
    expect(summaryUrl("https://r.example", 7n)).toBe("https://r.example/reports/7/summary");
  });
});
