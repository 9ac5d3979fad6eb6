import { skipToken, useQuery } from "@tanstack/react-query";
import { errorText } from "../format";
import { queryKeys } from "../queries";
import type { KeySession, UsageAnswer } from "../services/keyService";

export interface KeyUsageState {
  usage: UsageAnswer | null;
  error: string | null;
  /** When the last answer arrived (ms since epoch). */
  updatedAt: number | null;
  /** Reads again now (asks the wallet when each read needs its own signature). */
  refresh: () => void;
}

/**
 * A subscription's pending usage while a key-service session exists: polled when the service
 * allows it without a signature per read, otherwise read once and on refresh (never retried or
 * re-read by itself, since each read asks the wallet).
 */
export function useKeyUsage(session: KeySession | null, subscriptionId: bigint, pollMs: number): KeyUsageState {
  const pollable = session?.pollable ?? false;
  const query = useQuery({
    queryKey: queryKeys.keyUsage(session?.address ?? null, subscriptionId),
    queryFn: session ? () => session.usage(subscriptionId) : skipToken,
    ...(pollable ? { refetchInterval: pollMs } : { staleTime: Infinity, retry: false }),
  });
  return {
    usage: query.data ?? null,
    error: query.error ? errorText(query.error) : null,
    updatedAt: query.dataUpdatedAt > 0 ? query.dataUpdatedAt : null,
    refresh: () => void query.refetch(),
  };
}
