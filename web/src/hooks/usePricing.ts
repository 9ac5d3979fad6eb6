import { skipToken, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { DEFAULT_PRICING, type PricingConfig } from "../../../src/pricing";
import { errorText } from "../format";
import { queryKeys } from "../queries";
import { nowUnits, viewSchedule } from "../schedule";
import type { FlowClient, ScheduledPricing } from "../services/flowClient";

export interface PricingState {
  /** The version a window starting now is priced by; DESIGN.md's table until the chain is read. */
  pricing: PricingConfig;
  /** Announced versions not yet in force, oldest first. */
  pending: ScheduledPricing[];
  /** The newest version (what an admin change builds on); null until the chain is read. */
  latest: ScheduledPricing | null;
  /** The clock the split was made at (units of 1e-8 s). */
  now: bigint;
  /** "chain": read from UsageBasedSubscriptions; "default": DESIGN.md's table until then. */
  source: "chain" | "default";
  error: string | null;
}

/**
 * A version announced while the page is open comes into force on its date without a reload. This is
 * a clock, not a read: the schedule itself changes only by a sealed announcement, which invalidates it.
 */
const CLOCK_MS = 30_000;

/** The contract's pricing schedule, split at the present into the version in force and the announced ones. */
export function usePricing(client: FlowClient | null): PricingState {
  const { data, error } = useQuery({
    queryKey: queryKeys.pricingSchedule(),
    queryFn: client ? () => client.getPricingSchedule() : skipToken,
  });
  const [clock, setClock] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setClock(Date.now()), CLOCK_MS);
    return () => clearInterval(timer);
  }, []);
  const now = nowUnits(clock);
  const errorWords = error ? errorText(error) : null;
  if (!data || data.length === 0) return { pricing: DEFAULT_PRICING, pending: [], latest: null, now, source: "default", error: errorWords };
  const view = viewSchedule(data, now);
  return { pricing: view.inForce, pending: view.pending, latest: view.latest, now, source: "chain", error: errorWords };
}
