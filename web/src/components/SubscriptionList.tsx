import { useEffect, useState } from "react";
import type { PricingConfig } from "../../../src/pricing";
import { useAsync } from "../hooks/useAsync";
import type { FlowClient } from "../services/flowClient";
import { SubscriptionTile } from "./SubscriptionTile";

/** Every subscription of the connected account, newest first, with loading, empty and error states. */
export function SubscriptionList({
  client,
  address,
  pricing,
  pollMs,
  refreshKey,
}: {
  client: FlowClient;
  address: string;
  pricing: PricingConfig;
  pollMs: number;
  refreshKey: number;
}) {
  const list = useAsync(() => client.listSubscriptions(address), [client, address, refreshKey]);
  const [now, setNow] = useState(() => Date.now() / 1000);
  // Verified usage changes only when a report settles: re-read the chain now and then.
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now() / 1000);
      list.reload();
    }, Math.max(pollMs, 5000));
    return () => clearInterval(timer);
  }, [pollMs, list.reload]);

  if (list.loading && !list.data) return <p className="state state-loading">Loading your subscriptions…</p>;
  if (list.error && !list.data) {
    return (
      <div className="state state-error" role="alert">
        Could not read your subscriptions: {list.error}{" "}
        <button type="button" className="link" onClick={list.reload}>
          Try again
        </button>
      </div>
    );
  }
  const subscriptions = (list.data ?? []).slice().reverse();
  if (subscriptions.length === 0 && !list.error) {
    return <p className="state state-empty">You have no subscriptions yet. Create one with the form above.</p>;
  }
  return (
    <>
      {list.error && (
        <p className="state state-error" role="alert">
          Could not refresh your subscriptions: {list.error}{" "}
          <button type="button" className="link" onClick={list.reload}>
            Try again
          </button>
        </p>
      )}
      <div className="tiles">
      {subscriptions.map((s) => (
        <SubscriptionTile
          key={s.id.toString()}
          subscription={s}
          pricing={pricing}
          client={client}
          address={address}
          pollMs={pollMs}
          nowSeconds={now}
          onChanged={list.reload}
        />
      ))}
      </div>
    </>
  );
}
