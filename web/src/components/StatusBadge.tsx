import type { SubscriptionStatus } from "../services/flowClient";

const WORDS: Record<SubscriptionStatus, string> = {
  Active: "Active",
  Suspended: "Suspended: escrow empty or cap reached",
  Closing: "Closing: last usage being billed",
  Closed: "Closed",
};

export function StatusBadge({ status }: { status: SubscriptionStatus }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-testid="status">
      {WORDS[status]}
    </span>
  );
}
