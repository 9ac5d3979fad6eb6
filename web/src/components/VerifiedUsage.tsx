import { flowText, timeText, tokensText } from "../format";
import type { Subscription } from "../services/flowClient";
import { verifiedCounters } from "../usage";

/** Usage Flow has billed: attested by Flare, verified by the oracles, charged from the escrow. */
export function VerifiedUsage({ subscription }: { subscription: Subscription }) {
  const counters = verifiedCounters(subscription);
  return (
    <section className="usage usage-verified" aria-label="Verified usage" data-testid="verified-usage">
      <h4>
        Verified <span className="tag tag-verified">billed on Flow</span>
      </h4>
      <dl>
        <dt>This period</dt>
        <dd>
          {tokensText(subscription.periodTokens)}
          {counters.periodRequests !== null && ` in ${counters.periodRequests.toLocaleString("en-US")} requests`},{" "}
          {flowText(subscription.periodSpent)}
        </dd>
        <dt>Period</dt>
        <dd>
          {timeText(subscription.periodStart)} to {timeText(subscription.periodEnd)}
        </dd>
        <dt>All time</dt>
        <dd>
          {tokensText(counters.totalTokens)}, {flowText(subscription.spent)}
        </dd>
      </dl>
    </section>
  );
}
