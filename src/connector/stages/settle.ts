import { settleOnFlow } from "../flow";
import { logStage } from "../log";
import { recorded, type WindowRecord } from "../state";
import type { ConnectorContext } from "../context";

/** Stage 7: the report settled by FlareFDCTriggers on Flow, each Flow transaction recorded as it seals. */
export async function settle(ctx: ConnectorContext, record: WindowRecord): Promise<WindowRecord> {
  const window = BigInt(record.window);
  const sig = recorded(record, "signatures");
  const lines = ctx.state.lines(window);
  let current = record;
  const outcome = await settleOnFlow(
    ctx.flow,
    ctx.config.flow.relayer,
    window,
    lines,
    {
      kind: sig.kind,
      votingRound: BigInt(sig.votingRound),
      chunkCount: BigInt(sig.chunkCount),
      chunkChain: sig.chunkChain,
      signers: sig.signers.map((s) => BigInt(s)),
      signatures: sig.signatures,
      digest: record.summary.digest,
    },
    ctx.config.maxLinesPerTransaction,
    {
      onTransaction: (id, what) => {
        current = { ...current, flow: { transactionIds: [...(current.flow?.transactionIds ?? []), id] } };
        ctx.state.put(current);
        logStage(ctx.log, window, "flow-tx", { tx: id, what });
      },
      afterChunk: () => ctx.fault("flow:chunk", window),
    },
  );
  const next: WindowRecord = { ...current, stage: "settled" };
  ctx.state.put(next);
  logStage(ctx.log, window, "settled", { round: sig.votingRound, flowTxs: next.flow?.transactionIds ?? (outcome === "already-settled" ? "found-settled" : undefined) });
  return next;
}
