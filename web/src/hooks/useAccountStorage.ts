import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { accountStorageQuery } from "../queries";
import type { AccountStorage } from "../services/flowClient";
import { useConnected } from "./useChain";

/** The connected account's FLOW and storage, for the storage check before a storing transaction. */
export function useAccountStorage(): UseQueryResult<AccountStorage> {
  const { client, address } = useConnected();
  return useQuery(accountStorageQuery(client, address));
}
