import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelay, LiteLLMAdminClient, LiteLLMError } from "../../src/litellm";
import { MASTER } from "./litellm-helpers";

const HASH = "a".repeat(64);
const GOOD_INFO = { key: HASH, info: { key_alias: "ff-1", spend: 0, models: [], metadata: {}, blocked: null } };

type Reply = { status: number; body: string };

/** A scripted stand-in for LiteLLM: answers the n-th call with script(n). */
async function scripted(script: (call: number) => Reply): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls++;
    req.resume();
    const r = script(calls);
    res.writeHead(r.status, { "content-type": "application/json" });
    res.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    calls: () => calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function client(url: string, delays: number[] = []) {
  return new LiteLLMAdminClient({
    env: { LITELLM_MASTER_KEY: MASTER },
    baseUrl: url,
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 },
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
  });
}

describe("retries", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it("retries a 5xx twice, then succeeds (3 calls, growing backoff)", async () => {
    const s = await scripted((n) =>
      n <= 2
        ? { status: 503, body: JSON.stringify({ error: { message: "db down", type: "internal_server_error", param: "None", code: "503" } }) }
        : { status: 200, body: JSON.stringify(GOOD_INFO) },
    );
    close = s.close;
    const delays: number[] = [];
    const info = await client(s.url, delays).keyInfo(HASH);
    expect(info.key_alias).toBe("ff-1");
    expect(s.calls()).toBe(3);
    expect(delays).toEqual([50, 100]); // full jitter at random()=0.5 of 100, 200
  });

  it("does not retry a 4xx (one call) and keeps LiteLLM's type and status", async () => {
    const s = await scripted(() => ({
      status: 404,
      body: JSON.stringify({ error: { message: "Key not found in database", type: "not_found_error", param: "key", code: "404" } }),
    }));
    close = s.close;
    const err = await client(s.url).keyInfo(HASH).catch((e: unknown) => e);
    expect(s.calls()).toBe(1);
    expect(err).toBeInstanceOf(LiteLLMError);
    expect(err).toMatchObject({ kind: "http", status: 404, type: "not_found_error", code: "404" });
  });

  it("gives up after maxAttempts on a server that keeps failing", async () => {
    const s = await scripted(() => ({ status: 500, body: "<html>bad gateway</html>" }));
    close = s.close;
    const err = await client(s.url).keyInfo(HASH).catch((e: unknown) => e);
    expect(s.calls()).toBe(4);
    expect(err).toMatchObject({ kind: "http", status: 500, type: undefined, message: expect.stringContaining("(body is not a LiteLLM error object)") });
    expect((err as Error).message).not.toContain("bad gateway");
  });

  it("repeats a short plain-text refusal (Starlette's), never markup, a long body or control characters", async () => {
    const answers = ["Internal Server Error", "<b>Internal</b>", "x".repeat(201), "line\u001b[31m"];
    let i = 0;
    const s = await scripted(() => ({ status: 404, body: answers[i++] ?? "" }));
    close = s.close;
    const messages: string[] = [];
    for (let k = 0; k < answers.length; k++) messages.push(((await client(s.url).keyInfo(HASH).catch((e: unknown) => e)) as Error).message);
    expect(messages[0]).toBe("LiteLLM /key/info failed with HTTP 404: Internal Server Error");
    for (const m of messages.slice(1)) expect(m).toMatch(/HTTP 404 \(body is not a LiteLLM error object\)$/);
  });

  it("retries network errors (connection refused) and reports kind network", async () => {
    const s = await scripted(() => ({ status: 200, body: "{}" }));
    const url = s.url;
    await s.close();
    const delays: number[] = [];
    const err = await client(url, delays).keyInfo(HASH).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "network" });
    expect(delays).toHaveLength(3);
  });

  it("backoff is bounded and jittered", () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(backoffDelay(0, policy, () => 0.999)).toBeLessThan(100);
    expect(backoffDelay(20, policy, () => 0.999)).toBeLessThan(1_000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
});

describe("hostile response bodies", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  const cases: Array<[string, string]> = [
    ["not JSON", "{{{"],
    ["an array", "[]"],
    ["info missing", JSON.stringify({ key: HASH })],
    ["spend as a string", JSON.stringify({ key: HASH, info: { ...GOOD_INFO.info, spend: "12" } })],
    ["negative spend", JSON.stringify({ key: HASH, info: { ...GOOD_INFO.info, spend: -1 } })],
    ["models not strings", JSON.stringify({ key: HASH, info: { ...GOOD_INFO.info, models: [1] } })],
  ];
  for (const [name, body] of cases) {
    it(`a 200 with ${name} is a clear invalid_response error, not retried`, async () => {
      const s = await scripted(() => ({ status: 200, body }));
      close = s.close;
      const err = await client(s.url).keyInfo(HASH).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LiteLLMError);
      expect(err).toMatchObject({ kind: "invalid_response" });
      expect(s.calls()).toBe(1);
    });
  }

  it("rejects spend-log rows whose token counts do not add up", async () => {
    const row = {
      request_id: "r1", call_type: "acompletion", api_key: HASH, spend: 0.1, prompt_tokens: 5, completion_tokens: 5,
      total_tokens: 11, startTime: "2026-03-01T00:00:00Z", endTime: "2026-03-01T00:00:01Z", model: "gpt-4", metadata: {},
    };
    const s = await scripted(() => ({ status: 200, body: JSON.stringify({ data: [row], total: 1, page: 1, page_size: 100, total_pages: 1 }) }));
    close = s.close;
    const err = await client(s.url).getKeyUsage(HASH, new Date("2026-02-01"), new Date("2026-03-02")).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "invalid_response" });
    expect(String((err as Error).message)).toContain("total_tokens");
  });

  it("refuses a generate answer whose token is not the hash of the key", async () => {
    const s = await scripted(() => ({ status: 200, body: JSON.stringify({ key: "sk-other", token: HASH, key_alias: "ff-1" }) }));
    close = s.close;
    const err = await client(s.url)
      .generateKey({ key_alias: "ff-1", metadata: { subscription_id: "1", customer: "c", provider: "p" } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "invalid_response" });
  });

  it("caps the size of a response body", async () => {
    const s = await scripted(() => ({ status: 200, body: JSON.stringify({ key: HASH, info: { ...GOOD_INFO.info, pad: "x".repeat(5000) } }) }));
    close = s.close;
    const small = new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: s.url, maxResponseBytes: 1000 });
    await expect(small.keyInfo(HASH)).rejects.toMatchObject({ kind: "invalid_response" });
  });
});

describe("configuration", () => {
  it("reads the master key from the environment only, and refuses to run without it", () => {
    expect(() => new LiteLLMAdminClient({ env: {} })).toThrow(/LITELLM_MASTER_KEY/);
    expect(() => new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER, LITELLM_URL: "ftp://x" } })).toThrow(/http/);
  });
});
