/**
 * TypeScript and Cadence agree byte for byte on the pinned emulator: report digests (empty,
 * 1-line, edge values, 500-line), chunk hashes, attestation encodings, and signatures made by
 * the TypeScript signer verify on chain. Then the settlement's computation, asserted against
 * mainnet's 9,999 limit (figures printed; scripts/bench-flow-settlement.ts prints the full table).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBytes32String } from "ethers";
import {
  UINT64_MAX,
  attestationFor,
  chunkHash,
  encodeAttestation,
  lineColumns,
  reportDigest,
  signAttestation,
  type UsageLine,
} from "../../src/report";
import { COSTON2_CHAIN_ID } from "../../src/config/networks";
import { MAINNET_COMPUTE_LIMIT, ORACLE_KEYS, SettlementBench, VERIFIER, benchLines, measure } from "../../scripts/bench-flow-settlement";
import { oracleAttestation, oracleVerify } from "../../src/flow/generated/scripts";
import { triggersTestingChunkHash, triggersTestingReportDigest } from "../flow-generated/scripts";
import { rootOf } from "../unit/fixtures/request-roots";

const EDGE: UsageLine[] = [
  { subscriptionId: 0n, family: "", tokens: 0n, requests: 0n, requestsRoot: rootOf(1) },
  { subscriptionId: 1n, family: "", tokens: UINT64_MAX, requests: UINT64_MAX, requestsRoot: rootOf(2) },
  { subscriptionId: 1n, family: " ", tokens: 1n, requests: 1n, requestsRoot: rootOf(3) },
  { subscriptionId: 1n, family: "gpt", tokens: 2n, requests: 1n, requestsRoot: rootOf(4) },
  { subscriptionId: 1n, family: "gpt-4", tokens: 3n, requests: 1n, requestsRoot: rootOf(5) },
  { subscriptionId: 1n, family: "~".repeat(31), tokens: 4n, requests: 1n, requestsRoot: rootOf(6) },
  { subscriptionId: UINT64_MAX, family: "llama", tokens: 5n, requests: 2n, requestsRoot: rootOf(7) },
];

describe("Cadence and TypeScript on the emulator", () => {
  let bench: SettlementBench;

  beforeAll(async () => {
    bench = await SettlementBench.start();
  });

  afterAll(async () => {
    await bench?.stop();
  });

  const cadenceDigest = async (window: bigint, lines: readonly UsageLine[]): Promise<string> =>
    `0x${await bench.run(triggersTestingReportDigest, { window, ...lineColumns(lines) })}`;

  it("compute the same report digest: empty, one line, edge values, 500 lines", async () => {
    expect(await cadenceDigest(0n, [])).toBe(reportDigest(0n, []));
    const one = [{ subscriptionId: 42n, family: "claude", tokens: 1234n, requests: 5n, requestsRoot: rootOf(8) }];
    expect(await cadenceDigest(5_000_000n, one)).toBe(reportDigest(5_000_000n, one));
    expect(await cadenceDigest(UINT64_MAX, EDGE)).toBe(reportDigest(UINT64_MAX, EDGE));
    const big = benchLines(1, 500);
    expect(await cadenceDigest(5_912_345n, big)).toBe(reportDigest(5_912_345n, big));
  });

  it("encode families exactly as ethers.encodeBytes32String", async () => {
    // A one-line report differs between families only in the family word, so equal digests
    // for every family mean equal words.
    for (const family of ["", "a", "gpt-3.5", "claude-3-5-sonnet-20241022-v2:0"]) {
      const line = [{ subscriptionId: 1n, family, tokens: 1n, requests: 1n, requestsRoot: rootOf(9) }];
      expect(encodeBytes32String(family)).toHaveLength(66);
      expect(await cadenceDigest(1n, line)).toBe(reportDigest(1n, line));
    }
  });

  it("compute the same chunk hash", async () => {
    const part = benchLines(10, 3);
    const hash = await bench.run(triggersTestingChunkHash, { window: 77n, index: 1n, chunkCount: 4n, ...lineColumns(part) });
    expect(`0x${hash}`).toBe(chunkHash(77n, 1n, 4n, part));
  });

  it("build the same attestation, and a TypeScript signature verifies on chain", async () => {
    const lines = benchLines(1, 4);
    const a = attestationFor({ chainId: BigInt(COSTON2_CHAIN_ID), verifier: VERIFIER }, 9n, lines, 31n);
    const encoded = await bench.run(oracleAttestation, { window: 9n, digest: a.digest.slice(2), votingRound: 31n, chunkCount: 1n, chunkChain: a.digest.slice(2) });
    expect(`0x${encoded}`).toBe(encodeAttestation(a));

    const sigs = ORACLE_KEYS.map((key, i) => signAttestation(key, BigInt(i + 1), a));
    const verify = (signers: bigint[], signatures: string[]) =>
      bench.run(oracleVerify, { window: 9n, digest: a.digest.slice(2), votingRound: 31n, signers, signatures });
    expect(await verify([1n, 2n], [sigs[0].signature, sigs[1].signature])).toBe(true);
    expect(await verify([1n, 1n], [sigs[0].signature, sigs[0].signature])).toBe(false);
    expect(await verify([2n, 1n], [sigs[0].signature, sigs[1].signature])).toBe(false);
  });

  it("settle at least 500 lines in one transaction within mainnet's 9,999, and chunks beyond", async () => {
    const f = await measure(bench, [1, 100, 500], 3);
    const at500 = f.perReport.find((r) => r.lines === 500);
    console.log(
      `settlement computation: ${f.perReport.map((r) => `${r.lines} lines ${r.computation}`).join(", ")}; ` +
        `one tx per line ${f.singleLineTx.toFixed(1)}; marginal per line ${f.perLine.toFixed(2)}; ~${f.linesPerTransaction} lines per tx`,
    );
    expect(at500?.computation).toBeLessThanOrEqual(MAINNET_COMPUTE_LIMIT);
    expect(f.linesPerTransaction).toBeGreaterThanOrEqual(500);
    // A line inside a report costs far less than a transaction per line.
    expect(f.perLine * 4).toBeLessThan(f.singleLineTx);

    const chunked = await bench.submitChunked(await bench.freshLines(1_200), 500);
    expect(chunked.map((o) => o.error)).toEqual(["", "", "", ""]);
    for (const o of chunked) expect(o.computation).toBeLessThanOrEqual(MAINNET_COMPUTE_LIMIT);
    const settled = chunked[3].events.filter((e) => e.type.endsWith("FlareFDCTriggers.UsageReportSettled"));
    expect(settled).toHaveLength(1);
  }, 600_000);
});
