import type { UseQueryResult } from "@tanstack/react-query";
import { errorText } from "../format";
import type { AccountStorage } from "../services/flowClient";
import { storageVerdict } from "../storage";

/** The storage check, in words, for a transaction that spends `spendUnits` and stores `extraBytes`. */
export function StorageChecker({
  storage,
  spendUnits,
  extraBytes,
  address,
}: {
  storage: UseQueryResult<AccountStorage>;
  spendUnits: bigint;
  extraBytes: bigint;
  address: string;
}) {
  if (storage.isPending) return <p className="storage storage-loading">Checking your account's FLOW and storage…</p>;
  if (storage.isError && !storage.data) {
    return (
      <p className="storage storage-error" role="alert">
        Could not check your account's storage: {errorText(storage.error)}{" "}
        <button type="button" className="link" onClick={() => void storage.refetch()}>
          Check again
        </button>
      </p>
    );
  }
  if (!storage.data) return null;
  const verdict = storageVerdict(storage.data, spendUnits, extraBytes, address);
  return (
    <div className={`storage ${verdict.ok ? "storage-ok" : "storage-short"}`} data-testid="storage-check" data-ok={verdict.ok}>
      <p>{verdict.summary}</p>
      {!verdict.ok && <p className="advice">{verdict.advice}</p>}
    </div>
  );
}
