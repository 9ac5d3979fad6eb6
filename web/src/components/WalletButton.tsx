import { useState } from "react";
import { errorText } from "../format";
import { useChain } from "../hooks/useChain";

/** Connect or disconnect FCL's current user (the dev wallet on the emulator). */
export function WalletButton() {
  const { client, address, loadError } = useChain();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (loadError) return <span className="wallet wallet-error" role="alert">{loadError}</span>;
  if (!client) {
    return (
      <button type="button" className="wallet" disabled>
        Loading wallet…
      </button>
    );
  }
  if (address) {
    return (
      <span className="wallet">
        <span className="address" data-testid="wallet-address">{address}</span>
        <button type="button" className="secondary" onClick={() => void client.logOut()}>
          Disconnect
        </button>
      </span>
    );
  }
  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.logIn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="wallet">
      <button type="button" onClick={() => void connect()} disabled={busy}>
        {busy ? "Connecting…" : "Connect wallet"}
      </button>
      {error && <span className="error" role="alert">{error}</span>}
    </span>
  );
}
