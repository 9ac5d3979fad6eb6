import { afterEach, describe, expect, it } from "vitest";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { fetchRead } from "../../src/fetch-read";

// A server that drops the first `drops` connections without answering, then answers `status`.
async function serve(drops: number, status = 200): Promise<{ url: string; seen: () => number; close: () => Promise<void> }> {
  let seen = 0;
  const server = http.createServer((req, res) => {
    seen++;
    if (seen <= drops) {
      req.socket.destroy();
      return;
    }
    res.writeHead(status, { "content-type": "text/plain" }).end(`answer ${seen}`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen: () => seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("fetchRead", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("asks again when a request got no answer, and returns the answer it then gets", async () => {
    const s = await serve(2);
    close = s.close;
    const response = await fetchRead(s.url);
    expect(await response.text()).toBe("answer 3");
    expect(s.seen()).toBe(3);
  });

  it("gives up after three requests without an answer, with fetch's own error", async () => {
    const s = await serve(10);
    close = s.close;
    await expect(fetchRead(s.url)).rejects.toThrow(/fetch failed/);
    expect(s.seen()).toBe(3);
  });

  it("returns an HTTP error as it is, without asking again", async () => {
    const s = await serve(0, 503);
    close = s.close;
    expect((await fetchRead(s.url)).status).toBe(503);
    expect(s.seen()).toBe(1);
  });

  it("does not ask again once the caller aborted", async () => {
    const s = await serve(10);
    close = s.close;
    const controller = new AbortController();
    controller.abort();
    await expect(fetchRead(s.url, { signal: controller.signal })).rejects.toThrow();
    expect(s.seen()).toBe(0);
  });
});
