import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Aggregator } from "../../src/connector/aggregate";
import { parseKeyListAnswer } from "../../src/litellm/parse";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { DEFAULT_PRICING } from "../../src/pricing";
import { chat, clientFor, errorOf, fixedClock, MASTER, meta, startServer, T0 } from "./litellm-helpers";

/*
 * Issue 14, points 4, 5 and 7: the client and the stand-in against LiteLLM 1.110.2's own code
 * (litellm/proxy/spend_tracking/spend_management_endpoints.py `ui_view_spend_logs`,
 * management_endpoints/key_management_endpoints.py `list_keys` / `update_key_fn`,
 * auth/user_api_key_auth.py, auth/auth_checks.py, hooks/parallel_request_limiter_v3.py,
 * common_request_processing.py `get_custom_headers`, litellm_core_utils/streaming_handler.py).
 */

type Sse = { status: number; headers: Headers; events: string[] };

async function streamChat(url: string, key: string, model: string, content: string, includeUsage: boolean): Promise<Sse> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }], stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) }),
  });
  const text = await res.text();
  const events = text.split("\n\n").filter((b) => b.startsWith("data: ")).map((b) => b.slice("data: ".length));
  return { status: res.status, headers: res.headers, events };
}

describe("spend logs past LiteLLM's count cap (point 4)", () => {
  let server: LiteLLMServerHandle;
  const ROWS = 10_100;
  beforeAll(async () => {
    server = await startServer({ spendLogDelayMs: 0 });
  });
  afterAll(async () => server.stop());

  it(`reads all ${ROWS} rows of one window although LiteLLM reports total 10,000 and total_is_capped`, { timeout: 300_000 }, async () => {
    const client = clientFor(server.url);
    const keys = await Promise.all([0, 1].map((i) => client.generateKey({ key_alias: `ff-${500 + i}`, metadata: meta(String(500 + i)) })));
    const start = new Date(Date.now() - 1000);
    let sent = 0;
    const expectedTokens = [0, 0];
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (sent < ROWS) {
          const i = sent++ % 2;
          const r = await chat(server.url, keys[i]!.key, "gpt-3.5-turbo", `row ${sent}`);
          expect(r.status).toBe(200);
          expectedTokens[i]! += (r.body["usage"] as { total_tokens: number }).total_tokens;
        }
      }),
    );
    const end = new Date(Date.now() + 1000);

    const first = await client.spendLogs({ startDate: start, endDate: end, page: 1, pageSize: 100 });
    expect(first).toMatchObject({ total: 10_000, total_is_capped: true, total_pages: 100 });
    // Past the announced last page the rows go on.
    expect((await client.spendLogs({ startDate: start, endDate: end, page: 101, pageSize: 100 })).data.length).toBe(100);

    const aggregator = new Aggregator(DEFAULT_PRICING);
    const ids = new Set<string>();
    for await (const row of client.iterateSpendLogs({ startDate: start, endDate: end })) {
      ids.add(row.request_id);
      aggregator.add(row);
    }
    expect(ids.size).toBe(ROWS);
    const result = aggregator.result();
    expect(result.rows).toBe(ROWS);
    expect(result.lines.map((l) => [l.subscriptionId, l.tokens])).toEqual([
      [500n, BigInt(expectedTokens[0]!)],
      [501n, BigInt(expectedTokens[1]!)],
    ]);
  });
});

