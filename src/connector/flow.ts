import * as fcl from "@onflow/fcl";
import { codec, keyAuthorization, resolveImports, runScript, TransactionError, type FlowContext, type KeySigner, type TransactionDefinition } from "../flow/runtime";
import { triggersGetState } from "../flow/generated/scripts";
import { triggersStartChunkedReport, triggersSubmitChunk, triggersSubmitReport } from "../flow/generated/transactions";
import { lineColumns, planChunks, type UsageLine } from "../report";
import { ConnectorError, messageOf } from "./errors";

/**
 * Stage 7: the report settles on Flow through FlareFDCTriggers: whole in one transaction, or in
 * chunks under the chunked attestation. Flow's own state is the source of truth on resume:
 * a settled window is done; an open chunked report continues at the chunk Flow expects next
 * (the contract refuses a replayed or skipped chunk, so nothing is charged twice).
 */

/**
 * Sends a relayer transaction: the relayer proposes and pays, and authorizes nothing (the
 * triggers transactions have no prepare block: their authority is the oracle quorum).
 */
async function relay<Args>(flow: FlowContext, tx: TransactionDefinition<Args>, args: Args, relayer: KeySigner): Promise<string> {
  fcl.config().put("accessNode.api", flow.accessNode);
  const authz = keyAuthorization(relayer);
  let id: string | undefined;
  try {
    id = await fcl.mutate({
      cadence: resolveImports(tx.cadence, flow.addresses),
      args: codec.fclArgs(tx.params, args as Record<string, unknown>),
      proposer: authz,
      payer: authz,
      authorizations: [],
      limit: 9999,
    });
    const status = await fcl.tx(id).onceSealed();
    if (status.errorMessage) throw new TransactionError(tx.name, id, status.errorMessage);
    return id;
  } catch (error) {
    if (error instanceof TransactionError) throw error;
    throw new TransactionError(tx.name, id, messageOf(error), { cause: error });
  }
}

export type FlowSettlementState = {
  /** FlareFDCTriggers.WindowSeconds: the connector's windows must be the same length. */
  windowSeconds: bigint | undefined;
  lastSettledWindow: bigint | undefined;
  pending: { window: bigint; nextIndex: bigint; chunkCount: bigint } | undefined;
};

function optBig(value: unknown): bigint | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" || typeof value === "number") return BigInt(value);
  throw new ConnectorError("integrity", `FlareFDCTriggers state: unexpected value ${JSON.stringify(value)}`);
}

export async function settlementState(flow: FlowContext): Promise<FlowSettlementState> {
  const raw = await runScript(flow, triggersGetState, {});
  const pendingRaw = raw.pending as Record<string, unknown> | null | undefined;
  return {
    windowSeconds: optBig(raw.windowSeconds),
    lastSettledWindow: optBig(raw.lastSettledWindow),
    pending:
      pendingRaw && typeof pendingRaw === "object"
        ? { window: optBig(pendingRaw.window) ?? 0n, nextIndex: optBig(pendingRaw.nextIndex) ?? 0n, chunkCount: optBig(pendingRaw.chunkCount) ?? 0n }
        : undefined,
  };
}

export type SignedForFlow = {
  kind: "single" | "chunked";
  votingRound: bigint;
  chunkCount: bigint;
  chunkChain?: string;
  signers: bigint[];
  signatures: string[];
  digest: string;
};

export type SettleHooks = {
  onTransaction(id: string, what: string): void;
  /** After chunk `index` is sealed (fault injection). */
  afterChunk?: (index: number) => void;
};

function settled(state: FlowSettlementState, window: bigint): boolean {
  return state.lastSettledWindow !== undefined && state.lastSettledWindow >= window;
}

export async function settleOnFlow(
  flow: FlowContext,
  relayer: KeySigner,
  window: bigint,
  lines: readonly UsageLine[],
  signed: SignedForFlow,
  maxLinesPerTransaction: number,
  hooks: SettleHooks,
): Promise<"settled" | "already-settled"> {
  let state = await settlementState(flow);
  if (settled(state, window)) return "already-settled";
  if (state.pending && state.pending.window !== window) {
    throw new ConnectorError("integrity", `Flow has chunked report of window ${state.pending.window} open, not of ${window}: finish it first`);
  }
  const send = async <A>(tx: TransactionDefinition<A>, args: A, what: string): Promise<void> => {
    try {
      const id = await relay(flow, tx, args, relayer);
      hooks.onTransaction(id, what);
    } catch (error) {
      if (error instanceof TransactionError && error.transactionId !== undefined) {
        throw new ConnectorError("rejected", `Flow ${what} for window ${window} failed (tx ${error.transactionId ?? "not sent"}): ${error.cadenceError}`, { cause: error });
      }
      throw new ConnectorError("unreachable", `Flow access node ${flow.accessNode}: ${what} not sent: ${messageOf(error)}`, { cause: error });
    }
  };

  if (signed.kind === "single") {
    try {
      await send(triggersSubmitReport, { window, votingRound: signed.votingRound, ...lineColumns(lines), signers: signed.signers, signatures: signed.signatures }, "submit_report");
    } catch (error) {
      // A crash may have sealed it already: Flow's state decides.
      if (settled(await settlementState(flow), window)) return "already-settled";
      throw error;
    }
    return "settled";
  }

  const plan = planChunks(window, lines, maxLinesPerTransaction);
  if (plan.chunkChain !== signed.chunkChain || plan.chunkCount !== signed.chunkCount) {
    throw new ConnectorError("integrity", `window ${window}: the chunk plan differs from the one the oracles signed (was the line limit changed?)`);
  }
  if (!state.pending) {
    await send(
      triggersStartChunkedReport,
      { window, votingRound: signed.votingRound, digest: signed.digest, chunkCount: plan.chunkCount, chunkChain: plan.chunkChain, signers: signed.signers, signatures: signed.signatures },
      "start_chunked_report",
    );
    state = await settlementState(flow);
  }
  const from = Number(state.pending?.nextIndex ?? 0n);
  for (let i = from; i < plan.chunks.length; i++) {
    const chunk = plan.chunks[i];
    await send(triggersSubmitChunk, { window, index: chunk.index, ...lineColumns(chunk.lines), nextLink: chunk.nextLink }, `submit_chunk ${i + 1}/${plan.chunks.length}`);
    hooks.afterChunk?.(i);
  }
  if (!settled(await settlementState(flow), window)) throw new ConnectorError("integrity", `window ${window}: every chunk sealed but Flow does not show the window settled`);
  return "settled";
}
