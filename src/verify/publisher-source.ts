import { MAX_PUBLISHED_BYTES, tooLarge, type Fetched, type PublisherBillSource, type PublisherReadOptions } from "./sources";
import { fetchRead } from "../fetch-read";
import { FlareFlowError, messageOf } from "../errors";

class TooLarge extends FlareFlowError {
  override readonly name = "TooLarge";
  override readonly docs = "README.md#verifiable-bills";
}

/** The body as UTF-8 text, read chunk by chunk and given up as soon as it passes `maxBytes`. */
async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new TooLarge(tooLarge(maxBytes));
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new TooLarge(tooLarge(maxBytes));
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** PublisherBillSource over fetch (Node 20 and browsers), with a per-request timeout and a body bound. */
export function httpPublisherSource({ timeoutMs = 10_000, maxBytes = MAX_PUBLISHED_BYTES }: PublisherReadOptions = {}): PublisherBillSource {
  return {
    async get(url): Promise<Fetched> {
      try {
        const response = await fetchRead(url, { signal: AbortSignal.timeout(timeoutMs) });
        return { status: response.status, body: await boundedText(response, maxBytes) };
      } catch (error) {
        return { error: messageOf(error) };
      }
    },
  };
}
