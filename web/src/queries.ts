import { QueryClient, queryOptions, type FetchQueryOptions, type QueryKey } from "@tanstack/react-query";
import type { FlowClient } from "./services/flowClient";

/**
 * Every chain or key-service read the page caches, by key. Keys hold strings only (ids as text):
 * TanStack hashes them with JSON.stringify, which refuses bigints. One Flow client per page, so the
 * client is not part of any key.
 */
export const queryKeys = {
  subscriptions: (address: string) => ["subscriptions", address] as const,
  pricingSchedule: () => ["pricingSchedule"] as const,
  escrowSettings: () => ["escrowSettings"] as const,
  accountStorage: (address: string) => ["accountStorage", address] as const,
  keyUsage: (address: string | null, subscriptionId: bigint) => ["keyUsage", address, subscriptionId.toString()] as const,
};

/** Reads also made outside a hook (a form's check on fresh figures before it sends), so one place says how. */
export const accountStorageQuery = (client: FlowClient, address: string) =>
  queryOptions({ queryKey: queryKeys.accountStorage(address), queryFn: () => client.accountStorage(address) });

export const escrowSettingsQuery = (client: FlowClient) =>
  queryOptions({ queryKey: queryKeys.escrowSettings(), queryFn: () => client.getEscrowSettings() });

/**
 * Reads a key now, whatever the cache holds, and caches the answer (so what is shown agrees with what
 * was checked). No retry: the caller falls back to the figure shown, and the chain still refuses.
 */
export function readFresh<T, K extends QueryKey>(client: QueryClient, options: FetchQueryOptions<T, Error, T, K>): Promise<T> {
  return client.fetchQuery({ ...options, staleTime: 0, retry: false });
}

/**
 * Defaults for chain reads. Nothing on chain changes because the tab regained focus: reads refresh
 * when a transaction seals (invalidation) or on a list's poll, never on focus or reconnect. One retry
 * rides over a dropped request to the access node without hiding a real outage for long. Data read
 * once stays on screen while a key is read again (TanStack keeps it through a refetch), so tiles do
 * not flash back to "loading" after every transaction. Components mounting together (the form and
 * every tile read the escrow settings) share one read for a few seconds.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { refetchOnWindowFocus: false, refetchOnReconnect: false, retry: 1, staleTime: 5_000 },
    },
  });
}

/** What a sealed transaction changed: the subscriptions it touched and the FLOW and storage it spent. */
export function sealedSubscriptionChange(client: QueryClient, address: string): Promise<unknown> {
  return Promise.all([
    client.invalidateQueries({ queryKey: queryKeys.subscriptions(address) }),
    client.invalidateQueries({ queryKey: queryKeys.accountStorage(address) }),
  ]);
}

/** What a sealed pricing announcement or withdrawal changed: the schedule, and the admin's storage. */
export function sealedPricingChange(client: QueryClient, address: string): Promise<unknown> {
  return Promise.all([
    client.invalidateQueries({ queryKey: queryKeys.pricingSchedule() }),
    client.invalidateQueries({ queryKey: queryKeys.accountStorage(address) }),
  ]);
}
