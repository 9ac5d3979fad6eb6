import { flowText, flowUnitsText } from "../format";
import type { Subscription } from "../services/flowClient";
import { projectPeriod } from "../usage";

/** This period's spend at the present rate, billed plus pending, and what stops it. */
export function ProjectedSpend({ subscription, pendingUnits, nowSeconds }: { subscription: Subscription; pendingUnits: bigint; nowSeconds: number }) {
  const projection = projectPeriod(subscription, pendingUnits, nowSeconds);
  if (projection === null) {
    return (
      <p className="projected" data-testid="projected">
        Projected spend this period: too early to tell (under an hour of usage).
      </p>
    );
  }
  const notes: string[] = [];
  if (projection.reachesCap && subscription.maxBudgetPerPeriod) {
    notes.push(`At this rate the cap of ${flowText(subscription.maxBudgetPerPeriod)} is reached: the key pauses then, and usage before the pause is billed in full.`);
  }
  if (projection.escrowRunsOut) notes.push("At this rate the escrow runs out before the period ends: top up to keep the key working.");
  return (
    <p className="projected" data-testid="projected">
      Projected spend this period: about {flowUnitsText(projection.units)}.{notes.length > 0 && ` ${notes.join(" ")}`}
    </p>
  );
}
