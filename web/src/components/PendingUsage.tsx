import { flowUnitsText, tokensText } from "../format";
import type { KeyUsageState } from "../hooks/useKeyUsage";
import { useKeySession } from "../hooks/useKeySession";
import type { Subscription } from "../services/flowClient";
import { unverifiedTokens, type PendingEstimate } from "../usage";

/** Usage LiteLLM has seen, live from the key service: not attested, not billed yet. */
export function PendingUsage({ subscription, live, estimate }: { subscription: Subscription; live: KeyUsageState; estimate: PendingEstimate }) {
  const keys = useKeySession();
  let body;
  if (!keys.available) {
    body = <p className="muted">No key service is configured, so live usage cannot be shown.</p>;
  } else if (!keys.session) {
    body = (
      <p className="muted">
        Live usage comes from the provider's key service after a signed request.{" "}
        <button type="button" className="link" onClick={() => void keys.signIn()} disabled={keys.signingIn}>
          {keys.signingIn ? "Waiting for your signature…" : "Sign in to see it"}
        </button>
        {keys.error && <span className="error" role="alert"> {keys.error}</span>}
      </p>
    );
  } else if (!live.usage) {
    body = live.error ? <p className="error" role="alert">{live.error}</p> : <p className="muted">Loading live usage…</p>;
  } else {
    const pending = unverifiedTokens(live.usage, subscription);
    body = (
      <>
        <dl>
          <dt>Seen by LiteLLM</dt>
          <dd>
            {tokensText(live.usage.usage_summary.total_tokens)} in {live.usage.usage_summary.total_requests.toLocaleString("en-US")} requests
          </dd>
          <dt>Not yet billed</dt>
          <dd data-testid="pending-tokens">
            {pending === 0n ? "nothing: all of it is verified" : `${tokensText(pending)}, about ${flowUnitsText(estimate.charged)}`}
          </dd>
        </dl>
        {pending > 0n && estimate.charged < estimate.cost && (
          <p className="warning" data-testid="pending-short">
            It costs about {flowUnitsText(estimate.cost)}, more than the escrow holds: the escrow pays {flowUnitsText(estimate.charged)}, the rest goes
            unpaid and the key pauses until you top up.
          </p>
        )}
        {pending > 0n && estimate.charged === estimate.cost && estimate.pauses && subscription.status !== "Suspended" && (
          <p className="warning" data-testid="pending-short">
            Once it is billed, the key pauses (escrow used up or period cap reached); it is billed in full all the same.
          </p>
        )}
        {live.error && <p className="error">Last refresh failed: {live.error}</p>}
        <p className="muted small">
          {live.updatedAt && `As of ${new Date(live.updatedAt).toLocaleTimeString("en-GB")}. `}
          <button type="button" className="link" onClick={live.refresh}>
            Refresh{keys.session.pollable ? "" : " (asks your wallet to sign)"}
          </button>
        </p>
      </>
    );
  }
  return (
    <section className="usage usage-pending" aria-label="Pending usage" data-testid="pending-usage">
      <h4>
        Pending <span className="tag tag-pending">live, awaiting attestation</span>
      </h4>
      {body}
    </section>
  );
}
