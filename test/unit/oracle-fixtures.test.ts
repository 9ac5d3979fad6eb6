/**
 * Builds cadence/tests/oracle_fixtures.cdc: fixed oracle keys, reports and signatures made by the
 * TypeScript signer (src/report/oracle.ts), which the Cadence tests verify on chain. Signing is
 * deterministic (RFC 6979), so the file is reproducible; this test fails when it is stale.
 * Regenerate with: UPDATE_FIXTURES=1 npx vitest run test/unit/oracle-fixtures.test.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AbiCoder, getAddress, id } from "ethers";
import {
  encodeAttestation,
  oraclePublicKey,
  planChunks,
  planResume,
  reportDigest,
  signChunkedAttestation,
  signResumeAttestation,
  signEncoding,
  type Attestation,
  type OracleSignature,
  type UsageLine,
} from "../../src/report";
import { COSTON2_CHAIN_ID } from "../../src/config/networks";
import { DEFAULT_PRICING, chargeLines, formatUFix64, parseUFix64, type SubscriptionState } from "../../src/pricing";
import { rootOf } from "./fixtures/request-roots";

const FIXTURE_PATH = join(__dirname, "../../cadence/tests/oracle_fixtures.cdc");

/** Four oracle keys; the Cadence tests register the first three (ids 1, 2, 3), never the fourth. */
export const ORACLE_PRIVATE_KEYS: readonly string[] = [1, 2, 3, 4].map((i) => id(`FlareFlow test oracle ${i}`));
export const VERIFIER = getAddress("0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01");
export const SOURCE = { chainId: BigInt(COSTON2_CHAIN_ID), verifier: VERIFIER };

const W1 = 5_000_000n;
const W2 = 5_000_010n;
const W3 = 5_000_020n;
const ROUND = 1_234_567n;

const line = (subscriptionId: bigint, family: string, tokens: bigint, requests: bigint): UsageLine => ({ subscriptionId, family, tokens, requests, requestsRoot: rootOf(`${subscriptionId}-${family}`, tokens) });

/** Window W1: several providers' subscriptions, one escrow overrun (sub 2), one unknown id (99). */
export const W1_LINES: UsageLine[] = [
  line(1n, "", 1_000n, 1n),
  line(1n, "gpt-4", 150_000n, 3n),
  line(2n, "claude", 500_000n, 5n),
  line(3n, "llama", 20_000n, 2n),
  line(99n, "gpt-4", 10n, 1n),
];
const W2_LINES: UsageLine[] = [line(1n, "gpt-3.5", 1_000n, 1n)];
const W3_LINES: UsageLine[] = [
  line(1n, "gpt-4", 1_000n, 1n),
  line(1n, "llama", 2_000n, 1n),
  line(2n, "", 10n, 1n),
  line(3n, "claude", 3_000n, 1n),
  line(3n, "gpt-4", 4_000n, 1n),
];
/** The lowest line a report can begin with (subscription 0, the default family ""), then its next. */
const W4 = 5_000_030n;
const W4_LINES: UsageLine[] = [line(0n, "", 7n, 1n), line(0n, "claude", 8n, 1n)];
/** Families at the edges of the format: the lowest and highest printable bytes, and 31 bytes, the longest. */
const W5 = 5_000_040n;
const W5_LINES: UsageLine[] = [line(1n, " ", 1n, 1n), line(1n, "abcdefghijklmnopqrstuvwxyz01234", 2n, 1n), line(1n, "~", 3n, 1n)];
/** Deposits of subscriptions 1, 2, 3 in the Cadence tests. */
export const DEPOSITS: readonly string[] = ["100.0", "1.0", "50.0"];

function sigsOver(encoding: string, named: Array<[bigint, number]>): OracleSignature[] {
  return named.map(([oracleId, keyIndex]) => ({ oracleId, signature: signEncoding(ORACLE_PRIVATE_KEYS[keyIndex], encoding) }));
}

function attest(window: bigint, lines: UsageLine[], over: Partial<Attestation> = {}): Attestation {
  return { ...SOURCE, window, digest: reportDigest(window, lines), votingRound: ROUND, ...over };
}

/** The single-transaction encoding with another domain tag. */
function encodeWithDomain(domain: string, a: Attestation): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "uint256", "address", "uint64", "bytes32", "uint64"],
    [domain, a.chainId, a.verifier, a.window, a.digest, a.votingRound],
  );
}

