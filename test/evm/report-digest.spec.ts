import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { reportDigest, sortLines, UINT64_MAX, type UsageLine } from "../../src/report";
import { UsageReportVerifier__factory } from "../../src/evm/typechain";
import { BASE_URL, linesForChain, requestSpec, WINDOWS } from "./helpers/report-fixture";
import { rootOf } from "../unit/fixtures/request-roots";

async function verifierOnly() {
  const [owner] = await ethers.getSigners();
  return new UsageReportVerifier__factory(owner).deploy(await owner.getAddress(), BASE_URL, requestSpec(), WINDOWS.seconds);
}

/** Deterministic pseudo-random generator (xorshift), so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function randomLines(next: () => number, count: number): UsageLine[] {
  const families = ["", "a", "gpt-4", "gpt-4o", "claude", "x".repeat(31), "~ !"];
  const seen = new Set<string>();
  const lines: UsageLine[] = [];
  while (lines.length < count) {
    const line: UsageLine = {
      subscriptionId: next() < 0.1 ? UINT64_MAX : BigInt(Math.floor(next() * 50)),
      family: families[Math.floor(next() * families.length)],
      tokens: next() < 0.1 ? UINT64_MAX : BigInt(Math.floor(next() * 1e9)),
      requests: BigInt(Math.floor(next() * 1000)),
      requestsRoot: next() < 0.1 ? ethers.ZeroHash : rootOf(lines.length),
    };
    const key = `${line.subscriptionId}/${line.family}`;
    if (!seen.has(key)) {
      seen.add(key);
      lines.push(line);
    }
  }
  return sortLines(lines);
}

describe("report digest: TypeScript and Solidity agree", function () {
  it("on empty, edge-value and random reports", async function () {
    const verifier = await loadFixture(verifierOnly);
    const next = rng(20240601);
    const windows = [0n, 1n, 5_800_000n, UINT64_MAX];
    const reports: UsageLine[][] = [[], ...Array.from({ length: 12 }, (_, i) => randomLines(next, 1 + i * 3))];
    for (const window of windows) {
      for (const lines of reports) {
        expect(await verifier.reportDigest(window, linesForChain(lines))).to.equal(reportDigest(window, lines));
      }
    }
  });
});

describe("report digest: golden vector (shared with test/unit/report.test.ts and the Cadence tests)", function () {
  it("window 5800000, three lines", async function () {
    const verifier = await loadFixture(verifierOnly);
    const lines: UsageLine[] = [
      { subscriptionId: 1n, family: "", tokens: 100n, requests: 1n, requestsRoot: "0x5727c204a07658ff3fd96fcaf1712de392d488a7490a1aae4f8d5bd79ebcfd55" },
      { subscriptionId: 1n, family: "gpt-4", tokens: 150000n, requests: 3n, requestsRoot: "0xfc3768b182b5a70e793b7f7180cee6088fc4c6ad3fa198514ea770b64c921dc6" },
      { subscriptionId: 2n, family: "claude", tokens: 42n, requests: 2n, requestsRoot: "0x94655bae414181106e31752cb7731f68c1b895344e9b4b24b2f5820f8f630486" },
    ];
    const golden = "0x7dd03143d44cb97a32a99ba07bbb5a96ac97b64b0e67988564b2ed6c893227e6";
    expect(await verifier.reportDigest(5_800_000n, linesForChain(lines))).to.equal(golden);
    expect(reportDigest(5_800_000n, lines)).to.equal(golden);
    expect(await verifier.reportDigest(5_800_000n, [])).to.equal(
      "0x2be9c28a2998ef50e4563211f87032dee466a500240877b3ba0d46aae4d890f9",
    );
  });
});
