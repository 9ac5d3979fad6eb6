import type { LiveView } from "../../src/keys/live/view";

/**
 * The key service's live spending limit as the page reads it (the `live` field of a usage answer,
 * src/keys/live/view.ts): whether pending usage has paused the key, against what, and what lifts
 * the pause. Checked field by field; anything malformed reads as "no figure". `periodEnd` and
 * `asOf` are ISO times ("" when unreadable); a new period lifts a cap pause.
 */
export type LiveLimit = Pick<LiveView, "reached" | "pendingCost" | "escrowLeft" | "unpaid" | "periodSpend" | "cap" | "toLift" | "periodEnd" | "asOf">;

const UFIX = /^\d{1,12}\.\d{8}$/;

function amount(v: unknown): string | null {
  return typeof v === "string" && UFIX.test(v) ? v : null;
}

export function parseLiveLimit(raw: unknown): LiveLimit | null {
  if (typeof raw !== "object" || raw === null) return null;
  const o = raw as Record<string, unknown>;
  const reached = o.reached === "escrow" || o.reached === "cap" ? o.reached : null;
  const pendingCost = amount(o.pendingCost);
  const escrowLeft = amount(o.escrowLeft);
  const unpaid = amount(o.unpaid);
  const periodSpend = amount(o.periodSpend);
  if (pendingCost === null || escrowLeft === null || unpaid === null || periodSpend === null) return null;
  const time = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? v : "");
  return { reached, pendingCost, escrowLeft, unpaid, periodSpend, cap: amount(o.cap), toLift: amount(o.toLift), periodEnd: time(o.periodEnd), asOf: time(o.asOf) };
}
