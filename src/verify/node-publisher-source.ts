import * as http from "node:http";
import * as https from "node:https";
import { READ_RETRY } from "../fetch-read";
import { realSleep, withRetry } from "../retry";
import { MAX_PUBLISHED_BYTES, tooLarge, type Fetched, type PublisherBillSource, type PublisherReadOptions } from "./sources";
import { FlareFlowError, messageOf } from "../errors";

/**
 * PublisherBillSource for Node (the command, the bench) over node:http(s) with keep-alive sockets:
 * the same reads as httpPublisherSource (status and body, a per-request timeout, a read that got no
 * answer at all tried again after 0.25 and 1 s, as fetch-read.ts does) at about a third of fetch's
 * client CPU per request (0.11 against 0.41 ms here, warm, 16 in flight). Two reads per window
 * (report and summary) made fetch the verifier's largest cost in its profile (README "How fast").
 * The page keeps httpPublisherSource: browsers have fetch only.
 */
class NoAnswer extends FlareFlowError {
  override readonly name = "NoAnswer";
  override readonly docs = "README.md#verifiable-bills";
}

export function nodePublisherSource({ timeoutMs = 10_000, maxBytes = MAX_PUBLISHED_BYTES, maxSockets = 16 }: PublisherReadOptions & { maxSockets?: number } = {}): PublisherBillSource {
  const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets }), "https:": new https.Agent({ keepAlive: true, maxSockets }) };

  const once = (url: URL): Promise<Fetched> =>
    new Promise((resolve, reject) => {
      const lib = url.protocol === "https:" ? https : http;
      const request = lib.get(url, { agent: agents[url.protocol as "http:" | "https:"] }, (response) => {
        // Final, as a timeout is: the body is refused, not asked for again.
        const refuse = (): void => {
          reject(new Error(tooLarge(maxBytes)));
          request.destroy();
        };
        if (Number(response.headers["content-length"] ?? NaN) > maxBytes) return refuse();
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return refuse();
          chunks.push(chunk);
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", (error) => reject(error));
      });
      let timedOut = false;
      // A timeout is final (not tried again), as fetch's aborted request is.
      request.setTimeout(timeoutMs, () => {
        timedOut = true;
        request.destroy(new Error(`no answer within ${timeoutMs} ms`));
      });
      request.on("error", (error) => reject(timedOut ? error : new NoAnswer(error.message)));
    });

  return {
    async get(raw): Promise<Fetched> {
      let url: URL;
      try {
        url = new URL(raw);
        if (url.protocol !== "http:" && url.protocol !== "https:") throw new FlareFlowError(`not an http(s) URL: ${raw}`);
      } catch (error) {
        return { error: messageOf(error) };
      }
      try {
        return await withRetry(() => once(url), (error) => error instanceof NoAnswer, READ_RETRY, { sleep: realSleep });
      } catch (error) {
        return { error: messageOf(error) };
      }
    },
  };
}