const u64 = (xs: readonly bigint[]): string => `[${xs.map((x) => x.toString()).join(", ")}]`;
const strs = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
const hex = (x: string): string => JSON.stringify(x.replace(/^0x/, "").toLowerCase());

function reportLiteral(window: bigint, lines: UsageLine[]): string {
  return `FxReport(window: ${window}, round: ${ROUND}, ids: ${u64(lines.map((l) => l.subscriptionId))}, families: ${strs(
    lines.map((l) => l.family),
  )}, tokens: ${u64(lines.map((l) => l.tokens))}, requests: ${u64(lines.map((l) => l.requests))}, roots: ${u64(lines.map((l) => BigInt(l.requestsRoot)))}, digest: ${hex(reportDigest(window, lines))})`;
}

function sigsLiteral(sigs: OracleSignature[]): string {
  return `FxSigs(signers: ${u64(sigs.map((s) => s.oracleId))}, signatures: ${strs(sigs.map((s) => s.signature))})`;
}

/** What W1 charges, by the TypeScript pricing mirror (fresh periods, DEPOSITS). */
export function expectedW1(): { charged: bigint[]; cost: bigint[]; total: bigint } {
  const states = new Map<bigint, SubscriptionState>(
    DEPOSITS.map((d, i) => [BigInt(i + 1), { balance: parseUFix64(d), periodTokens: 0n, periodSpent: 0n }]),
  );
  const charges = chargeLines(DEFAULT_PRICING, states, W1_LINES);
  return { charged: charges.map((c) => c.charged), cost: charges.map((c) => c.cost), total: charges.reduce((s, c) => s + c.charged, 0n) };
}

