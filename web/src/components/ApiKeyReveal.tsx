import { useState } from "react";
import { errorText } from "../format";
import { useKeySession } from "../hooks/useKeySession";

/**
 * The subscription's LiteLLM key: masked until the customer asks; then the key service hands it
 * over after a wallet-signed request. The plaintext lives only in this component's state.
 */
export function ApiKeyReveal({ subscriptionId, keyHash, open }: { subscriptionId: bigint; keyHash: string | null; open: boolean }) {
  const keys = useKeySession();
  const [key, setKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  if (!keyHash) {
    return (
      <div className="key key-none" data-testid="api-key">
        {open ? "No key yet: the provider's key service issues one shortly after the subscription is created." : "No key: this subscription is not open."}
      </div>
    );
  }
  const reveal = async () => {
    setBusy(true);
    setError(null);
    try {
      const session = await keys.signIn();
      if (!session) {
        setError(keys.error ?? "The key service needs a signed request first.");
        return;
      }
      setKey(await session.revealKey(subscriptionId));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!key) return;
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setError("The browser refused the clipboard: select the key and copy it by hand.");
    }
  };
  return (
    <div className="key" data-testid="api-key">
      <code className="key-value" data-testid="api-key-value">
        {key ?? `sk-••••••••••••  (hash ${keyHash.slice(0, 8)}…)`}
      </code>
      {key ? (
        <>
          <button type="button" className="secondary" onClick={() => void copy()}>
            {copied ? "Copied" : "Copy"}
          </button>
          <button type="button" className="secondary" onClick={() => setKey(null)}>
            Hide
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => void reveal()} disabled={busy || !keys.available}>
          {busy ? "Waiting for your signature…" : "Reveal key"}
        </button>
      )}
      {!keys.available && <span className="hint"> No key service is configured for this page.</span>}
      {error && (
        <span className="error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </div>
  );
}
