import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { CAP_HELP } from "../billingWords";
import { errorText, flowUnitsText } from "../format";
import { useAccountStorage } from "../hooks/useAccountStorage";
import { useConnected } from "../hooks/useChain";
import { useEscrowSettings } from "../hooks/useEscrowSettings";
import { useTransaction } from "../hooks/useTransaction";
import { accountStorageQuery, escrowSettingsQuery, readFresh, sealedSubscriptionChange } from "../queries";
import { storageVerdict } from "../storage";
import { validateNewSubscription, type FieldErrors, type SubscriptionFields } from "../validation";
import { FieldError } from "./FieldError";
import { StorageChecker } from "./StorageChecker";
import { TransactionProgress } from "./TransactionProgress";

/** A first subscription stores a Customer resource in the account: about this many bytes. */
export const NEW_CUSTOMER_BYTES = 1_000n;

/**
 * Provider, deposit (at least the contract's minimum), optional cap and models; checks, then the
 * wallet signs create_subscription.
 */
export function CreateSubscriptionForm({ defaultProvider }: { defaultProvider: string }) {
  const { client, address } = useConnected();
  const queries = useQueryClient();
  const [fields, setFields] = useState<SubscriptionFields>({ provider: defaultProvider, deposit: "10.0", cap: "", models: "" });
  const [errors, setErrors] = useState<FieldErrors<keyof SubscriptionFields>>({});
  const [storageProblem, setStorageProblem] = useState<string | null>(null);
  const storage = useAccountStorage();
  const settings = useEscrowSettings();
  const minimum = settings.data?.minimumDeposit ?? null;
  const tx = useTransaction();
  const parsed = validateNewSubscription(fields, minimum);
  const spend = parsed.ok ? parsed.value.depositUnits : 0n;

  const set = (name: keyof SubscriptionFields) => (value: string) => {
    setFields((f) => ({ ...f, [name]: value }));
    setErrors((e) => ({ ...e, [name]: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStorageProblem(null);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    // The minimum is read again (and shown): the admin may have changed it since the page loaded.
    // Unreadable, the shown one stands (and the chain still refuses less).
    let freshMinimum = minimum;
    try {
      freshMinimum = (await readFresh(queries, escrowSettingsQuery(client))).minimumDeposit;
    } catch {
      // keep the shown minimum
    }
    const checked = validateNewSubscription(fields, freshMinimum);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    // The check runs again on fresh figures: the balance may have moved since the page loaded.
    try {
      const fresh = await readFresh(queries, accountStorageQuery(client, address));
      const verdict = storageVerdict(fresh, parsed.value.depositUnits, NEW_CUSTOMER_BYTES, address);
      if (!verdict.ok) {
        setStorageProblem(`${verdict.summary} ${verdict.advice}`);
        return;
      }
    } catch {
      // An unreadable storage figure does not block: the chain refuses what it cannot store.
    }
    const { depositUnits: _units, ...input } = parsed.value;
    const created = await tx.run((onStatus) => client.createSubscription(address, input, onStatus), (r) => r.transactionId);
    if (created) void sealedSubscriptionChange(queries, address);
  };

  const input = (name: keyof SubscriptionFields, label: string, hint: ReactNode, placeholder = "") => (
    <label className="field">
      <span className="label">{label}</span>
      <input
        name={name}
        value={fields[name]}
        placeholder={placeholder}
        onChange={(e) => set(name)(e.target.value)}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `${name}-error` : undefined}
      />
      <span className="hint">{hint}</span>
      <FieldError id={`${name}-error`} message={errors[name]} />
    </label>
  );

  return (
    <form className="card create" onSubmit={(e) => void submit(e)} noValidate aria-label="Create subscription">
      <h2>New subscription</h2>
      {input("provider", "Provider", "The Flow account that runs the LLM keys.", "0x…")}
      {input(
        "deposit",
        "Deposit (FLOW)",
        <>
          Escrowed; usage is billed from it. Top up any time.{" "}
          <span data-testid="minimum-deposit">
            {minimum !== null
              ? `At least ${flowUnitsText(minimum)}: the minimum deposit set on Flow.`
              : settings.isError
                ? `The minimum deposit could not be read (${errorText(settings.error)}); Flow refuses a deposit below it.`
                : "Reading the minimum deposit from Flow…"}
          </span>
        </>,
      )}
      {input("cap", "Spending cap per period (FLOW, optional)", `${CAP_HELP} Leave empty for no cap.`, "no cap")}
      {input("models", "Allowed models (optional)", "Comma-separated, e.g. gpt-4o, claude-3-haiku. Empty allows all.", "all models")}
      <StorageChecker storage={storage} spendUnits={spend} extraBytes={NEW_CUSTOMER_BYTES} address={address} />
      {storageProblem && (
        <p className="error" role="alert">
          Not sent: {storageProblem}
        </p>
      )}
      <button type="submit" disabled={tx.busy}>
        {tx.busy ? "Creating…" : "Create subscription & API key"}
      </button>
      <TransactionProgress state={tx.state} what="Creating the subscription" />
    </form>
  );
}
