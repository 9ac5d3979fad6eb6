/**
 * Gas benchmark of UsageReportVerifier on the Hardhat network (run:
 * `npx hardhat run scripts/bench-evm-gas.ts`). For reports of 1, 10, 100 and 500 lines it prints
 * the gas of `submit` (one attestation, one proof per window) and the gas per line, beside the
 * naive baseline measured in the same run: one attestation and one proof per subscription, i.e.
 * n submissions of a one-line summary whose n attestations share one voting round (so each proof
 * has the depth a round of n attestations gives). Request-side gas (FdcHub.requestAttestation on
 * the harness stand-in, which unlike Flare's does not forward the fee to the reward manager) is
 * printed too: 1 request per window against n. Both are measured in steady state (after a first
 * verified window), on fresh deployments per size.
 */
import { ethers } from "hardhat";
import { buildRoundProofs, encodeWeb2JsonRequest, messageIntegrityCode, web2JsonResponse, type Web2JsonProof } from "../src/fdc";
import { DEFAULT_WEB2JSON_FEE } from "../src/fdc/harness";
import { encodeSummary, summarize } from "../src/report";
import { deployVerifierFixture, freshRound, linesForChain, makeLines, requestBodyFor } from "../test/evm/helpers/report-fixture";
import { BenchError, runMain } from "./errors";

const SIZES = [1, 10, 100, 500];

type Row = {
  lines: number;
  submitGas: bigint;
  checkLinesGas: bigint;
  naiveSubmitGas: bigint;
  requestGas: bigint;
  naiveRequestGas: bigint;
};

function proofFor(window: bigint, lineCount: number, votingRound: bigint) {
  const lines = makeLines(lineCount);
  const summary = summarize(window, lines);
  return web2JsonResponse({
    votingRound,
    requestBody: requestBodyFor(window),
    responseBody: { abiEncodedData: encodeSummary(summary) },
  });
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const n of SIZES) {
    const d = await deployVerifierFixture();
    let window = d.firstWindow - 2000n; // room for n naive windows before firstWindow

    // Request side: one Web2Json request per window vs one per subscription.
    const request = (w: bigint) => {
      const r = proofFor(w, 1, 0n);
      return encodeWeb2JsonRequest({
        attestationType: r.attestationType,
        sourceId: r.sourceId,
        messageIntegrityCode: messageIntegrityCode(r),
        requestBody: r.requestBody,
      });
    };
    const requestGasOf = async (w: bigint): Promise<bigint> => {
      const receipt = await (await d.harness.fdcHub.requestAttestation(request(w), { value: DEFAULT_WEB2JSON_FEE })).wait();
      if (!receipt) throw new BenchError("no receipt");
      return receipt.gasUsed;
    };

    // Warm-up: steady state (the verifier has verified a window before), for both schemes.
    const warmRound = freshRound();
    const warm = buildRoundProofs([proofFor(window - 1n, 1, warmRound)]);
    await d.harness.finalizeRound(warmRound, warm.root);
    await (await d.verifier.submit(warm.proofs[0])).wait();

    // Naive baseline: n one-line attestations in one round, n submissions.
    const naiveRound = freshRound();
    const naiveResponses = Array.from({ length: n }, (_, i) => proofFor(window + BigInt(i), 1, naiveRound));
    const naive = buildRoundProofs(naiveResponses);
    await d.harness.finalizeRound(naiveRound, naive.root);
    let naiveSubmitGas = 0n;
    let naiveRequestGas = 0n;
    for (let i = 0; i < n; i++) {
      naiveRequestGas += await requestGasOf(window + BigInt(i));
      const receipt = await (await d.verifier.submit(naive.proofs[i] as Web2JsonProof)).wait();
      if (!receipt) throw new BenchError("no receipt");
      naiveSubmitGas += receipt.gasUsed;
    }
    window += BigInt(n);

    // The design: one attestation of the window's summary, one proof.
    const round = freshRound();
    const target = d.firstWindow;
    const response = proofFor(target, n, round);
    const { root, proofs } = buildRoundProofs([response]);
    await d.harness.finalizeRound(round, root);
    const requestGas = await requestGasOf(target);
    const receipt = await (await d.verifier.submit(proofs[0])).wait();
    if (!receipt) throw new BenchError("no receipt");
    const checkLinesGas = await d.verifier.checkLines.estimateGas(target, linesForChain(makeLines(n)));
    if (!(await d.verifier.checkLines(target, linesForChain(makeLines(n))))) throw new BenchError("line check failed");

    rows.push({ lines: n, submitGas: receipt.gasUsed, checkLinesGas, naiveSubmitGas, requestGas, naiveRequestGas });
  }

  const fmt = (v: bigint | number) => v.toLocaleString("en-US");
  console.log("UsageReportVerifier gas (Hardhat network, solc 0.8.25, optimizer 200 runs, evm london)\n");
  console.log(
    "| lines (= subscriptions) | submit gas | gas / line | naive submit gas (n proofs) | naive gas / subscription | naive ÷ ours | request gas: ours / naive | checkLines gas (view) |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const perLine = r.submitGas / BigInt(r.lines);
    const naivePer = r.naiveSubmitGas / BigInt(r.lines);
    const ratio = Number(r.naiveSubmitGas) / Number(r.submitGas);
    console.log(
      `| ${r.lines} | ${fmt(r.submitGas)} | ${fmt(perLine)} | ${fmt(r.naiveSubmitGas)} | ${fmt(naivePer)} | ${ratio.toFixed(1)}× | ${fmt(r.requestGas)} / ${fmt(r.naiveRequestGas)} | ${fmt(r.checkLinesGas)} |`,
    );
  }
}

runMain("bench-evm-gas", main);
