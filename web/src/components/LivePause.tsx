import { flowText } from "../format";
import type { LiveLimit } from "../liveLimit";

/**
 * The live spending limit's pause, shown on the tile as soon as the key service has blocked the
 * key for pending usage (before Flow settles it): what was reached, the figure, and what lifts it.
 */
export function LivePause({ live }: { live: LiveLimit | null | undefined }) {
  if (!live || live.reached === null) return null;
  if (live.reached === "escrow") {
    return (
      <div className="live-pause error" role="status" data-testid="live-pause">
        <strong>Paused: pending usage has reached your escrow.</strong> Usage not yet billed costs {flowText(live.pendingCost)}
        {live.unpaid !== "0.00000000" && <>, {flowText(live.unpaid)} more than the escrow holds</>}.{" "}
        {live.toLift && <>A top-up of more than {flowText(live.unpaid)} (at least {flowText(live.toLift)}) lifts it.</>}
      </div>
    );
  }
  const ends = new Date(live.periodEnd).toLocaleString("en-GB", { timeZone: "UTC" });
  return (
    <div className="live-pause error" role="status" data-testid="live-pause">
      <strong>Paused: pending usage has reached your cap.</strong> This period's spend with pending usage is {flowText(live.periodSpend)}
      {live.cap && <> against a cap of {flowText(live.cap)}</>}.{" "}
      {live.toLift && live.cap && <>Raising the cap by at least {flowText(live.toLift)} lifts it, as does the new period on {ends} UTC.</>}
    </div>
  );
}
