import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { countPromptTokens, countTextTokens } from "../../src/litellm-server";
import { chat, clientFor, errorOf, fixedClock, MASTER, meta, startServer, T0, usageOf } from "./litellm-helpers";

describe("local LiteLLM server", () => {
  const servers: LiteLLMServerHandle[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });
  async function start(opts: Parameters<typeof startServer>[0] = {}) {
    const s = await startServer(opts);
    servers.push(s);
    return s;
  }

  it("binds to 127.0.0.1 and answers the OpenAI shapes", async () => {
    const s = await start();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = clientFor(s.url);
    const k = await client.generateKey({ key_alias: "ff-30", models: ["gpt-4"], metadata: meta("30") });
    const models = (await (await fetch(`${s.url}/v1/models`, { headers: { Authorization: `Bearer ${k.key}` } })).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(["gpt-4"]);
    const all = (await (await fetch(`${s.url}/models`, { headers: { Authorization: `Bearer ${MASTER}` } })).json()) as { data: unknown[] };
    expect(all.data.length).toBe(4);
    const r = await chat(s.url, k.key, "gpt-4", "Two plus two?");
    expect(r.body).toMatchObject({ object: "chat.completion", model: "gpt-4" });
    const u = usageOf(r);
    expect(u.prompt_tokens).toBe(countPromptTokens([{ role: "user", content: "Two plus two?" }]));
    const content = (r.body["choices"] as Array<{ message: { content: string } }>)[0]!.message.content;
    expect(u.completion_tokens).toBe(countTextTokens(content));
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
  });

  it("admin endpoints take the master key only", async () => {
    const s = await start();
    const k = await clientFor(s.url).generateKey({ key_alias: "ff-31", metadata: meta("31") });
    for (const [auth, type] of [[undefined, "auth_error"], [`Bearer ${k.key}`, "auth_error"], ["Bearer sk-wrong", "token_not_found_in_db"]] as const) {
      const res = await fetch(`${s.url}/key/generate`, {
        method: "POST",
        headers: auth === undefined ? {} : { Authorization: auth },
        body: JSON.stringify({ key_alias: "x" }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe(type);
    }
    const spend = await fetch(`${s.url}/spend/logs/v2?start_date=2026-01-01%2000:00:00&end_date=2026-12-01%2000:00:00`, { headers: { Authorization: `Bearer ${k.key}` } });
    expect(spend.status).toBe(401);
  });

  it("refuses an expired key with expired_key, using the injected clock", async () => {
    const clock = fixedClock();
    const s = await start({ now: clock.now });
    const k = await clientFor(s.url).generateKey({ key_alias: "ff-32", duration: "1h", metadata: meta("32") });
    expect((await chat(s.url, k.key, "gpt-4", "hi")).status).toBe(200);
    clock.advance(3_600_001);
    const r = await chat(s.url, k.key, "gpt-4", "hi");
    expect(r.status).toBe(401);
    expect(errorOf(r).type).toBe("expired_key");
    expect(errorOf(r).message).toBe("Authentication Error - Expired Key. Key Expiry time 2026-03-01 13:00:00+00:00 and current time 2026-03-01 13:00:00.001000+00:00");
    expect(r.body["error"]).toMatchObject({ param: `sk-...${k.key.slice(-4)}`, code: "401" });
  });

  it("resets spend when budget_duration elapses", async () => {
    const clock = fixedClock();
    const s = await start({ now: clock.now });
    const client = clientFor(s.url);
    const k = await client.generateKey({ key_alias: "ff-33", max_budget: 0.0001, budget_duration: "1d", metadata: meta("33") });
    let r = await chat(s.url, k.key, "gpt-4", "a long enough prompt to spend the whole tiny budget at once");
    r = await chat(s.url, k.key, "gpt-4", "again");
    expect(errorOf(r).type).toBe("budget_exceeded");
    clock.advance(86_400_000);
    expect((await chat(s.url, k.key, "gpt-4", "next day")).status).toBe(200);
  });

  it("shows a request in spend logs only after the configured delay", async () => {
    const clock = fixedClock();
    const s = await start({ now: clock.now, spendLogDelayMs: 10_000 });
    const client = clientFor(s.url);
    const k = await client.generateKey({ key_alias: "ff-34", metadata: { ...meta("34"), spend_logs_metadata: { subscription_id: "34" } } });
    await chat(s.url, k.key, "claude-3-sonnet", "hi");
    const window = { startDate: new Date(T0 - 1000), endDate: new Date(T0 + 60_000), apiKey: k.key };
    clock.advance(9_999);
    expect((await client.spendLogs(window)).total).toBe(0);
    clock.advance(1);
    const page = await client.spendLogs(window);
    expect(page.total).toBe(1);
    expect(page.data[0]!.model).toBe("anthropic/claude-3-sonnet-20240229");
    expect(page.data[0]!.model_group).toBe("claude-3-sonnet");
    expect(page.data[0]!.metadata.spend_logs_metadata).toEqual({ subscription_id: "34" });
  });

  it("validates paging like LiteLLM (key/list size <= 100, spend page_size <= 1000) and requires both dates", async () => {
    const s = await start();
    const h = { Authorization: `Bearer ${MASTER}` };
    expect((await fetch(`${s.url}/key/list?size=101`, { headers: h })).status).toBe(422);
    expect((await fetch(`${s.url}/spend/logs/v2?start_date=2026-01-01&end_date=2026-01-02&page_size=1001`, { headers: h })).status).toBe(422);
    expect((await fetch(`${s.url}/spend/logs/v2?start_date=2026-01-01&end_date=2026-01-02&page_size=1000`, { headers: h })).status).toBe(200);
    expect((await fetch(`${s.url}/spend/logs/v2?start_date=2026-01-01T00:00:00Z&end_date=2026-01-02`, { headers: h })).status).toBe(400);
    expect((await fetch(`${s.url}/spend/logs/v2?start_date=2026-01-01%2000:00:00`, { headers: h })).status).toBe(400);
  });

  it("persists keys and spend logs across a restart, written atomically", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "litellm-state-"));
    const stateFile = path.join(dir, "state.json");
    const s1 = await startServer({ stateFile });
    const client1 = clientFor(s1.url);
    const k = await client1.generateKey({ key_alias: "ff-35", metadata: meta("35") });
    await chat(s1.url, k.key, "gpt-4", "before restart");
    await s1.stop();
    expect((await fs.readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const stored = await fs.readFile(stateFile, "utf8");
    // Only the hash is stored; the plaintext key never touches disk.
    expect(stored).toContain(k.token);
    expect(stored).not.toContain(k.key);

    const s2 = await startServer({ stateFile });
    const client2 = clientFor(s2.url);
    expect((await client2.keyInfo(k.token)).key_alias).toBe("ff-35");
    expect((await chat(s2.url, k.key, "gpt-4", "after restart")).status).toBe(200);
    const usage = await client2.getKeyUsage(k.key);
    expect(usage.usage_summary.total_requests).toBe(2);
    await s2.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
