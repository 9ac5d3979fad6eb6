import type { Subscription, SubscriptionStatus } from "../services/flowClient";

const WORDS: Record<SubscriptionStatus, string> = {
  Active: "Active",
  Suspended: "Paused",
  Closing: "Closing: last usage being billed",
  Closed: "Closed",
};

/** Why get_subscription says a subscription is suspended (SubscriptionInfo.suspendedFor). */
const REASONS: Record<string, string> = {
  escrow: "Paused: escrow used up",
  cap: "Paused: period cap reached",
};

export function StatusBadge({ status, suspendedFor = null }: { status: SubscriptionStatus; suspendedFor?: Subscription["suspendedFor"] }) {
  const words = status === "Suspended" && suspendedFor !== null ? (REASONS[suspendedFor] ?? WORDS.Suspended) : WORDS[status];
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-testid="status">
      {words}
    </span>
  );
}
