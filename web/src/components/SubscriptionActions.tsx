import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formatFlow, parseUFix64 } from "../../../src/pricing";
import { errorText, flowText } from "../format";
import { useConnected } from "../hooks/useChain";
import { useKeySession } from "../hooks/useKeySession";
import { useTransaction } from "../hooks/useTransaction";
import { accountStorageQuery, escrowSettingsQuery, readFresh, sealedSubscriptionChange } from "../queries";
import type { OnStatus, Subscription } from "../services/flowClient";
import { storageVerdict } from "../storage";
import { validateChanges, validateTopUp } from "../validation";
import { CAP_HELP } from "../billingWords";
import { FieldError } from "./FieldError";
import { TransactionProgress } from "./TransactionProgress";
import { PageError } from "../errors";

type Panel = "none" | "topup" | "change" | "revoke" | "close";

/** Top up, change cap or models, rotate key, revoke key, close (and collect the refund). */
export function SubscriptionActions({
  subscription,
  nowSeconds,
  minimumDeposit,
}: {
  subscription: Subscription;
  nowSeconds: number;
  /** The minimum deposit (units) when the escrow ran out (then a top-up needs it); null otherwise or not yet read. */
  minimumDeposit: bigint | null;
}) {
  const { client, address } = useConnected();
  const queries = useQueryClient();
  const [panel, setPanel] = useState<Panel>("none");
  const [amount, setAmount] = useState("5.0");
  const [cap, setCap] = useState(subscription.maxBudgetPerPeriod ?? "");
  const [models, setModels] = useState((subscription.allowedModels ?? []).join(", "));
  const [fieldError, setFieldError] = useState<{ amount?: string; cap?: string; models?: string }>({});
  const [what, setWhat] = useState("");
  const [rotateState, setRotateState] = useState<string | null>(null);
  const tx = useTransaction();
  const keys = useKeySession();
  const id = subscription.id;
  const open = subscription.status === "Active" || subscription.status === "Suspended";
  const graceOver = subscription.closeGraceEndsAt !== null && nowSeconds >= Number(subscription.closeGraceEndsAt);
  const exhausted = open && parseUFix64(subscription.balance) === 0n;
  const newCap = validateChanges({ cap, models: "" });
  const periodSpent = parseUFix64(subscription.periodSpent);
  const capPausesAtOnce = newCap.ok && newCap.value.maxBudgetPerPeriod !== null && parseUFix64(newCap.value.maxBudgetPerPeriod) <= periodSpent;

  const after = async (label: string, send: (onStatus: OnStatus) => Promise<string>) => {
    setWhat(label);
    const done = await tx.run(send, (transactionId) => transactionId);
    if (done) {
      setPanel("none");
      void sealedSubscriptionChange(queries, address);
    }
  };

  const topUp = async (event: FormEvent) => {
    event.preventDefault();
    const shown = validateTopUp(amount, exhausted, minimumDeposit);
    if (typeof shown === "string") return setFieldError({ amount: shown });
    // The minimum may have changed since it was read: an exhausted escrow checks it afresh.
    let parsed = shown;
    if (exhausted) {
      let fresh = minimumDeposit;
      try {
        fresh = (await readFresh(queries, escrowSettingsQuery(client))).minimumDeposit;
      } catch {
        // keep the shown minimum; the chain still refuses less
      }
      const checked = validateTopUp(amount, exhausted, fresh);
      if (typeof checked === "string") return setFieldError({ amount: checked });
      parsed = checked;
    }
    setFieldError({});
    try {
      const verdict = storageVerdict(await readFresh(queries, accountStorageQuery(client, address)), parsed.units, 0n, address);
      if (!verdict.ok) return setFieldError({ amount: `${verdict.summary} ${verdict.advice}` });
    } catch {
      // The chain still refuses a top-up the account cannot pay for.
    }
    await after("Topping up", (onStatus) => client.topUp(id, parsed.text, onStatus));
  };

  const change = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = validateChanges({ cap, models });
    if (!parsed.ok) return setFieldError(parsed.errors);
    setFieldError({});
    await after("Changing the cap and models", (onStatus) => client.updateSubscription(address, id, parsed.value, onStatus));
  };

  const rotate = async () => {
    setRotateState("Asking the key service for a new key…");
    try {
      const session = await keys.signIn();
      if (!session) throw new PageError(keys.error ?? "The key service needs a signed request first.");
      await session.rotateKey(id);
      setRotateState("Rotation requested: the key service issues a new key and records its hash on Flow; reveal it again once the tile shows the new hash.");
      void sealedSubscriptionChange(queries, address);
    } catch (e) {
      setRotateState(`Rotation failed: ${errorText(e)}`);
    }
  };

  if (subscription.status === "Closed") return <p className="muted">Closed: the unbilled escrow was refunded.</p>;

  return (
    <div className="actions">
      {open ? (
        <div className="buttons">
          <button type="button" className="secondary" onClick={() => setPanel(panel === "topup" ? "none" : "topup")}>
            Top up
          </button>
          <button type="button" className="secondary" onClick={() => setPanel(panel === "change" ? "none" : "change")}>
            Change cap or models
          </button>
          <button type="button" className="secondary" onClick={() => void rotate()} disabled={!keys.available || !subscription.keyHash}>
            Rotate key
          </button>
          <button type="button" className="secondary" onClick={() => setPanel("revoke")} disabled={!subscription.keyHash}>
            Revoke key
          </button>
          <button type="button" className="danger" onClick={() => setPanel("close")}>
            Close
          </button>
        </div>
      ) : (
        <div className="buttons">
          <span className="muted">
            {graceOver
              ? "The grace period is over: collect what is left of the escrow."
              : `Closing: usage until ${new Date(Number(subscription.closeGraceEndsAt ?? "0") * 1000).toLocaleTimeString("en-GB")} is still billed, then the rest is refunded.`}
          </span>
          <button type="button" onClick={() => void after("Collecting the refund", (onStatus) => client.finishClose(id, onStatus))} disabled={!graceOver || tx.busy}>
            Collect refund
          </button>
        </div>
      )}
      {panel === "topup" && (
        <form className="inline" onSubmit={(e) => void topUp(e)} noValidate aria-label="Top up">
          <label className="field">
            <span className="label">Amount (FLOW)</span>
            <input name="amount" value={amount} onChange={(e) => setAmount(e.target.value)} />
            {exhausted && (
              <span className="hint" data-testid="topup-minimum">
                {minimumDeposit === null
                  ? "The escrow ran out: resume it with at least the minimum deposit (being read from Flow)."
                  : `The escrow ran out: resume it with at least ${formatFlow(minimumDeposit)} FLOW, the minimum deposit.`}
              </span>
            )}
            <FieldError id={`topup-${id}-error`} message={fieldError.amount} />
          </label>
          <button type="submit" disabled={tx.busy}>
            Sign top-up
          </button>
        </form>
      )}
      {panel === "change" && (
        <form className="inline" onSubmit={(e) => void change(e)} noValidate aria-label="Change cap or models">
          <label className="field">
            <span className="label">Spending cap per period (FLOW; empty: no cap)</span>
            <input name="cap" value={cap} onChange={(e) => setCap(e.target.value)} />
            <span className="hint">{CAP_HELP}</span>
            {capPausesAtOnce && (
              <span className="warning" data-testid="cap-pauses">
                This is at or below this period's billed spend ({flowText(subscription.periodSpent)}): the key pauses as soon as it is signed.
              </span>
            )}
            <FieldError id={`cap-${id}-error`} message={fieldError.cap} />
          </label>
          <label className="field">
            <span className="label">Allowed models (comma-separated; empty: all)</span>
            <input name="models" value={models} onChange={(e) => setModels(e.target.value)} />
            <FieldError id={`models-${id}-error`} message={fieldError.models} />
          </label>
          <button type="submit" disabled={tx.busy}>
            Sign changes
          </button>
        </form>
      )}
      {panel === "revoke" && (
        <div className="confirm" role="group" aria-label="Confirm revoke">
          <p>Revoking detaches the key on Flow; the key service then blocks it in LiteLLM. The subscription stays open.</p>
          <button type="button" className="danger" onClick={() => void after("Revoking the key", (onStatus) => client.revokeKey(id, onStatus))} disabled={tx.busy}>
            Revoke the key
          </button>
          <button type="button" className="secondary" onClick={() => setPanel("none")}>
            Keep it
          </button>
        </div>
      )}
      {panel === "close" && (
        <div className="confirm" role="group" aria-label="Confirm close">
          <p>Closing stops new usage. Usage already made is still billed during the grace period; then you collect the rest of the escrow.</p>
          <button type="button" className="danger" onClick={() => void after("Closing the subscription", (onStatus) => client.requestClose(address, id, onStatus))} disabled={tx.busy}>
            Close the subscription
          </button>
          <button type="button" className="secondary" onClick={() => setPanel("none")}>
            Keep it open
          </button>
        </div>
      )}
      {rotateState && <p className="status-line">{rotateState}</p>}
      <TransactionProgress state={tx.state} what={what} />
    </div>
  );
}
