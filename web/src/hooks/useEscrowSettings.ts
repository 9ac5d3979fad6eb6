import type { EscrowSettings, FlowClient } from "../services/flowClient";
import { useAsync, type AsyncState } from "./useAsync";

/** get_escrow_settings (the minimum deposit among them); `enabled` false: not needed, nothing read. */
export function useEscrowSettings(client: FlowClient, enabled = true): AsyncState<EscrowSettings> {
  return useAsync(enabled ? () => client.getEscrowSettings() : null, [client, enabled]);
}
