import type { FlowClient, AccountStorage } from "../services/flowClient";
import { useAsync, type AsyncState } from "./useAsync";

/** The account's FLOW and storage, for the storage check before a storing transaction. */
export function useAccountStorage(client: FlowClient | null, address: string | null): AsyncState<AccountStorage> {
  return useAsync(client && address ? () => client.accountStorage(address) : null, [client, address]);
}
