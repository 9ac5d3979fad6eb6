import { describe, expect, it } from "vitest";
import { Signature, SigningKey, ZeroHash, computeAddress, dataLength, getAddress, id, keccak256, recoverAddress } from "ethers";
import {
  CHUNK_DOMAIN,
  ORACLE_CHUNKED_DOMAIN,
  ORACLE_DOMAIN,
  attestationFor,
  chunkHash,
  chunkLink,
  encodeAttestation,
  encodeChunkedAttestation,
  encodeResumeAttestation,
  lineColumns,
  oraclePublicKey,
  planChunks,
  planResume,
  reportDigest,
  signAttestation,
  signEncoding,
  UINT64_MAX,
  type UsageLine,
} from "../../src/report";
import { COSTON2_CHAIN_ID } from "../../src/config/networks";
import { rootOf } from "./fixtures/request-roots";

const KEY = id("FlareFlow unit oracle");
const VERIFIER = getAddress("0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01");
const SOURCE = { chainId: BigInt(COSTON2_CHAIN_ID), verifier: VERIFIER };

const lines = (n: number): UsageLine[] =>
  Array.from({ length: n }, (_, i) => ({ subscriptionId: BigInt(i + 1), family: i % 2 ? "gpt-4" : "", tokens: BigInt(100 + i), requests: 1n, requestsRoot: rootOf(1) }));

const words = (hex: string): string[] => hex.slice(2).match(/.{64}/g) ?? [];

describe("oracle attestation encoding", () => {
  it("uses the fixed domain tags", () => {
    expect(ORACLE_DOMAIN).toBe(keccak256(Buffer.from("FlareFlow.OracleAttestation.v1")));
    expect(ORACLE_CHUNKED_DOMAIN).toBe(id("FlareFlow.OracleAttestation.Chunked.v1"));
    expect(CHUNK_DOMAIN).toBe(id("FlareFlow.UsageReportChunk.v2"));
  });

  it("is 6 static words: domain, chain id, verifier, window, digest, round", () => {
    const a = attestationFor(SOURCE, 7n, lines(3), 99n);
    const w = words(encodeAttestation(a));
    expect(w).toHaveLength(6);
    expect(`0x${w[0]}`).toBe(ORACLE_DOMAIN);
    expect(BigInt(`0x${w[1]}`)).toBe(114n);
    expect(`0x${w[2].slice(24)}`).toBe(VERIFIER.toLowerCase());
    expect(BigInt(`0x${w[3]}`)).toBe(7n);
    expect(`0x${w[4]}`).toBe(reportDigest(7n, lines(3)));
    expect(BigInt(`0x${w[5]}`)).toBe(99n);
  });

  it("a chunked attestation is 8 words under its own domain", () => {
    const plan = planChunks(7n, lines(5), 2);
    const w = words(encodeChunkedAttestation({ ...attestationFor(SOURCE, 7n, lines(5), 1n), chunkCount: plan.chunkCount, chunkChain: plan.chunkChain }));
    expect(w).toHaveLength(8);
    expect(`0x${w[0]}`).toBe(ORACLE_CHUNKED_DOMAIN);
    expect(BigInt(`0x${w[6]}`)).toBe(3n);
    expect(`0x${w[7]}`).toBe(plan.chunkChain);
  });

  it("refuses malformed input", () => {
    const a = attestationFor(SOURCE, 7n, lines(1), 1n);
    expect(() => encodeAttestation({ ...a, digest: "0x12" })).toThrow(/32 bytes/);
    expect(() => encodeAttestation({ ...a, window: -1n })).toThrow(/uint64/);
    expect(() => encodeAttestation({ ...a, votingRound: 1n << 64n })).toThrow(/uint64/);
    expect(() => encodeChunkedAttestation({ ...a, chunkCount: 1n, chunkChain: ZeroHash })).toThrow(/at least 2/);
  });

  it("every encoding takes window 0 and the largest uint64, and a chunked one exactly 2 chunks", () => {
    for (const value of [0n, UINT64_MAX]) {
      const a = { ...attestationFor(SOURCE, 7n, lines(1), 1n), window: value, votingRound: value };
      expect(words(encodeAttestation(a))).toHaveLength(6);
      expect(words(encodeChunkedAttestation({ ...a, chunkCount: value === 0n ? 2n : value, chunkChain: ZeroHash }))).toHaveLength(8);
      expect(words(encodeResumeAttestation({ ...a, fromLine: value, chunkCount: value === 0n ? 1n : value, chunkChain: ZeroHash }))).toHaveLength(9);
    }
  });

  it("every refusal names the field that is out of range or malformed", () => {
    const a = attestationFor(SOURCE, 7n, lines(1), 1n);
    const chunked = { ...a, chunkCount: 2n, chunkChain: ZeroHash };
    const resumed = { ...a, fromLine: 0n, chunkCount: 1n, chunkChain: ZeroHash };
    const encoders: Array<[string, (over: Record<string, unknown>) => string, string[], string[]]> = [
      ["single", (o) => encodeAttestation({ ...a, ...o }), ["window", "votingRound"], ["digest"]],
      ["chunked", (o) => encodeChunkedAttestation({ ...chunked, ...o }), ["window", "votingRound", "chunkCount"], ["digest", "chunkChain"]],
      ["resume", (o) => encodeResumeAttestation({ ...resumed, ...o }), ["window", "votingRound", "fromLine", "chunkCount"], ["digest", "chunkChain"]],
    ];
    for (const [name, encode, numbers, hashes] of encoders) {
      for (const field of numbers) {
        expect(() => encode({ [field]: -1n }), `${name} ${field}`).toThrow(new RegExp(`^${field} -1 is not a uint64$`));
        expect(() => encode({ [field]: UINT64_MAX + 1n }), `${name} ${field}`).toThrow(new RegExp(`^${field} 18446744073709551616 is not a uint64$`));
      }
      for (const field of hashes) {
        // 32 bytes inside a longer string is not 32 bytes: no prefix, no suffix.
        for (const bad of [`00${ZeroHash}`, `${ZeroHash}00`, "0x12"]) {
          expect(() => encode({ [field]: bad }), `${name} ${field} ${bad}`).toThrow(new RegExp(`^${field} is not 32 bytes of 0x-hex`));
        }
      }
    }
  });

  it("a resume attestation covers at least one chunk", () => {
    const a = { ...attestationFor(SOURCE, 7n, lines(2), 1n), fromLine: 1n, chunkChain: ZeroHash };
    expect(() => encodeResumeAttestation({ ...a, chunkCount: 0n })).toThrow(/^a resumed report has at least 1 chunk$/);
    expect(words(encodeResumeAttestation({ ...a, chunkCount: 1n }))).toHaveLength(9);
  });
});

