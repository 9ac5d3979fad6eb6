import type { Fetched, PublisherBillSource } from "./sources";

/** PublisherBillSource over fetch (Node 20 and browsers), with a per-request timeout. */
export function httpPublisherSource(timeoutMs = 10_000): PublisherBillSource {
  return {
    async get(url): Promise<Fetched> {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        return { status: response.status, body: await response.text() };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
