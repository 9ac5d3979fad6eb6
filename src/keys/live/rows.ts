/**
 * A LiteLLM spend row as the live limit counts it: external input, checked before it counts.
 * The row's subscription (from its key alias), window (its start time) and family (the family
 * rule of the pricing its window is billed by) are found as the connector aggregates them.
 */
import { parseAlias, type SpendLogRow } from "../../litellm";
import { isValidFamily, type Windows } from "../../report";
import type { PendingRow } from "./pending";

export type RowVerdict = { row: PendingRow } | { skip: "failed" | "not ours" } | { bad: string };

export function pendingRowOf(
  row: SpendLogRow,
  served: (subscriptionId: string) => boolean,
  windows: Windows,
  familyAt: (window: bigint, modelGroup: string, model: string) => string | undefined,
): RowVerdict {
  if (row.status === "failure") return { skip: "failed" };
  const alias = parseAlias(row.metadata.user_api_key_alias ?? "");
  if (alias === null || !served(alias.subscriptionId)) return { skip: "not ours" };
  const startMs = Date.parse(row.startTime);
  const endMs = Date.parse(row.endTime);
  if (!Number.isFinite(startMs) || startMs < 0) return { bad: `spend row ${row.request_id}: unreadable start time` };
  if (!Number.isSafeInteger(row.total_tokens) || row.total_tokens < 0) return { bad: `spend row ${row.request_id}: total_tokens is not a token count` };
  if (!/^[0-9a-f]{64}$/.test(row.api_key)) return { bad: `spend row ${row.request_id}: api_key is not a key hash` };
  const window = windows.of(startMs);
  const mapped = familyAt(window, row.model_group ?? "", row.model) ?? "";
  return {
    row: {
      requestId: row.request_id,
      subscriptionId: alias.subscriptionId,
      keyHash: row.api_key,
      window,
      family: isValidFamily(mapped) ? mapped : "",
      tokens: row.total_tokens,
      startMs,
      endMs: Number.isFinite(endMs) && endMs >= startMs ? endMs : startMs,
    },
  };
}
