import { describe, expect, it } from "vitest";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { AbiCoder, ZeroHash, id, keccak256, toUtf8Bytes } from "ethers";
import fc from "fast-check";
import {
  EMPTY_REQUESTS_ROOT,
  InvalidRequestLeafError,
  REQUEST_LEAF_DOMAIN,
  UINT64_MAX,
  requestLeafHash,
  requestsRoot,
  requestsRootOf,
  type LineRequests,
  type RequestLeaf,
} from "../../src/report";
import { GOLDEN_REQUESTS } from "./fixtures/golden-report";

const leaves = (n: number, salt = ""): RequestLeaf[] =>
  Array.from({ length: n }, (_, i) => ({ requestId: `chatcmpl-${salt}${i}`, tokens: BigInt(i * 37 + 1) }));

/** The reference: OpenZeppelin's SimpleMerkleTree over the same leaf hashes, its default sort. */
const openZeppelinRoot = (ls: readonly RequestLeaf[]): string => SimpleMerkleTree.of(ls.map(requestLeafHash)).root;

describe("request leaves", () => {
  it("hash abi.encode(domain, keccak256(id), uint64 tokens) under their own domain tag", () => {
    expect(REQUEST_LEAF_DOMAIN).toBe(id("FlareFlow.RequestLeaf.v1"));
    const leaf = { requestId: "chatcmpl-9XZmkzS1uPhRCoVdGQvBqqIbSgECt", tokens: 1234n };
    const preimage = AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "uint64"], [REQUEST_LEAF_DOMAIN, keccak256(toUtf8Bytes(leaf.requestId)), leaf.tokens]);
    expect(requestLeafHash(leaf)).toBe(keccak256(preimage));
    expect(requestLeafHash({ ...leaf, tokens: UINT64_MAX })).toBe(
      keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "uint64"], [REQUEST_LEAF_DOMAIN, keccak256(toUtf8Bytes(leaf.requestId)), UINT64_MAX])),
    );
  });

  it("hash a request that used no tokens (a zero-token call is still a request of the line)", () => {
    const preimage = AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "uint64"], [REQUEST_LEAF_DOMAIN, keccak256(toUtf8Bytes("r0")), 0n]);
    expect(requestLeafHash({ requestId: "r0", tokens: 0n })).toBe(keccak256(preimage));
  });

  it("hash any id LiteLLM may log (empty, control characters, long), so no id halts a window", () => {
    for (const requestId of ["", "a\nb", "tab\there", "\u0000", "x".repeat(10_000), "é".repeat(129), "😀"]) {
      const preimage = AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "uint64"], [REQUEST_LEAF_DOMAIN, keccak256(toUtf8Bytes(requestId)), 1n]);
      expect(requestLeafHash({ requestId, tokens: 1n }), JSON.stringify(requestId)).toBe(keccak256(preimage));
    }
  });

  it("refuse lone surrogates (two would share one leaf), non-strings and tokens beyond uint64", () => {
    for (const requestId of ["a\uD800", "\uDC00b", "\uDBFF\uDBFF"]) {
      expect(() => requestLeafHash({ requestId, tokens: 1n }), JSON.stringify(requestId)).toThrow(/lone surrogate/);
    }
    expect(() => requestLeafHash({ requestId: 7 as unknown as string, tokens: 1n })).toThrow(InvalidRequestLeafError);
    expect(() => requestLeafHash({ requestId: "a", tokens: -1n })).toThrow(InvalidRequestLeafError);
    expect(() => requestLeafHash({ requestId: "a", tokens: UINT64_MAX + 1n })).toThrow(InvalidRequestLeafError);
  });

  it("say which request and why, quoting at most 80 characters of a refused id", () => {
    const refusal = (leaf: RequestLeaf): InvalidRequestLeafError => {
      try {
        requestLeafHash(leaf);
      } catch (e) {
        return e as InvalidRequestLeafError;
      }
      throw new Error("not refused");
    };
    const notString = refusal({ requestId: 7 as unknown as string, tokens: 1n });
    expect(notString.name).toBe("InvalidRequestLeafError");
    expect(notString.message).toBe("a request id is a string: 7");
    expect(refusal({ requestId: "r1", tokens: UINT64_MAX + 1n }).message).toBe("request r1: tokens 18446744073709551616 is not a uint64");
    // A token count that is a JS number is not a uint64 either (a report decoded without care).
    expect(refusal({ requestId: "r2", tokens: 5 as unknown as bigint }).message).toBe("request r2: tokens 5 is not a uint64");
    const long = `${"x".repeat(10_000)}\uD800`;
    expect(refusal({ requestId: long, tokens: 1n }).message).toBe(`request id ${JSON.stringify("x".repeat(80))} is not well-formed Unicode (a lone surrogate)`);
  });
});

