/**
 * fetch for reads of public endpoints (the verifier's, and every read of Flow events), tried again
 * when a request got no answer at all (a connection reset, a pooled keep-alive socket the server
 * closed as it was reused): every read here is idempotent, and a reader of public RPCs meets such
 * drops routinely. An HTTP
 * answer, whatever its status, is returned as it is; an aborted request is not tried again.
 */
import { fixedSchedule, realSleep, withRetry, type RetrySchedule } from "./retry";

/** After a read that got no answer at all, ask again after each of these delays. */
export const READ_RETRY: RetrySchedule = fixedSchedule([250, 1000]);

export async function fetchRead(url: string, init?: RequestInit): Promise<Response> {
  return withRetry(() => fetch(url, init), () => !init?.signal?.aborted, READ_RETRY, { sleep: realSleep });
}
