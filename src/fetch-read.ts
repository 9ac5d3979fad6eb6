/**
 * fetch for reads of public endpoints (the verifier's, and every read of Flow events), tried again
 * when a request got no answer at all (a connection reset, a pooled keep-alive socket the server
 * closed as it was reused): every read here is idempotent, and a reader of public RPCs meets such
 * drops routinely. An HTTP
 * answer, whatever its status, is returned as it is; an aborted request is not tried again.
 */
/** After a read that got no answer at all, ask again after each of these delays. */
export const RETRY_DELAYS_MS: readonly number[] = [250, 1000];

export async function fetchRead(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined || init?.signal?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
