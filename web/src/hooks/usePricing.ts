import { DEFAULT_PRICING, type PricingConfig } from "../../../src/pricing";
import type { FlowClient } from "../services/flowClient";
import { useAsync } from "./useAsync";

export interface PricingState {
  pricing: PricingConfig;
  /** "chain": read from UsageBasedSubscriptions; "default": DESIGN.md's table until then. */
  source: "chain" | "default";
  error: string | null;
  reload: () => void;
}

/** The contract's pricing, or the deployment defaults while it loads or if it cannot be read. */
export function usePricing(client: FlowClient | null): PricingState {
  const { data, error, reload } = useAsync(client ? () => client.getPricing() : null, [client]);
  return { pricing: data ?? DEFAULT_PRICING, source: data ? "chain" : "default", error, reload };
}
