import { flowUnitsText } from "../format";
import type { Subscription } from "../services/flowClient";
import { projectedPeriodUnits } from "../usage";

/** This period's spend at the present rate, billed plus pending. */
export function ProjectedSpend({ subscription, pendingUnits, nowSeconds }: { subscription: Subscription; pendingUnits: bigint; nowSeconds: number }) {
  const projected = projectedPeriodUnits(subscription, pendingUnits, nowSeconds);
  return (
    <p className="projected" data-testid="projected">
      {projected === null
        ? "Projected spend this period: too early to tell (under an hour of usage)."
        : `Projected spend this period: about ${flowUnitsText(projected)}${subscription.maxBudgetPerPeriod ? " (your cap limits it)" : ""}.`}
    </p>
  );
}
