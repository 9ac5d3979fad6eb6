/**
 * The four HTTP servers at their edges, on the wire (issue 19): each keeps its own error bytes for
 * a body over its limit (sent in chunks, so no Content-Length announces it), a body that is not
 * JSON, a route it does not have and a method it does not take; what is refused is never handled.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJsonServer, type JsonRequest, type JsonServer } from "../../src/keys/http/server";
import { startFlareLocalServer, type FlareLocalServer } from "../../src/flare-local/server";
import type { RoundEngine } from "../../src/flare-local";
import { startPublisher, type Publisher } from "../../src/connector/publish";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { MASTER, startServer } from "./litellm-helpers";

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** One request by node:http; `chunks` are written one by one, so the body goes out chunked. */
function send(url: string, method: string, options: { headers?: Record<string, string>; chunks?: Array<string | Buffer> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method, headers: options.headers }, (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString("utf8") }));
    });
    // Once it has answered, the server may stop reading before the whole body is out.
    req.on("error", (e: NodeJS.ErrnoException) => (answered && (e.code === "EPIPE" || e.code === "ECONNRESET") ? undefined : reject(e)));
    for (const c of options.chunks ?? []) req.write(c);
    req.end();
  });
}

/** `total` bytes of a JSON object, in 64 KiB chunks. */
function chunkedJson(total: number): Buffer[] {
  const text = `{"pad":"${"x".repeat(total - 10)}"}`;
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 64 * 1024) out.push(bytes.subarray(i, i + 64 * 1024));
  return out;
}

describe("the key service's JSON server", () => {
  let server: JsonServer;
  const handled: JsonRequest[] = [];
  beforeAll(async () => {
    server = await startJsonServer({
      host: "127.0.0.1",
      port: 0,
      corsOrigins: [],
      handler: async (req) => {
        handled.push(req);
        return { status: 200, body: { ok: true } };
      },
      onError: () => {},
    });
  });
  afterAll(() => server.close());

  it("refuses a chunked body over 16 KiB with its own 413 and never hands it on", async () => {
    handled.length = 0;
    const r = await send(`${server.url}/v1/challenge`, "POST", { headers: { "content-type": "application/json" }, chunks: chunkedJson(64 * 1024) });
    expect([r.status, r.headers["cache-control"], JSON.parse(r.body)]).toEqual([413, "no-store", { error: { code: "body_too_large", message: "request bodies are limited to 16384 bytes" } }]);
    expect(handled).toEqual([]);
    const fits = await send(`${server.url}/v1/challenge`, "POST", { headers: { "content-type": "application/json" }, chunks: chunkedJson(16 * 1024) });
    expect(fits.status).toBe(200);
    expect(handled).toHaveLength(1);
  });

  it("checks the content type before it reads: a large body of another type is a 415", async () => {
    const r = await send(`${server.url}/v1/challenge`, "POST", { headers: { "content-type": "text/plain" }, chunks: chunkedJson(64 * 1024) });
    expect(r.status).toBe(415);
  });

  it("an empty JSON body is a 400, every method but GET and HEAD has a body", async () => {
    const empty = await send(`${server.url}/v1/challenge`, "POST", { headers: { "content-type": "application/json" } });
    expect([empty.status, JSON.parse(empty.body)]).toEqual([400, { error: { code: "bad_json", message: "the body is not valid JSON" } }]);
    expect((await send(`${server.url}/v1/challenge`, "DELETE")).status).toBe(415);
  });

  it("reads a body as node decodes it: a byte-order mark makes it not JSON", async () => {
    const r = await send(`${server.url}/v1/challenge`, "POST", { headers: { "content-type": "application/json" }, chunks: ["\uFEFF{}"] });
    expect(r.status).toBe(400);
  });

  it("stops at once, dropping a connection whose request is still coming", async () => {
    const other = await startJsonServer({ host: "127.0.0.1", port: 0, corsOrigins: [], handler: async () => ({ status: 200, body: {} }), onError: () => {} });
    const pending = new Promise<string>((resolve) => {
      const req = http.request(`${other.url}/v1/challenge`, { method: "POST", headers: { "content-type": "application/json" } });
      req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      req.write("{");
    });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toMatch(/ECONNRESET|socket hang up/);
  });
});

