import { reportUrl } from "../../report";
import { logStage } from "../log";
import { collectSignatures } from "../oracles";
import type { WindowRecord } from "../state";
import type { ConnectorContext } from "../context";

/** Stage 6: the oracle quorum's signatures over the published report and the digest Coston2 stored. */
export async function sign(ctx: ConnectorContext, record: WindowRecord): Promise<WindowRecord> {
  const window = BigInt(record.window);
  const { config, contracts, oracles } = ctx;
  const signed = await collectSignatures(
    oracles.oracles,
    oracles.threshold,
    { chainId: config.evm.chainId, verifier: contracts.verifier, verifierAddress: config.evm.verifierAddress },
    reportUrl(config.publisher.baseUrl, window),
    window,
    config.maxLinesPerTransaction,
  );
  const next: WindowRecord = {
    ...record,
    stage: "signed",
    signatures: {
      kind: signed.kind,
      votingRound: signed.votingRound.toString(),
      chunkCount: signed.chunkCount.toString(),
      chunkChain: signed.chunkChain,
      signers: signed.signatures.map((s) => s.oracleId.toString()),
      signatures: signed.signatures.map((s) => s.signature),
    },
  };
  ctx.state.put(next);
  logStage(ctx.log, window, "signed", { round: signed.votingRound, oracles: next.signatures?.signers, kind: signed.kind, chunks: signed.chunkCount });
  return next;
}
