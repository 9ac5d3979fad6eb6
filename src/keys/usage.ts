/**
 * The seed's `litellmKeyService.getKeyUsage(apiKey, startDate?, endDate?)`, a
 * thin wrapper over the admin client. The client (and with it the master key)
 * is created on first use, from the environment, so importing this module
 * never requires LiteLLM to be configured.
 */
import { LiteLLMAdminClient, type KeyUsage } from "../litellm";

let client: LiteLLMAdminClient | undefined;

function toDate(value: Date | string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new TypeError(`getKeyUsage: ${name} is not a valid date`);
  return d;
}

export const litellmKeyService = {
  /** Usage of one key (raw `sk-` or its sha256 hash): usage_summary, model_breakdown, recent_requests, daily_usage. */
  async getKeyUsage(apiKey: string, startDate?: Date | string, endDate?: Date | string): Promise<KeyUsage> {
    const start = toDate(startDate, "startDate");
    const end = toDate(endDate, "endDate");
    client ??= new LiteLLMAdminClient();
    return client.getKeyUsage(apiKey, start, end);
  },
};