describe("oracle signatures", () => {
  it("are 64-byte r‖s over keccak256(encoding), recoverable to the oracle's key", () => {
    const a = attestationFor(SOURCE, 7n, lines(2), 1n);
    const encoding = encodeAttestation(a);
    const sig = signAttestation(KEY, 3n, a);
    expect(sig.oracleId).toBe(3n);
    expect(sig.signature).toMatch(/^[0-9a-f]{128}$/);
    const r = `0x${sig.signature.slice(0, 64)}`;
    const s = `0x${sig.signature.slice(64)}`;
    const owner = computeAddress(new SigningKey(KEY).publicKey);
    const recovered = [27, 28].map((v) => recoverAddress(keccak256(encoding), Signature.from({ r, s, v })));
    expect(recovered).toContain(owner);
  });

  it("are deterministic (RFC 6979), so fixtures are reproducible", () => {
    const encoding = encodeAttestation(attestationFor(SOURCE, 7n, lines(2), 1n));
    expect(signEncoding(KEY, encoding)).toBe(signEncoding(new SigningKey(KEY), encoding));
  });

  it("the public key Flow registers is the 64-byte point without 04", () => {
    const pub = oraclePublicKey(KEY);
    expect(pub).toMatch(/^[0-9a-f]{128}$/);
    expect(`0x04${pub}`).toBe(new SigningKey(KEY).publicKey);
  });
});

describe("chunk plans", () => {
  it("chain every chunk to the next, ending in zero", () => {
    const all = lines(7);
    const plan = planChunks(9n, all, 3);
    expect(plan.chunkCount).toBe(3n);
    expect(plan.chunks.map((c) => c.lines.length)).toEqual([3, 3, 1]);
    expect(plan.chunks[2].nextLink).toBe(ZeroHash);
    let link = ZeroHash;
    for (let i = 2; i >= 0; i--) {
      expect(plan.chunks[i].nextLink).toBe(link);
      link = chunkLink(chunkHash(9n, BigInt(i), 3n, plan.chunks[i].lines), link);
    }
    expect(plan.chunkChain).toBe(link);
    expect(plan.chunks.flatMap((c) => c.lines)).toEqual(all);
  });

  it("bind each chunk to its index, count and window", () => {
    const part = lines(2);
    const base = chunkHash(1n, 0n, 2n, part);
    expect(chunkHash(1n, 1n, 2n, part)).not.toBe(base);
    expect(chunkHash(1n, 0n, 3n, part)).not.toBe(base);
    expect(chunkHash(2n, 0n, 2n, part)).not.toBe(base);
    expect(dataLength(base)).toBe(32);
  });

  it("refuse a report that fits one transaction or a bad size", () => {
    expect(() => planChunks(1n, lines(3), 3)).toThrow(/fits one transaction/);
    expect(() => planChunks(1n, lines(3), 0)).toThrow(/positive integer/);
  });

  it("a report of exactly two chunks is chunked", () => {
    const plan = planChunks(1n, lines(4), 2);
    expect(plan.chunkCount).toBe(2n);
    expect(plan.chunks.map((c) => c.lines.length)).toEqual([2, 2]);
  });

  it("resume from any line Flow has not charged, the last one included, and from no other", () => {
    const all = lines(5);
    const fromStart = planResume(9n, all, 0n, 2);
    expect(fromStart.chunks.flatMap((c) => c.lines)).toEqual(all);
    const last = planResume(9n, all, 4n, 2);
    expect(last.chunkCount).toBe(1n);
    expect(last.chunks[0].lines).toEqual([all[4]]);
    expect(last.chunkChain).toBe(chunkLink(chunkHash(9n, 0n, 1n, [all[4]]), ZeroHash));
    for (const fromLine of [-1n, 5n, 6n]) {
      expect(() => planResume(9n, all, fromLine, 2), String(fromLine)).toThrow(new RegExp(`^fromLine ${fromLine} is not a line of the 5-line report$`));
    }
  });

  it("refuse unsorted lines", () => {
    expect(() => planChunks(1n, [...lines(3)].reverse(), 1)).toThrow(/not sorted/);
  });
});

describe("line columns", () => {
  it("split lines into the submit_report columns, in order", () => {
    const c = lineColumns(lines(3));
    expect(c.subscriptionIds).toEqual([1n, 2n, 3n]);
    expect(c.families).toEqual(["", "gpt-4", ""]);
    expect(c.tokens).toEqual([100n, 101n, 102n]);
    expect(c.requests).toEqual([1n, 1n, 1n]);
  });
});