describe("the LiteLLM stand-in", () => {
  let server: LiteLLMServerHandle;
  const admin = { authorization: `Bearer ${MASTER}`, "content-type": "application/json" };
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  async function keyCount(): Promise<number> {
    const r = await send(`${server.url}/key/list`, "GET", { headers: admin });
    return (JSON.parse(r.body) as { total_count: number }).total_count;
  }

  it("refuses a chunked body over 1 MiB in LiteLLM's words and creates nothing", async () => {
    const before = await keyCount();
    const r = await send(`${server.url}/key/generate`, "POST", { headers: admin, chunks: chunkedJson(2 * 1024 * 1024) });
    expect([r.status, r.headers["content-type"], r.body]).toEqual([413, "application/json", '{"error":{"message":"Request body too large","type":"bad_request_error","param":null,"code":"413"}}']);
    expect(await keyCount()).toBe(before);
  });

  it("does not let a refused body that never ends hold its connection", async () => {
    const closedAfter = await new Promise<{ status: number; ms: number }>((resolve) => {
      let status = 0;
      const started = Date.now();
      const agent = new http.Agent({ keepAlive: true });
      const req = http.request(`${server.url}/key/generate`, { method: "POST", headers: admin, agent }, (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      req.on("error", () => {});
      const writing = setInterval(() => req.write(Buffer.alloc(64 * 1024, 32)), 5);
      req.on("socket", (socket) =>
        socket.on("close", () => {
          clearInterval(writing);
          agent.destroy();
          resolve({ status, ms: Date.now() - started });
        }),
      );
    });
    expect(closedAfter.status).toBe(413);
    expect(closedAfter.ms).toBeLessThan(5000);
  });

  it("asks for the master key before it reads an admin route's body", async () => {
    const r = await send(`${server.url}/key/generate`, "POST", { headers: { "content-type": "application/json" }, chunks: chunkedJson(2 * 1024 * 1024) });
    expect(r.status).toBe(401);
  });

  it("answers a body that is not JSON, or not an object, as FastAPI does; an empty one is {}", async () => {
    const bad = await send(`${server.url}/key/generate`, "POST", { headers: admin, chunks: ["{"] });
    expect([bad.status, bad.body]).toEqual([422, '{"detail":[{"loc":["body"],"msg":"JSON decode error","type":"json_invalid"}]}']);
    const list = await send(`${server.url}/key/generate`, "POST", { headers: admin, chunks: ["[1]"] });
    expect([list.status, list.body]).toEqual([422, '{"detail":[{"loc":["body"],"msg":"Input should be a valid dictionary","type":"dict_type"}]}']);
    const before = await keyCount();
    const empty = await send(`${server.url}/key/generate`, "POST", { headers: admin, chunks: ["  "] });
    expect(empty.status).toBe(200);
    expect(await keyCount()).toBe(before + 1);
  });

  it("routes a path with trailing slashes as the path; anything else is FastAPI's 404", async () => {
    const r = await send(`${server.url}/key/list//?size=1`, "GET", { headers: admin });
    expect(r.status).toBe(200);
    for (const [method, p] of [["GET", "/nope"], ["POST", "/nope"], ["GET", "/key/%6Cist"]] as const) {
      const a = await send(`${server.url}${p}`, method, { headers: admin });
      expect([a.status, a.headers["content-type"], a.body], `${method} ${p}`).toEqual([404, "application/json", '{"detail":"Not Found"}']);
    }
    const alive = await send(`${server.url}/health/liveliness/`, "GET");
    expect([alive.status, alive.body]).toEqual([200, '"I\'m alive!"']);
  });

  // Starlette's Route.handle: a path it routes, asked with a method it does not take, is a 405
  // naming the route's methods in Allow, before any dependency (auth) runs; FastAPI's APIRoute does
  // not add HEAD to a GET route (fastapi/fastapi#1773, open), so HEAD is refused the same way.
  it("answers a known path asked with another method 405 Method Not Allowed, HEAD included, before the key is checked", async () => {
    for (const [method, p, allow] of [["POST", "/key/list", "GET"], ["GET", "/key/generate", "POST"], ["HEAD", "/health/liveliness", "GET"], ["HEAD", "/key/info", "GET"], ["DELETE", "/chat/completions/", "POST"]] as const) {
      for (const headers of [admin, {}]) {
        const a = await send(`${server.url}${p}`, method, { headers });
        expect([a.status, a.headers["allow"], a.headers["content-type"], a.body], `${method} ${p}`).toEqual([405, allow, "application/json", method === "HEAD" ? "" : '{"detail":"Method Not Allowed"}']);
      }
    }
  });

  it("streams a completion as `data: <json>` events ending with `data: [DONE]`, nothing else in between", async () => {
    const r = await send(`${server.url}/v1/chat/completions`, "POST", {
      headers: admin,
      chunks: [JSON.stringify({ model: "gpt-4", messages: [{ role: "user", content: "say three words" }], stream: true })],
    });
    expect(r.status).toBe(200);
    expect(r.headers).toMatchObject({ "content-type": "text/event-stream", "cache-control": "no-cache", "transfer-encoding": "chunked" });
    expect(r.headers["x-litellm-call-id"]).toMatch(/^chatcmpl-/);
    expect(r.body).toMatch(/^(data: \{[^\n]*\}\n\n)+data: \[DONE\]\n\n$/);
  });
});

describe("the Flare stand-in", () => {
  let server: FlareLocalServer;
  beforeAll(async () => {
    // No request here gets as far as the round engine.
    server = await startFlareLocalServer({ apiKey: "k", policy: { allowLoopbackHttp: true }, verifierRelease: "v1.6.0-rc.0", engine: {} as RoundEngine });
  });
  afterAll(() => server.stop());

  it("refuses a chunked body over 1 MiB in its own words", async () => {
    const r = await send(`${server.url}/api/v1/fdc/proof-by-request-round-raw`, "POST", { headers: { "content-type": "application/json" }, chunks: chunkedJson(2 * 1024 * 1024) });
    expect([r.status, r.headers["content-type"], r.body]).toEqual([413, "application/json", '{"error":"request body too large"}']);
  });

  it("answers a body that is not JSON as NestJS does, after the API key", async () => {
    const bad = await send(`${server.url}/api/v1/fdc/proof-by-request-round-raw`, "POST", { chunks: ["{"] });
    expect([bad.status, bad.body]).toEqual([400, '{"statusCode":400,"message":"body is not JSON","error":"Bad Request"}']);
    const noKey = await send(`${server.url}/verifier/web2/Web2Json/prepareRequest`, "POST", { chunks: ["{"] });
    expect([noKey.status, noKey.body]).toEqual([401, '{"statusCode":401,"message":"Unauthorized"}']);
    const keyed = await send(`${server.url}/verifier/web2/Web2Json/prepareRequest`, "POST", { headers: { "x-api-key": "k" }, chunks: ["{"] });
    expect(keyed.status).toBe(400);
  });

  it("answers an unknown route or method with NestJS's 404, naming both", async () => {
    const post = await send(`${server.url}/api/v1/nope`, "POST");
    expect([post.status, post.body]).toEqual([404, '{"statusCode":404,"message":"Cannot POST /api/v1/nope","error":"Not Found"}']);
    const get = await send(`${server.url}/api/v1/fdc/proof-by-request-round-raw`, "GET");
    expect([get.status, get.body]).toEqual([404, '{"statusCode":404,"message":"Cannot GET /api/v1/fdc/proof-by-request-round-raw","error":"Not Found"}']);
  });
});

describe("the report publisher", () => {
  let dir: string;
  let publisher: Publisher;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-http-"));
    publisher = await startPublisher({ stateDir: dir });
  });
  afterAll(async () => {
    await publisher.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // One error body for FlareFlow's own servers, the key service's: {error: {code, message}}.
  it("takes GET and HEAD only, and says so", async () => {
    const r = await send(`${publisher.url}/reports/1`, "POST", { chunks: ["{}"] });
    expect([r.status, r.headers["allow"], r.headers["content-type"], r.body]).toEqual([405, "GET, HEAD", "application/json", '{"error":{"code":"method_not_allowed","message":"the publisher takes GET and HEAD only"}}\n']);
  });

  it("answers a missing report with a 404 that no one caches, to GET and to HEAD", async () => {
    const get = await send(`${publisher.url}/reports/1`, "GET");
    expect([get.status, get.headers["cache-control"], get.headers["access-control-allow-origin"], get.body]).toEqual([404, "no-store", "*", '{"error":{"code":"not_found","message":"no report for window 1"}}\n']);
    const head = await send(`${publisher.url}/reports/1`, "HEAD");
    expect([head.status, head.headers["content-length"], head.body]).toEqual([404, String(Buffer.byteLength(get.body)), ""]);
    const other = await send(`${publisher.url}/elsewhere`, "GET");
    expect([other.status, other.body]).toEqual([404, '{"error":{"code":"not_found","message":"no such document: the publisher serves /reports/<window> and /reports/<window>/summary"}}\n']);
  });
});
