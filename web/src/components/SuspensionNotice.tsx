import { formatFlow } from "../../../src/pricing";
import { flowText, timeText } from "../format";
import type { Subscription } from "../services/flowClient";

/**
 * Why a subscription is paused and what resumes it. The contract pauses (never discounts): an
 * escrow used up resumes with a top-up of at least the minimum deposit; a period cap reached
 * resumes with a higher cap or when the period ends.
 */
export function SuspensionNotice({ subscription, minimumDeposit }: { subscription: Subscription; minimumDeposit: bigint | null }) {
  if (subscription.status !== "Suspended") return null;
  let text: string;
  let detail: string;
  if (subscription.suspendedFor === "escrow") {
    const minimum = minimumDeposit === null ? "the minimum deposit" : `${formatFlow(minimumDeposit)} FLOW`;
    text = `Paused: escrow used up — top up at least ${minimum} to resume.`;
    detail = "The key is blocked until the escrow is funded again.";
  } else if (subscription.suspendedFor === "cap") {
    text = `Paused: period cap reached — raise the cap or wait for the period to end on ${timeText(subscription.periodEnd)}.`;
    detail = `This period's billed spend is ${flowText(subscription.periodSpent)}; a cap above it resumes the key. The cap never reduces what is owed for usage already made.`;
  } else {
    text = "Paused.";
    detail = "Flow gives no reason; read the subscription again.";
  }
  return (
    <div className="suspension" role="status" data-testid="suspension" data-reason={subscription.suspendedFor ?? ""}>
      <strong>{text}</strong> <span className="muted">{detail}</span>
    </div>
  );
}
