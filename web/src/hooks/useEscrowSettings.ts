import { useQuery, type UseQueryResult } from "@tanstack/react-query";
import { escrowSettingsQuery } from "../queries";
import type { EscrowSettings } from "../services/flowClient";
import { useConnected } from "./useChain";

/** get_escrow_settings (the minimum deposit among them); `enabled` false: not needed, nothing read. */
export function useEscrowSettings(enabled = true): UseQueryResult<EscrowSettings> {
  const { client } = useConnected();
  return useQuery({ ...escrowSettingsQuery(client), enabled });
}
