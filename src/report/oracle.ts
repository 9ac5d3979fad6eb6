import { AbiCoder, SigningKey, ZeroHash, concat, getAddress, id, keccak256 } from "ethers";
import { validateLines, type UsageLine } from "./lines";
import { encodeWithLines, reportDigest } from "./digest";
import { UINT64_MAX } from "../pricing/units";

/**
 * What FlareFlow's oracles sign for Flow, and how (the code the oracle relayers run).
 *
 * Scheme: an oracle signs keccak256(encoding) with secp256k1 (ethers `SigningKey.sign`, 64 bytes
 * r‖s, no v), where `encoding` is the ABI encoding below. Cadence verifies with
 * `PublicKey.verify(signedData: encoding, domainSeparationTag: "", hashAlgorithm: KECCAK_256)`,
 * which hashes `signedData` itself: so Flow is handed the encoding, never the hash.
 */

/** keccak256("FlareFlow.OracleAttestation.v1"): first word of a single-transaction attestation. */
export const ORACLE_DOMAIN: string = id("FlareFlow.OracleAttestation.v1");
/** keccak256("FlareFlow.OracleAttestation.Chunked.v1"): first word of a chunked attestation. */
export const ORACLE_CHUNKED_DOMAIN: string = id("FlareFlow.OracleAttestation.Chunked.v1");
/** keccak256("FlareFlow.OracleAttestation.Resume.v1"): first word of a resume attestation. */
export const ORACLE_RESUME_DOMAIN: string = id("FlareFlow.OracleAttestation.Resume.v1");
/** keccak256("FlareFlow.UsageReportChunk.v2"): first word of a chunk hash (v2: lines carry requestsRoot). */
export const CHUNK_DOMAIN: string = id("FlareFlow.UsageReportChunk.v2");

/** The facts an oracle vouches for after reading Coston2's UsageReportVerifier. */
export type Attestation = {
  chainId: bigint;
  /** UsageReportVerifier address on Coston2. */
  verifier: string;
  window: bigint;
  /** 0x-prefixed 32-byte report digest, as Coston2 stored it. */
  digest: string;
  votingRound: bigint;
};

/** A chunked attestation adds the number of chunks and the head of the chunk chain. */
export type ChunkedAttestation = Attestation & { chunkCount: bigint; chunkChain: string };

/** A resume attestation: a new chunk chain for an accepted window's lines from `fromLine` on. */
export type ResumeAttestation = Attestation & { fromLine: bigint; chunkCount: bigint; chunkChain: string };

/** One chunk as a relayer submits it: its lines and the link after it. */
export type ReportChunk = { index: bigint; lines: UsageLine[]; nextLink: string };

/** A report split into chunks, with the chain head the oracles sign. */
export type ChunkPlan = { chunkCount: bigint; chunkChain: string; chunks: ReportChunk[] };

/** An oracle's signature, naming the oracle (Cadence has no ecrecover). */
export type OracleSignature = { oracleId: bigint; signature: string };

function checkUint64(value: bigint, what: string): void {
  if (value < 0n || value > UINT64_MAX) throw new RangeError(`${what} ${value} is not a uint64`);
}

function checkBytes32(value: string, what: string): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new RangeError(`${what} is not 32 bytes of 0x-hex: ${value}`);
}

type Word = readonly [name: string, type: "uint64", value: bigint] | readonly [name: string, type: "bytes32", value: string];

/**
 * The signed data of an attestation: `domain`, chain and verifier, the words every attestation
 * carries, then `more` (the kind's own), in ABI order. Each word is checked by name, the uint64s before the bytes32s, then `rule`.
 */
function signedData(domain: string, a: Attestation, more: readonly Word[] = [], rule?: () => void): string {
  const words: Word[] = [["window", "uint64", a.window], ["digest", "bytes32", a.digest], ["votingRound", "uint64", a.votingRound], ...more];
  for (const [name, type, value] of words) if (type === "uint64") checkUint64(value, name);
  for (const [name, type, value] of words) if (type === "bytes32") checkBytes32(value, name);
  rule?.();
  return AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "address", ...words.map(([, type]) => type)],
    [domain, a.chainId, getAddress(a.verifier), ...words.map(([, , value]) => value)],
  );
}

/** The signed data of a single-transaction attestation: 6 ABI words (192 bytes). */
export function encodeAttestation(a: Attestation): string {
  return signedData(ORACLE_DOMAIN, a);
}

/** The signed data of a chunked attestation: 8 ABI words (256 bytes). */
export function encodeChunkedAttestation(a: ChunkedAttestation): string {
  const chunks = () => {
    if (a.chunkCount < 2n) throw new RangeError("a chunked attestation has at least 2 chunks");
  };
  return signedData(ORACLE_CHUNKED_DOMAIN, a, [["chunkCount", "uint64", a.chunkCount], ["chunkChain", "bytes32", a.chunkChain]], chunks);
}

/** The signed data of a resume attestation: 9 ABI words (288 bytes). */
export function encodeResumeAttestation(a: ResumeAttestation): string {
  const chunks = () => {
    if (a.chunkCount < 1n) throw new RangeError("a resumed report has at least 1 chunk");
  };
  return signedData(ORACLE_RESUME_DOMAIN, a, [["fromLine", "uint64", a.fromLine], ["chunkCount", "uint64", a.chunkCount], ["chunkChain", "bytes32", a.chunkChain]], chunks);
}