describe("requestsRoot", () => {
  it("is OpenZeppelin SimpleMerkleTree's root for every size from 1 to 70", () => {
    for (let n = 1; n <= 70; n++) expect(requestsRoot(leaves(n)), `${n} leaves`).toBe(openZeppelinRoot(leaves(n)));
  });

  it("is SimpleMerkleTree's root at and past the hashing's reused buffers (4,096 leaves), and for a small line after a large one", () => {
    const asColumns = (ls: readonly RequestLeaf[]): LineRequests => ({ ids: ls.map((l) => l.requestId), tokens: ls.map((l) => Number(l.tokens)) });
    for (const n of [4096, 4097, 6000, 3, 4095]) {
      const ls = leaves(n, `big${n}-`);
      const expected = openZeppelinRoot(ls);
      expect(requestsRoot(ls), `${n} leaves`).toBe(expected);
      expect(requestsRootOf(asColumns(ls)), `${n} leaves side by side`).toBe(expected);
    }
    // Ids longer than any before (the UTF-8 buffer grows), then short ones again.
    for (const ls of [[{ requestId: "😀".repeat(400), tokens: 1n }, { requestId: "ü".repeat(3000), tokens: 2n }], leaves(5, "short")]) {
      expect(requestsRoot(ls)).toBe(openZeppelinRoot(ls));
    }
  });

  it("is SimpleMerkleTree's root for any set of requests, in any order (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ requestId: fc.string({ minLength: 0, maxLength: 40 }), tokens: fc.bigInt({ min: 0n, max: UINT64_MAX }) }), {
          minLength: 1,
          maxLength: 50,
          selector: (l) => l.requestId,
        }),
        (ls) => {
          const root = requestsRoot(ls);
          expect(root).toBe(openZeppelinRoot(ls));
          expect(requestsRoot([...ls].reverse())).toBe(root);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("lets one request be proved alone with SimpleMerkleTree's proof", () => {
    const ls = leaves(13);
    const tree = SimpleMerkleTree.of(ls.map(requestLeafHash));
    const proof = tree.getProof(requestLeafHash(ls[5]));
    expect(SimpleMerkleTree.verify(requestsRoot(ls), requestLeafHash(ls[5]), proof)).toBe(true);
    expect(SimpleMerkleTree.verify(requestsRoot(ls), requestLeafHash({ ...ls[5], tokens: ls[5].tokens + 1n }), proof)).toBe(false);
  });

  it("changes with any request added, removed or billed with other tokens", () => {
    const base = requestsRoot(leaves(8));
    expect(requestsRoot(leaves(9))).not.toBe(base);
    expect(requestsRoot(leaves(7))).not.toBe(base);
    const other = leaves(8);
    other[3] = { ...other[3], tokens: other[3].tokens + 1n };
    expect(requestsRoot(other)).not.toBe(base);
  });

  it("is 32 zero bytes for no request and refuses a request id given twice", () => {
    expect(requestsRoot([])).toBe(EMPTY_REQUESTS_ROOT);
    expect(EMPTY_REQUESTS_ROOT).toBe(ZeroHash);
    expect(() => requestsRoot([{ requestId: "a", tokens: 1n }, { requestId: "a", tokens: 2n }])).toThrow(/appears twice/);
  });

  it("gives the golden vector's roots", () => {
    expect(GOLDEN_REQUESTS.map(requestsRoot)).toEqual([
      "0x5727c204a07658ff3fd96fcaf1712de392d488a7490a1aae4f8d5bd79ebcfd55",
      "0xfc3768b182b5a70e793b7f7180cee6088fc4c6ad3fa198514ea770b64c921dc6",
      "0x94655bae414181106e31752cb7731f68c1b895344e9b4b24b2f5820f8f630486",
    ]);
  });
});

describe("requestsRootOf (the connector's side-by-side form)", () => {
  const sideBySide = (ls: readonly RequestLeaf[]): LineRequests => ({ ids: ls.map((l) => l.requestId), tokens: ls.map((l) => Number(l.tokens)) });

  it("is requestsRoot of the same requests, for any safe token count (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ requestId: fc.string({ minLength: 0, maxLength: 40 }), tokens: fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }) }), {
          minLength: 0,
          maxLength: 50,
          selector: (l) => l.requestId,
        }),
        (ls) => {
          expect(requestsRootOf(sideBySide(ls))).toBe(requestsRoot(ls));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("writes both 32-bit halves of the uint64 word: 0, 2^32 - 1, 2^32, 2^32 + 1 and 2^53 - 1 tokens", () => {
    for (const tokens of [0n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 53n - 1n, 0x1234_5678_9abcn]) {
      const leaf = { requestId: "r", tokens };
      expect(requestsRootOf(sideBySide([leaf])), String(tokens)).toBe(requestsRoot([leaf]));
    }
  });

  it("refuses what requestsRoot refuses, and columns of different lengths", () => {
    expect(requestsRootOf({ ids: [], tokens: [] })).toBe(EMPTY_REQUESTS_ROOT);
    const refused: [LineRequests, RegExp][] = [
      [{ ids: ["a", "a"], tokens: [1, 2] }, /request id "a" appears twice/],
      [{ ids: ["a"], tokens: [1, 2] }, /1 request ids but 2 token counts/],
      [{ ids: ["a", "b"], tokens: [1] }, /2 request ids but 1 token counts/],
      [{ ids: ["\ud800"], tokens: [1] }, /lone surrogate/],
      [{ ids: ["a"], tokens: [-1] }, /request a: tokens -1 is not a uint64/],
      [{ ids: ["a"], tokens: [1.5] }, /request a: tokens 1.5 is not a uint64/],
      [{ ids: ["a"], tokens: [2 ** 53] }, /request a: tokens 9007199254740992 is not a uint64/],
      [{ ids: ["a"], tokens: [Number.NaN] }, /request a: tokens NaN is not a uint64/],
      [{ ids: ["a"], tokens: ["1" as unknown as number] }, /request a: tokens 1 is not a uint64/],
    ];
    expect(() => requestsRootOf({ ids: ["a"], tokens: [-1] })).toThrow(expect.objectContaining({ docs: "README.md#verifiable-bills" }));
    for (const [requests, message] of refused) {
      expect(() => requestsRootOf(requests), JSON.stringify(requests)).toThrow(InvalidRequestLeafError);
      expect(() => requestsRootOf(requests), JSON.stringify(requests)).toThrow(message);
    }
  });
});
