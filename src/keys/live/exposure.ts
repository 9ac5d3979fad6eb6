/**
 * A subscription's live exposure: the escrow and cap room Flow last reported, minus what the
 * usage LiteLLM has logged since the last settled window will cost. The pending usage is billed
 * here exactly as settlement will bill it (src/pricing's mirror of the contracts): window by
 * window in order, each window's lines in report order, each priced by the pricing version in
 * force at its window's start, in the period its window started in, charged in full up to the
 * escrow, only paid tokens advancing the tier position.
 */
import { chargeLine, pricingAt, type PricingSchedule, type SubscriptionState } from "../../pricing";
import { sortLines, Windows } from "../../report";
import type { LiveBlock } from "../decision";

/** The billing state of a subscription as read from Flow (get_subscription), amounts and times in units of 1e-8. */
export interface ChainView {
  status: "Active" | "Suspended" | "Closing" | "Closed";
  balance: bigint;
  periodTokens: bigint;
  periodSpent: bigint;
  cap: bigint | null;
  periodStart: bigint;
  billingPeriod: bigint;
  createdAt: bigint;
}

/** Pending usage of one window: tokens per family. */
export interface PendingWindow {
  window: bigint;
  families: ReadonlyMap<string, bigint>;
}

export interface Exposure {
  /** Tokens and mirror cost (units) of the usage logged since the last settled window. */
  pendingTokens: bigint;
  pendingCost: bigint;
  /** Escrow left once the pending usage is paid (0 when it is used up). */
  escrowLeft: bigint;
  /** Pending cost the escrow cannot pay: the provider's loss if it were settled now. */
  unpaid: bigint;
  /** The current period's spend with the pending usage, and the cap (null: no cap). */
  periodSpend: bigint;
  cap: bigint | null;
  /** Start of the period `periodSpend` belongs to (units). */
  periodStart: bigint;
  periodEnd: bigint;
  /** What can still be spent before a limit is reached (units). */
  room: bigint;
  /** The limit the pending usage has reached, or null while there is room. */
  reached: LiveBlock | null;
}

/**
 * Prices `pending` (windows after the last settled one, any order) on top of `view`, at `now`
 * (units). `windowSeconds` is FlareFDCTriggers' window length.
 */
export function exposureOf(view: ChainView, pending: readonly PendingWindow[], schedule: PricingSchedule, windowSeconds: bigint, now: bigint): Exposure {
  const state: SubscriptionState = {
    balance: view.balance,
    periodTokens: view.periodTokens,
    periodSpent: view.periodSpent,
    maxBudgetPerPeriod: view.cap ?? undefined,
    closing: view.status === "Closing",
    periodStart: view.periodStart,
    billingPeriod: view.billingPeriod,
    suspended: view.status === "Suspended",
  };
  let pendingTokens = 0n;
  let pendingCost = 0n;
  let unpaid = 0n;
  const length = new Windows(windowSeconds);
  const windows = [...pending].sort((a, b) => (a.window < b.window ? -1 : a.window > b.window ? 1 : 0));
  for (const w of windows) {
    const windowStart = length.startUnits(w.window);
    const pricing = pricingAt(schedule, windowStart);
    const lines = sortLines([...w.families].map(([family, tokens]) => ({ subscriptionId: 0n, family, tokens, requests: 0n })));
    for (const line of lines) {
      if (line.tokens === 0n) continue;
      const charge = chargeLine(pricing, state, line.family, line.tokens, { windowStart, now });
      pendingTokens += line.tokens;
      pendingCost += charge.cost;
      unpaid += charge.cost - charge.charged;
    }
  }
  // The cap is checked in the period that runs now: once it has ended, the new one starts empty.
  let periodStart = state.periodStart ?? view.periodStart;
  let periodSpend = state.periodSpent;
  if (view.billingPeriod > 0n && now >= periodStart + view.billingPeriod) {
    periodStart += ((now - periodStart) / view.billingPeriod) * view.billingPeriod;
    periodSpend = 0n;
  }
  const capRoom = view.cap === null ? null : view.cap - periodSpend;
  const escrowLeft = state.balance;
  const reached: LiveBlock | null = escrowLeft === 0n ? "escrow" : capRoom !== null && capRoom <= 0n ? "cap" : null;
  const room = capRoom === null ? escrowLeft : capRoom < escrowLeft ? (capRoom < 0n ? 0n : capRoom) : escrowLeft;
  return {
    pendingTokens,
    pendingCost,
    escrowLeft,
    unpaid,
    periodSpend,
    cap: view.cap,
    periodStart,
    periodEnd: periodStart + view.billingPeriod,
    room,
    reached,
  };
}
