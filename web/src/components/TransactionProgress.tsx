import type { TxState } from "../hooks/useTransaction";

/** A transaction's progress in words, announced to screen readers as it changes. */
export function TransactionProgress({ state, what }: { state: TxState; what: string }) {
  if (state.kind === "idle") return null;
  const words: Record<Exclude<TxState["kind"], "idle">, string> = {
    signing: `${what}: waiting for your wallet. Approve the transaction in the wallet window.`,
    pending: `${what}: sent to Flow, waiting for it to be sealed…`,
    sealed: `${what}: done, sealed on Flow.`,
    error: `${what} did not go through.`,
  };
  return (
    <div className={`tx tx-${state.kind}`} role="status" aria-live="polite" data-testid="tx-status" data-state={state.kind}>
      <span className="tx-words">{words[state.kind]}</span>
      {state.kind === "sealed" && <span className="tx-id"> Transaction {state.transactionId.slice(0, 12)}…</span>}
      {state.kind === "error" && <span className="tx-error"> {state.message}</span>}
    </div>
  );
}
