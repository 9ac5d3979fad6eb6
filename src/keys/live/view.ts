/**
 * The wire shape of the live limit in a usage answer: written by the key service (limiter.ts),
 * read by the page (web/src/liveLimit.ts). Types only, so the page's bundle gets none of the service.
 */
import type { LiveBlock } from "../decision";

/** The live figures of one subscription, as the usage endpoint shows them (FLOW as UFix64 text). */
export interface LiveView {
  /** "escrow" / "cap": the key is paused until the figure below is lifted; null: there is room. */
  reached: LiveBlock | null;
  pendingTokens: string;
  pendingCost: string;
  escrowLeft: string;
  unpaid: string;
  periodSpend: string;
  cap: string | null;
  /** What a top-up (escrow) or a cap raise (cap) must at least add to lift the pause. */
  toLift: string | null;
  periodEnd: string;
  room: string;
  tpmLimit: number | null;
  asOf: string;
}