/** The text of cadence/tests/oracle_fixtures.cdc. */
export function buildFixtures(): string {
  const a1 = attest(W1, W1_LINES);
  const e1 = encodeAttestation(a1);
  const sigs: Record<string, OracleSignature[]> = {
    w1: sigsOver(e1, [[1n, 0], [2n, 1]]),
    w1All: sigsOver(e1, [[1n, 0], [2n, 1], [3n, 2]]),
    w1Unregistered: sigsOver(e1, [[1n, 0], [4n, 3]]),
    w1UnregisteredAsKnownId: sigsOver(e1, [[1n, 0], [2n, 3]]),
    w1Twice: sigsOver(e1, [[1n, 0], [1n, 0]]),
    w1One: sigsOver(e1, [[1n, 0]]),
    w1Removed: sigsOver(e1, [[1n, 0], [3n, 2]]),
    w1WrongDomain: sigsOver(encodeWithDomain(id("FlareFlow.OracleAttestation.v0"), a1), [[1n, 0], [2n, 1]]),
    w1OtherChain: sigsOver(encodeAttestation(attest(W1, W1_LINES, { chainId: 14n })), [[1n, 0], [2n, 1]]),
    w1OtherVerifier: sigsOver(
      encodeAttestation(attest(W1, W1_LINES, { verifier: getAddress("0x000000000000000000000000000000000000dead") })),
      [[1n, 0], [2n, 1]],
    ),
    w1OtherRound: sigsOver(encodeAttestation(attest(W1, W1_LINES, { votingRound: ROUND + 1n })), [[1n, 0], [2n, 1]]),
    w2: sigsOver(encodeAttestation(attest(W2, W2_LINES)), [[1n, 0], [2n, 1]]),
  };
  const tampered = W1_LINES.map((l, i) => (i === 1 ? { ...l, tokens: 15_000n } : l));

  const plan = planChunks(W3, W3_LINES, 2);
  const digest3 = reportDigest(W3, W3_LINES);
  const chunked = { ...attest(W3, W3_LINES), chunkCount: plan.chunkCount, chunkChain: plan.chunkChain };
  sigs.w3Chunked = [signChunkedAttestation(ORACLE_PRIVATE_KEYS[0], 1n, chunked), signChunkedAttestation(ORACLE_PRIVATE_KEYS[1], 2n, chunked)];
  // The fewest chunks a chunked report may have: w3 in chunks of 3 lines is 2 chunks.
  const two = planChunks(W3, W3_LINES, 3);
  const chunkedTwo = { ...attest(W3, W3_LINES), chunkCount: two.chunkCount, chunkChain: two.chunkChain };
  sigs.w3TwoChunks = [signChunkedAttestation(ORACLE_PRIVATE_KEYS[0], 1n, chunkedTwo), signChunkedAttestation(ORACLE_PRIVATE_KEYS[1], 2n, chunkedTwo)];
  // The single-transaction attestation of the same digest must not open a chunked report.
  sigs.w3Single = sigsOver(encodeAttestation(attest(W3, W3_LINES)), [[1n, 0], [2n, 1]]);

  // w3 stuck after its first chunk (2 lines): the oracles sign a new chain over lines 2.. in
  // chunks of 1, and, as attacks, one claiming to start at line 1 (a charged line again).
  const resume = planResume(W3, W3_LINES, 2n, 1);
  const resumed = { ...attest(W3, W3_LINES), fromLine: 2n, chunkCount: resume.chunkCount, chunkChain: resume.chunkChain };
  sigs.w3Resume = [signResumeAttestation(ORACLE_PRIVATE_KEYS[0], 1n, resumed), signResumeAttestation(ORACLE_PRIVATE_KEYS[1], 2n, resumed)];
  sigs.w3ResumeOne = [signResumeAttestation(ORACLE_PRIVATE_KEYS[0], 1n, resumed)];
  const fromOne = planResume(W3, W3_LINES, 1n, 1);
  const resumedFromOne = { ...attest(W3, W3_LINES), fromLine: 1n, chunkCount: fromOne.chunkCount, chunkChain: fromOne.chunkChain };
  sigs.w3ResumeFromOne = [signResumeAttestation(ORACLE_PRIVATE_KEYS[0], 1n, resumedFromOne), signResumeAttestation(ORACLE_PRIVATE_KEYS[1], 2n, resumedFromOne)];
  // The chunked attestation's signatures must not pass as a resume attestation.
  sigs.w3ChunkedAsResume = sigs.w3Chunked;
  // The same resumption in a single chunk: every uncharged line fits one transaction.
  const whole = planResume(W3, W3_LINES, 2n, W3_LINES.length);
  const resumedWhole = { ...attest(W3, W3_LINES), fromLine: 2n, chunkCount: whole.chunkCount, chunkChain: whole.chunkChain };
  sigs.w3ResumeWhole = [signResumeAttestation(ORACLE_PRIVATE_KEYS[0], 1n, resumedWhole), signResumeAttestation(ORACLE_PRIVATE_KEYS[1], 2n, resumedWhole)];

  const expected = expectedW1();
  const chunkLiteral = (c: (typeof plan.chunks)[number]): string =>
    `FxChunk(index: ${c.index}, ids: ${u64(c.lines.map((l) => l.subscriptionId))}, families: ${strs(c.lines.map((l) => l.family))}, tokens: ${u64(
      c.lines.map((l) => l.tokens),
    )}, requests: ${u64(c.lines.map((l) => l.requests))}, roots: ${u64(c.lines.map((l) => BigInt(l.requestsRoot)))}, nextLink: ${hex(c.nextLink)})`;
  const chunkLiterals = plan.chunks.map(chunkLiteral);
  // A chain's chunk count, head and chunks, as three Cadence functions named after it.
  const planFunctions = (name: string, doc: string, p: { chunkCount: number | bigint; chunkChain: string; chunks: readonly (typeof plan.chunks)[number][] }): string => `/// ${doc}
access(all) fun fx${name}ChunkCount(): UInt64 {
    return ${p.chunkCount}
}

access(all) fun fx${name}Chain(): String {
    return ${hex(p.chunkChain)}
}

access(all) fun fx${name}Chunks(): [FxChunk] {
    return [
        ${p.chunks.map(chunkLiteral).join(",\n        ")}
    ]
}
`;

  return `// Generated by test/unit/oracle-fixtures.test.ts from src/report/oracle.ts; do not edit.
// Regenerate: UPDATE_FIXTURES=1 npx vitest run test/unit/oracle-fixtures.test.ts

access(all) struct FxReport {
    access(all) let window: UInt64
    access(all) let round: UInt64
    access(all) let ids: [UInt64]
    access(all) let families: [String]
    access(all) let tokens: [UInt64]
    access(all) let requests: [UInt64]
    access(all) let roots: [UInt256]
    access(all) let digest: String

    init(window: UInt64, round: UInt64, ids: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], roots: [UInt256], digest: String) {
        self.window = window
        self.round = round
        self.ids = ids
        self.families = families
        self.tokens = tokens
        self.requests = requests
        self.roots = roots
        self.digest = digest
    }
}

access(all) struct FxSigs {
    access(all) let signers: [UInt64]
    access(all) let signatures: [String]

    init(signers: [UInt64], signatures: [String]) {
        self.signers = signers
        self.signatures = signatures
    }
}

access(all) struct FxChunk {
    access(all) let index: UInt64
    access(all) let ids: [UInt64]
    access(all) let families: [String]
    access(all) let tokens: [UInt64]
    access(all) let requests: [UInt64]
    access(all) let roots: [UInt256]
    access(all) let nextLink: String

    init(index: UInt64, ids: [UInt64], families: [String], tokens: [UInt64], requests: [UInt64], roots: [UInt256], nextLink: String) {
        self.index = index
        self.ids = ids
        self.families = families
        self.tokens = tokens
        self.requests = requests
        self.roots = roots
        self.nextLink = nextLink
    }
}

/// Public keys (64 bytes hex) of the four test oracles; the tests register the first three.
access(all) fun fxOracleKeys(): [String] {
    return ${strs(ORACLE_PRIVATE_KEYS.map((k) => oraclePublicKey(k)))}
}

access(all) fun fxChainId(): UInt256 {
    return ${SOURCE.chainId}
}

access(all) fun fxVerifier(): String {
    return ${JSON.stringify(VERIFIER)}
}

/// Reports: w1 (valid), w1Tampered (one line's tokens changed after signing), w2, w3 (chunked),
/// w4 (its first line the lowest there is: subscription 0, family ""), w5 (families at the edges
/// of the format: " ", "~" and one of 31 bytes).
access(all) fun fxReport(_ name: String): FxReport {
    let reports: {String: FxReport} = {
        "w1": ${reportLiteral(W1, W1_LINES)},
        "w1Tampered": ${reportLiteral(W1, tampered)},
        "w2": ${reportLiteral(W2, W2_LINES)},
        "w3": ${reportLiteral(W3, W3_LINES)},
        "w4": ${reportLiteral(W4, W4_LINES)},
        "w5": ${reportLiteral(W5, W5_LINES)}
    }
    return reports[name] ?? panic("no fixture report ".concat(name))
}

access(all) fun fxSigs(_ name: String): FxSigs {
    let all: {String: FxSigs} = {
${Object.entries(sigs)
  .map(([k, v]) => `        ${JSON.stringify(k)}: ${sigsLiteral(v)}`)
  .join(",\n")}
    }
    return all[name] ?? panic("no fixture signatures ".concat(name))
}

/// The single-transaction attestation encoding of w1 (hex), as TypeScript builds it.
access(all) fun fxW1Attestation(): String {
    return ${hex(e1)}
}

/// Chunk plan of w3 (2 lines per chunk): chunk count, chain head, digest, chunks.
access(all) fun fxW3ChunkCount(): UInt64 {
    return ${plan.chunkCount}
}

access(all) fun fxW3ChunkChain(): String {
    return ${hex(plan.chunkChain)}
}

access(all) fun fxW3Digest(): String {
    return ${hex(digest3)}
}

access(all) fun fxW3Chunks(): [FxChunk] {
    return [
        ${chunkLiterals.join(",\n        ")}
    ]
}

${planFunctions("W3Two", "w3 in chunks of 3 lines: 2 chunks, the fewest a chunked report may have.", two)}
${planFunctions("W3Resume", "The resumption of w3 after its first chunk: lines 2.. in chunks of 1.", resume)}
${planFunctions("W3ResumeWhole", "The resumption of w3 after its first chunk in one chunk: lines 2.. together.", whole)}
${planFunctions("W3ResumeFromOne", "An attack: a resumption that claims to start at line 1 (already charged).", fromOne)}
/// What the TypeScript pricing mirror charges each w1 line (subscriptions 1..3 fresh, deposits
/// ${DEPOSITS.join(", ")}), and the total.
access(all) fun fxW1Charged(): [UFix64] {
    return [${expected.charged.map((c) => formatUFix64(c)).join(", ")}]
}

access(all) fun fxW1Total(): UFix64 {
    return ${formatUFix64(expected.total)}
}
`;
}

describe("oracle fixtures for the Cadence tests", () => {
  it("cadence/tests/oracle_fixtures.cdc is up to date", () => {
    const text = buildFixtures();
    if (process.env.UPDATE_FIXTURES === "1") writeFileSync(FIXTURE_PATH, text);
    expect(readFileSync(FIXTURE_PATH, "utf8")).toBe(text);
  });

  it("the mirror's W1 expectation overruns subscription 2 and skips the unknown line", () => {
    const e = expectedW1();
    expect(e.charged[2]).toBe(parseUFix64("1.0"));
    expect(e.cost[2] > e.charged[2]).toBe(true);
    expect(e.charged[4]).toBe(0n);
  });
});