describe("/key/list in both forms (point 5)", () => {
  let server: LiteLLMServerHandle;
  let stripping: http.Server;
  let strippingUrl = "";
  beforeAll(async () => {
    server = await startServer();
    // A proxy in front that drops return_full_object: what a release ignoring it answers.
    stripping = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", server.url);
      url.searchParams.delete("return_full_object");
      const fwd = http.request(url, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 500, up.headers);
        up.pipe(res);
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => stripping.listen(0, "127.0.0.1", () => r()));
    strippingUrl = `http://127.0.0.1:${(stripping.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => stripping.close(() => r()));
    await server.stop();
  });

  it("LiteLLM lists hashes unless return_full_object=true; the client reads both into key rows", async () => {
    const client = clientFor(server.url);
    const a = await client.generateKey({ key_alias: "ff-600", models: ["gpt-4"], metadata: meta("600") });
    const raw = await (await fetch(`${server.url}/key/list`, { headers: { Authorization: `Bearer ${MASTER}` } })).json();
    expect(raw).toMatchObject({ keys: [a.token], total_count: 1 });
    const full = await (await fetch(`${server.url}/key/list?return_full_object=true`, { headers: { Authorization: `Bearer ${MASTER}` } })).json();
    expect((full as { keys: Array<{ token: string }> }).keys[0]!.token).toBe(a.token);

    const viaHashes = await clientFor(strippingUrl).listKeys();
    expect(viaHashes.keys).toHaveLength(1);
    expect(viaHashes.keys[0]).toMatchObject({ token: a.token, key_alias: "ff-600", models: ["gpt-4"] });
    expect(await clientFor(strippingUrl).findKeyByAlias("ff-600")).toMatchObject({ token: a.token });
  });

  it("the parser takes strings and objects and refuses anything else", () => {
    const hash = "a".repeat(64);
    expect(parseKeyListAnswer({ keys: [hash, { token: hash, key_alias: "ff-1" }], total_count: 2 }).entries.map((e) => e.kind)).toEqual(["hash", "full"]);
    expect(() => parseKeyListAnswer({ keys: ["not-a-hash"] })).toThrow();
    expect(() => parseKeyListAnswer({ keys: [5] })).toThrow();
  });
});

describe("the stand-in answers as LiteLLM 1.110.2 (point 7)", () => {
  let server: LiteLLMServerHandle;
  const clock = fixedClock();
  beforeAll(async () => {
    server = await startServer({ now: clock.now });
  });
  afterAll(async () => server.stop());

  it("/key/update returns the full key row; an unknown key is 404 not_found_error", async () => {
    const client = clientFor(server.url);
    const k = await client.generateKey({ key_alias: "ff-700", metadata: meta("700") });
    const row = await client.updateKey({ key: k.key, models: ["gpt-4"], rpm_limit: 5 });
    expect(row).toMatchObject({ token: k.token, key_alias: "ff-700", models: ["gpt-4"], metadata: meta("700"), spend: 0 });
    const rawRow = await (await fetch(`${server.url}/key/update`, { method: "POST", headers: { Authorization: `Bearer ${MASTER}` }, body: JSON.stringify({ key: k.token, max_budget: 3 }) })).json();
    expect(rawRow).toMatchObject({ key: k.token, token: k.token, max_budget: 3, rpm_limit: 5, tpm_limit: null, key_alias: "ff-700", models: ["gpt-4"] });
    const unknown = await fetch(`${server.url}/key/update`, { method: "POST", headers: { Authorization: `Bearer ${MASTER}` }, body: JSON.stringify({ key: "b".repeat(64), max_budget: 1 }) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: "Key not found.", type: "not_found_error", param: "key", code: "404" } });
  });

  it("model outside the key's list 403; unknown key 401 token_not_found_in_db; expired key 401 expired_key", async () => {
    const client = clientFor(server.url);
    const k = await client.generateKey({ key_alias: "ff-701", models: ["gpt-3.5-turbo"], duration: "1h", metadata: meta("701") });
    expect((await chat(server.url, k.key, "gpt-4", "x")).status).toBe(403);
    const unknown = await chat(server.url, "sk-unknown-key-0000", "gpt-4", "x");
    expect(unknown.status).toBe(401);
    expect(unknown.body["error"]).toEqual({ message: "Authentication Error, Invalid API key provided.", type: "token_not_found_in_db", param: "key", code: "401" });
    clock.advance(3_600_001);
    const expired = await chat(server.url, k.key, "gpt-3.5-turbo", "x");
    expect([expired.status, errorOf(expired).type]).toEqual([401, "expired_key"]);
    clock.set(T0);
  });

  it("rpm_limit and tpm_limit are kept and enforced per 60-s window (429 throttling_error, retry-after)", async () => {
    const client = clientFor(server.url);
    const k = await client.generateKey({ key_alias: "ff-702", metadata: meta("702"), rpm_limit: 2 });
    expect(await client.keyInfo(k.token)).toMatchObject({ rpm_limit: 2, tpm_limit: null });
    expect((await chat(server.url, k.key, "gpt-4", "1")).status).toBe(200);
    expect((await chat(server.url, k.key, "gpt-4", "2")).status).toBe(200);
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${k.key}` },
      body: JSON.stringify({ model: "gpt-4", messages: [{ role: "user", content: "3" }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("throttling_error");
    expect(body.error.message).toMatch(new RegExp(`^Rate limit exceeded for api_key: ${k.token}\\. Limit type: requests\\. Current limit: 2, Remaining: 0\\.`));
    clock.advance(60_001);
    expect((await chat(server.url, k.key, "gpt-4", "4")).status).toBe(200);

    const t = await client.generateKey({ key_alias: "ff-703", metadata: meta("703"), tpm_limit: 30 });
    let last = 200;
    for (let i = 0; i < 10 && last === 200; i++) last = (await chat(server.url, t.key, "gpt-4", `a prompt of some length ${i}`)).status;
    expect(last).toBe(429);
    clock.set(T0);
  });

  it("counts tpm in fixed windows that start at the first call after the last one ran out, as 1.110.2's in-memory limiter", async () => {
    const client = clientFor(server.url);
    const k = await client.generateKey({ key_alias: "ff-790", metadata: meta("790"), tpm_limit: 60 });
    try {
      clock.set(T0 + 5_000); // the window starts here, at the first call
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await chat(server.url, k.key, "gpt-4", `a prompt of some length ${i}`)).status);
      const served = statuses.indexOf(429);
      expect(served).toBeGreaterThanOrEqual(1);
      expect(statuses.slice(served).every((s) => s === 429)).toBe(true);
      // 59 s later the window still holds its tokens: no sliding, no partial release.
      clock.set(T0 + 5_000 + 59_999);
      expect((await chat(server.url, k.key, "gpt-4", "still the first window")).status).toBe(429);
      // From 60 s on, the next call starts a new window with the counters at 0: all of it is released at once.
      clock.set(T0 + 5_000 + 60_000);
      for (let i = 0; i < served; i++) expect((await chat(server.url, k.key, "gpt-4", `a prompt of some length ${i}`)).status).toBe(200);
    } finally {
      clock.set(T0);
    }
  });

  it("a LiteLLM key field the stand-in does not implement is refused, not dropped", async () => {
    const res = await fetch(`${server.url}/key/generate`, { method: "POST", headers: { Authorization: `Bearer ${MASTER}` }, body: JSON.stringify({ key_alias: "ff-704", max_parallel_requests: 2 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe("max_parallel_requests");
  });

  it("answers carry x-litellm-* cost headers that match the spend row", async () => {
    const client = clientFor(server.url);
    const k = await client.generateKey({ key_alias: "ff-705", metadata: meta("705") });
    const res = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${k.key}` },
      body: JSON.stringify({ model: "claude-3-sonnet", messages: [{ role: "user", content: "headers please" }] }),
    });
    const body = (await res.json()) as { id: string };
    expect(res.headers.get("x-litellm-call-id")).toBe(body.id);
    expect(res.headers.get("x-litellm-version")).toBe("1.110.2");
    const rows = await client.spendLogs({ startDate: new Date(T0 - 1000), endDate: new Date(T0 + 1000), apiKey: k.key });
    expect(rows.data).toHaveLength(1);
    expect(Number(res.headers.get("x-litellm-response-cost"))).toBe(rows.data[0]!.spend);
    expect(Number(res.headers.get("x-litellm-response-cost-input")) + Number(res.headers.get("x-litellm-response-cost-output"))).toBeCloseTo(rows.data[0]!.spend, 12);
    expect(Number(res.headers.get("x-litellm-key-spend"))).toBe(rows.data[0]!.spend);
  });

  it("the master key may call chat routes; its spend row is logged under LiteLLM's master-key alias", async () => {
    const r = await chat(server.url, MASTER, "gpt-4", "as admin");
    expect(r.status).toBe(200);
    const page = (await (
      await fetch(`${server.url}/spend/logs/v2?start_date=2026-03-01&end_date=2026-03-02&api_key=litellm_proxy_master_key`, { headers: { Authorization: `Bearer ${MASTER}` } })
    ).json()) as { data: Array<{ request_id: string; user: string; metadata: { user_api_key_alias: string | null } }> };
    expect(page.data.map((row) => [row.request_id, row.user, row.metadata.user_api_key_alias])).toEqual([[r.body["id"], "default_user_id", null]]);
  });

  it("stream: true answers Server-Sent Events, usage in the last chunk with include_usage, and a spend row as for other calls", async () => {
    const client = clientFor(server.url);
    const k = await client.generateKey({ key_alias: "ff-706", metadata: meta("706") });
    const plain = await chat(server.url, k.key, "gpt-4", "stream this");
    const s = await streamChat(server.url, k.key, "gpt-4", "stream this", true);
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toBe("text/event-stream");
    expect(s.events.at(-1)).toBe("[DONE]");
    const chunks = s.events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; choices: Array<{ delta: { content?: string; role?: string }; finish_reason: string | null }>; usage?: Record<string, number> });
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toEqual(plain.body["usage"]);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join("");
    expect(text).toBe((plain.body["choices"] as Array<{ message: { content: string } }>)[0]!.message.content);

    const noUsage = await streamChat(server.url, k.key, "gpt-4", "no usage chunk", false);
    expect(noUsage.events.slice(0, -1).some((e) => "usage" in (JSON.parse(e) as object))).toBe(false);

    const rows = await client.spendLogs({ startDate: new Date(T0 - 1000), endDate: new Date(T0 + 1000), apiKey: k.key });
    expect(rows.data).toHaveLength(3);
    expect(rows.data.filter((r) => r.total_tokens === (plain.body["usage"] as { total_tokens: number }).total_tokens)).toHaveLength(2);
  });
});
