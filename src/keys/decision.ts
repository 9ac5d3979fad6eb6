/**
 * The one rule that says whether a subscription's key is blocked in LiteLLM, and why. Two inputs
 * decide it: where the subscription stands on Flow (the events the follower journaled) and the
 * live limit (pending usage priced against the escrow and cap as last read from Flow). The chain
 * wins: a suspended, closing or closed subscription is blocked whatever the live limit says, and
 * the live limit can only add a block, never lift one the chain asked for.
 */
import type { Lifecycle } from "./state";

/** Why the live limit blocks: pending usage has used up the escrow, or reached the period cap. */
export type LiveBlock = "escrow" | "cap";

export type BlockReason = "suspended" | "closing" | "closed" | LiveBlock;

export interface KeyDecision {
  blocked: boolean;
  reason: BlockReason | null;
}

export function keyDecision(lifecycle: Lifecycle, live: LiveBlock | null): KeyDecision {
  if (lifecycle !== "active") return { blocked: true, reason: lifecycle };
  if (live !== null) return { blocked: true, reason: live };
  return { blocked: false, reason: null };
}