/** keccak256(abi.encode(CHUNK_DOMAIN, uint64 window, uint64 index, uint64 chunkCount, Line[] lines)). */
export function chunkHash(window: bigint, index: bigint, chunkCount: bigint, lines: readonly UsageLine[]): string {
  return keccak256(encodeWithLines([CHUNK_DOMAIN, window, index, chunkCount], lines));
}

/** link[i] = keccak256(chunkHash(i) ‖ link[i+1]). */
export function chunkLink(hash: string, next: string): string {
  return keccak256(concat([hash, next]));
}

/**
 * Splits a report (already in report order) into chunks of at most `maxLines` lines and builds the
 * chain the oracles sign: link[n] = 0, link[i] = keccak256(chunkHash(i) ‖ link[i+1]).
 * Each chunk carries link[i+1], so Flow checks it against link[i] before charging it.
 */
export function planChunks(window: bigint, lines: readonly UsageLine[], maxLines: number): ChunkPlan {
  const plan = chainOf(window, lines, maxLines);
  if (plan.chunks.length < 2) throw new RangeError("the report fits one transaction; submit it whole");
  return plan;
}

/**
 * The chunk chain that resumes a stuck chunked report: the report's lines from `fromLine` on (the
 * first line Flow has not charged) in chunks of at most `maxLines`, indices from 0. One chunk is
 * allowed: a resumption is always chunked.
 */
export function planResume(window: bigint, lines: readonly UsageLine[], fromLine: bigint, maxLines: number): ChunkPlan {
  validateLines(lines);
  if (fromLine < 0n || fromLine >= BigInt(lines.length)) throw new RangeError(`fromLine ${fromLine} is not a line of the ${lines.length}-line report`);
  return chainOf(window, lines.slice(Number(fromLine)), maxLines);
}

function chainOf(window: bigint, lines: readonly UsageLine[], maxLines: number): ChunkPlan {
  if (!Number.isInteger(maxLines) || maxLines < 1) throw new RangeError(`maxLines must be a positive integer: ${maxLines}`);
  validateLines(lines);
  const parts: UsageLine[][] = [];
  for (let i = 0; i < lines.length; i += maxLines) parts.push(lines.slice(i, i + maxLines));
  const n = BigInt(parts.length);
  const chunks: ReportChunk[] = new Array<ReportChunk>(parts.length);
  let next = ZeroHash;
  for (let i = parts.length - 1; i >= 0; i--) {
    chunks[i] = { index: BigInt(i), lines: parts[i], nextLink: next };
    next = chunkLink(chunkHash(window, BigInt(i), n, parts[i]), next);
  }
  return { chunkCount: n, chunkChain: next, chunks };
}

/** An oracle's public key as FlareOracleVerifier registers it: 64 bytes hex, no 0x04, no 0x. */
export function oraclePublicKey(key: SigningKey | string): string {
  const signingKey = typeof key === "string" ? new SigningKey(key) : key;
  return signingKey.publicKey.slice(4);
}

/** Signs an attestation encoding: secp256k1 over keccak256(encoding), r‖s as 128 hex chars (no 0x). */
export function signEncoding(key: SigningKey | string, encoding: string): string {
  const signingKey = typeof key === "string" ? new SigningKey(key) : key;
  const sig = signingKey.sign(keccak256(encoding));
  return sig.r.slice(2) + sig.s.slice(2);
}

/** Signs a single-transaction attestation. */
export function signAttestation(key: SigningKey | string, oracleId: bigint, a: Attestation): OracleSignature {
  return { oracleId, signature: signEncoding(key, encodeAttestation(a)) };
}

/** Signs a chunked attestation. */
export function signChunkedAttestation(key: SigningKey | string, oracleId: bigint, a: ChunkedAttestation): OracleSignature {
  return { oracleId, signature: signEncoding(key, encodeChunkedAttestation(a)) };
}

/** Signs a resume attestation. */
export function signResumeAttestation(key: SigningKey | string, oracleId: bigint, a: ResumeAttestation): OracleSignature {
  return { oracleId, signature: signEncoding(key, encodeResumeAttestation(a)) };
}

/** The attestation of a report's lines (computes the digest; an oracle must compare it with Coston2's). */
export function attestationFor(
  source: { chainId: bigint; verifier: string },
  window: bigint,
  lines: readonly UsageLine[],
  votingRound: bigint,
): Attestation {
  return { chainId: source.chainId, verifier: source.verifier, window, digest: reportDigest(window, lines), votingRound };
}

/** The submit_report columns of a report's lines (Cadence arguments, in report order). */
export function lineColumns(lines: readonly UsageLine[]): {
  subscriptionIds: bigint[];
  families: string[];
  tokens: bigint[];
  requests: bigint[];
  requestRoots: bigint[];
} {
  return {
    subscriptionIds: lines.map((l) => l.subscriptionId),
    families: lines.map((l) => l.family),
    tokens: lines.map((l) => l.tokens),
    requests: lines.map((l) => l.requests),
    // Cadence takes each root as a UInt256: the same 32 bytes, big-endian, and one ABI word as is.
    requestRoots: lines.map((l) => BigInt(l.requestsRoot)),
  };
}
