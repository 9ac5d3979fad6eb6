import { submitProof } from "../coston2";
import { logStage } from "../log";
import { checkProof } from "../prove";
import { recorded, summaryOf, type WindowRecord } from "../state";
import type { ConnectorContext } from "../context";

/** Stage 5: the recorded proof, checked again, submitted to UsageReportVerifier on Coston2. */
export async function verify(ctx: ConnectorContext, record: WindowRecord): Promise<WindowRecord> {
  const window = BigInt(record.window);
  const { contracts, wallet } = ctx;
  const recordedProof = recorded(record, "proof");
  const request = recorded(record, "request");
  const summary = summaryOf(record);
  const fetched = { votingRound: BigInt(recordedProof.votingRound), responseHex: recordedProof.responseHex, merkleProof: recordedProof.merkleProof };
  const proof = await checkProof(contracts, fetched, request.abiEncodedRequest, summary);
  let current = record;
  const result = await submitProof(contracts, wallet, window, summary.digest, proof, record.verify?.tx, {
    record: (tx) => {
      current = { ...current, verify: { tx } };
      ctx.state.put(current);
    },
    afterBroadcast: () => ctx.fault("verify:broadcast", window),
  });
  const next: WindowRecord = { ...current, stage: "verified", verify: { ...current.verify, txHash: result.txHash, foundOnChain: result.foundOnChain } };
  ctx.state.put(next);
  logStage(ctx.log, window, "verified", { round: recordedProof.votingRound, tx: result.txHash, digest: summary.digest, found: result.foundOnChain ? "on-chain" : undefined });
  return next;
}
