import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nodePublisherSource } from "../../src/verify/node-publisher-source";
import { httpPublisherSource } from "../../src/verify/publisher-source";

let servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
  servers = [];
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("nodePublisherSource (the command's reads of published reports)", () => {
  it("returns the exact body and status, UTF-8 included, and non-200 answers as they are", async () => {
    const body = `{"family":"gpt-4","note":"é✓"}\n`;
    const base = await serve((req, res) => {
      if (req.url === "/reports/1") res.writeHead(200).end(body);
      else res.writeHead(404).end("no such report");
    });
    const source = nodePublisherSource();
    expect(await source.get(`${base}/reports/1`)).toEqual({ status: 200, body });
    expect(await source.get(`${base}/reports/2`)).toEqual({ status: 404, body: "no such report" });
  });

  it("asks again when a connection is dropped without an answer", async () => {
    let calls = 0;
    const base = await serve((req, res) => {
      if (++calls === 1) req.socket.destroy();
      else res.writeHead(200).end("second time");
    });
    expect(await nodePublisherSource().get(`${base}/reports/1`)).toEqual({ status: 200, body: "second time" });
    expect(calls).toBe(2);
  });

  it("reports an endpoint that never answers, a timeout, and a URL that is not http(s)", async () => {
    const closed = await serve(() => undefined);
    const refused = closed.replace(/:\d+$/, ":1");
    expect(await nodePublisherSource().get(`${refused}/reports/1`)).toHaveProperty("error");
    const slow = await serve(() => undefined);
    expect(await nodePublisherSource({ timeoutMs: 200 }).get(`${slow}/reports/1`)).toEqual({ error: "no answer within 200 ms" });
    expect(await nodePublisherSource().get("file:///etc/passwd")).toEqual({ error: "not an http(s) URL: file:///etc/passwd" });
  });
});

// A publisher URL is whatever the Coston2 verifier pins: a hostile or broken host can answer with
// an endless body. Both readers (the command's node:http one, the page's fetch one) must stop at
// the bound instead of holding the whole answer in memory.
const readers = [
  ["node:http", (maxBytes: number) => nodePublisherSource({ maxBytes })],
  ["fetch", (maxBytes: number) => httpPublisherSource({ maxBytes })],
] as const;

describe.each(readers)("published reads over %s: the body is bounded", (_name, reader) => {
  it("returns a body of exactly the bound, multi-byte characters counted as bytes", async () => {
    const body = "é".repeat(50); // 100 bytes
    const base = await serve((_req, res) => res.writeHead(200).end(body));
    expect(await reader(100).get(`${base}/r`)).toEqual({ status: 200, body });
    expect(await reader(99).get(`${base}/r`)).toEqual({ error: "the answer is larger than 99 bytes" });
  });

  it("refuses a declared length over the bound before reading it", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(10_000_000) });
      res.write("x");
    });
    expect(await reader(1024).get(`${base}/r`)).toEqual({ error: "the answer is larger than 1024 bytes" });
  });

  it("stops an endless chunked body at the bound", async () => {
    let sent = 0;
    const base = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = "x".repeat(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && sent < 1024 ** 3) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      pump();
    });
    expect(await reader(1024 * 1024).get(`${base}/r`)).toEqual({ error: "the answer is larger than 1048576 bytes" });
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });
});
