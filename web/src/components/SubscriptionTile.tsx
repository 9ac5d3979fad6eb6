import type { PricingConfig } from "../../../src/pricing";
import { parseUFix64 } from "../../../src/pricing";
import { flowText, idText } from "../format";
import { useEscrowSettings } from "../hooks/useEscrowSettings";
import { useKeySession } from "../hooks/useKeySession";
import { useKeyUsage } from "../hooks/useKeyUsage";
import { useServices } from "../services/context";
import type { Subscription } from "../services/flowClient";
import { estimateUnverified, type PendingEstimate } from "../usage";
import { ApiKeyReveal } from "./ApiKeyReveal";
import { DailyUsageChart } from "./DailyUsageChart";
import { ModelBreakdown } from "./ModelBreakdown";
import { PendingUsage } from "./PendingUsage";
import { LivePause } from "./LivePause";
import { ProjectedSpend } from "./ProjectedSpend";
import { RecentRequests } from "./RecentRequests";
import { StatusBadge } from "./StatusBadge";
import { SubscriptionActions } from "./SubscriptionActions";
import { SuspensionNotice } from "./SuspensionNotice";
import { VerifiedUsage } from "./VerifiedUsage";
import { VerifiedWindows } from "./VerifiedWindows";

/** One subscription: status, escrow, key, pending and verified usage, and what can be done. */
export function SubscriptionTile({ subscription, pricing, nowSeconds }: { subscription: Subscription; pricing: PricingConfig; nowSeconds: number }) {
  const { config } = useServices();
  const keys = useKeySession();
  const live = useKeyUsage(subscription.status === "Closed" ? null : keys.session, subscription.id, config.usagePollMs);
  const estimate: PendingEstimate = live.usage ? estimateUnverified(live.usage, subscription, pricing, nowSeconds) : { cost: 0n, charged: 0n, pauses: false };
  const open = subscription.status === "Active" || subscription.status === "Suspended";
  const deposited = parseUFix64(subscription.deposited);
  const left = parseUFix64(subscription.balance);
  // An escrow that ran out resumes only with the minimum deposit: read it only then.
  const exhausted = open && left === 0n;
  const settings = useEscrowSettings(exhausted);
  const minimumDeposit = exhausted ? (settings.data?.minimumDeposit ?? null) : null;
  const percent = deposited > 0n ? Number((left * 100n) / deposited) : 0;
  return (
    <article className="card tile" data-testid="subscription-tile" data-subscription-id={subscription.id.toString()} aria-label={`Subscription ${idText(subscription.id)}`}>
      <header>
        <h3>Subscription {idText(subscription.id)}</h3>
        <StatusBadge status={subscription.status} suspendedFor={subscription.suspendedFor} />
      </header>
      <SuspensionNotice subscription={subscription} minimumDeposit={minimumDeposit} />
      <p className="provider">
        Provider <code>{subscription.provider}</code>
      </p>
      <div className="escrow" data-testid="escrow">
        <span>
          Escrow left: <strong>{flowText(subscription.balance)}</strong> of {flowText(subscription.deposited)} deposited
        </span>
        <meter min={0} max={100} value={percent} aria-label="Escrow left" />
        <span className="muted">
          {subscription.maxBudgetPerPeriod ? `Cap ${flowText(subscription.maxBudgetPerPeriod)} per period (pauses the key, never discounts)` : "No spending cap"} ·{" "}
          {subscription.allowedModels ? `Models: ${subscription.allowedModels.join(", ")}` : "All models"}
        </span>
      </div>
      <LivePause live={live.usage?.live} />
      <ApiKeyReveal subscriptionId={subscription.id} keyHash={subscription.keyHash} open={open} />
      <div className="usage-pair">
        <PendingUsage subscription={subscription} live={live} estimate={estimate} />
        <VerifiedUsage subscription={subscription} />
      </div>
      <VerifiedWindows subscriptionId={subscription.id} />
      <ProjectedSpend subscription={subscription} pendingUnits={estimate.charged} nowSeconds={nowSeconds} />
      <div className="usage-detail">
        <ModelBreakdown usage={live.usage} pricing={pricing} />
        <RecentRequests requests={live.usage?.recent_requests ?? null} />
        <DailyUsageChart days={live.usage?.daily_usage ?? null} />
      </div>
      <SubscriptionActions subscription={subscription} nowSeconds={nowSeconds} minimumDeposit={minimumDeposit} />
    </article>
  );
}
