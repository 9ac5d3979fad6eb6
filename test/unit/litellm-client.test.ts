import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashKey, LiteLLMError, type LiteLLMAdminClient } from "../../src/litellm";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { chat, clientFor, errorOf, fixedClock, meta, startServer, usageOf, type Clock } from "./litellm-helpers";

describe("LiteLLM admin client against the local server", () => {
  let server: LiteLLMServerHandle;
  let client: LiteLLMAdminClient;
  let clock: Clock;
  const DELAY = 10_000;

  beforeEach(async () => {
    clock = fixedClock();
    server = await startServer({ now: clock.now, spendLogDelayMs: DELAY });
    client = clientFor(server.url);
  });
  afterEach(async () => server.stop());

  it("generates a key whose token is the sha256 of the raw key, then reads it back", async () => {
    const created = await client.generateKey({
      key_alias: "ff-7",
      models: ["gpt-4", "gpt-3.5-turbo"],
      max_budget: 5,
      budget_duration: "30d",
      metadata: meta("7"),
    });
    expect(created.key.startsWith("sk-")).toBe(true);
    expect(created.token).toBe(hashKey(created.key));
    const info = await client.keyInfo(created.key);
    expect(info).toMatchObject({ key_alias: "ff-7", max_budget: 5, budget_duration: "30d", blocked: false, spend: 0 });
    expect(info.metadata).toMatchObject(meta("7"));
    expect(await client.findKeyByAlias("ff-7")).toMatchObject({ token: created.token });
  });

  it("refuses a duplicate alias with LiteLLM's 400", async () => {
    await client.generateKey({ key_alias: "ff-dup", metadata: meta("dup") });
    const err = await client.generateKey({ key_alias: "ff-dup", metadata: meta("dup") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiteLLMError);
    expect((err as LiteLLMError).status).toBe(400);
    expect((err as LiteLLMError).message).toContain("already exists");
  });

  it("chat → spend logs after the batch delay → getKeyUsage with exact sums", async () => {
    const k = await client.generateKey({ key_alias: "ff-1", models: ["gpt-4", "gpt-3.5-turbo"], metadata: meta("1") });
    const prompts: Array<[string, string]> = [
      ["gpt-4", "Summarise the escrow contract in one line."],
      ["gpt-4", "What is a Web2Json attestation?"],
      ["gpt-3.5-turbo", "hello"],
    ];
    const usages = [];
    for (const [model, content] of prompts) {
      const r = await chat(server.url, k.key, model, content);
      expect(r.status).toBe(200);
      usages.push({ model, ...usageOf(r) });
      clock.advance(1_000);
    }
    // Deterministic: the same prompt gives the same usage.
    const again = await chat(server.url, k.key, "gpt-3.5-turbo", "hello");
    expect(usageOf(again)).toEqual({ prompt_tokens: usages[2]!.prompt_tokens, completion_tokens: usages[2]!.completion_tokens, total_tokens: usages[2]!.total_tokens });
    usages.push({ model: "gpt-3.5-turbo", ...usageOf(again) });

    const window = { startDate: new Date(clock.now() - 3_600_000), endDate: new Date(clock.now() + 60_000) };
    // Before LiteLLM's batch write, nothing is visible.
    expect((await client.getKeyUsage(k.key, window.startDate, window.endDate)).usage_summary.total_requests).toBe(0);
    clock.advance(DELAY);
    const usage = await client.getKeyUsage(k.token, window.startDate, window.endDate);

    const totalTokens = usages.reduce((s, u) => s + u.total_tokens, 0);
    expect(usage.usage_summary.total_requests).toBe(4);
    expect(usage.usage_summary.total_tokens).toBe(totalTokens);
    expect(Object.keys(usage.model_breakdown).sort()).toEqual(["gpt-3.5-turbo", "gpt-4"]);
    expect(usage.model_breakdown["gpt-4"]).toMatchObject({ requests: 2, tokens: usages[0]!.total_tokens + usages[1]!.total_tokens });
    const gpt4Cost = usages.slice(0, 2).reduce((s, u) => s + u.prompt_tokens * 0.00003 + u.completion_tokens * 0.00006, 0);
    expect(usage.model_breakdown["gpt-4"]!.cost).toBeCloseTo(gpt4Cost, 9);
    const sumOfModels = Object.values(usage.model_breakdown).reduce((s, m) => s + m.cost, 0);
    expect(usage.usage_summary.total_cost).toBeCloseTo(sumOfModels, 9);
    expect(usage.daily_usage).toEqual([{ date: "2026-03-01", requests: 4, tokens: totalTokens, cost: usage.usage_summary.total_cost }]);
    expect(usage.recent_requests).toHaveLength(4);
    expect(usage.recent_requests[0]!.timestamp >= usage.recent_requests[3]!.timestamp).toBe(true);

    // The raw rows carry what LiteLLM logs: hashed key, alias, model group, tokens, times.
    const page = await client.spendLogs({ ...window, apiKey: k.key, pageSize: 2 });
    expect(page).toMatchObject({ total: 4, page: 1, page_size: 2, total_pages: 2 });
    const row = page.data[0]!;
    expect(row.api_key).toBe(k.token);
    expect(row.metadata.user_api_key_alias).toBe("ff-1");
    expect(row.metadata.user_api_key).toBe(k.token);
    expect(row.model_group).toBe("gpt-3.5-turbo");
    expect(row.total_tokens).toBe(row.prompt_tokens + row.completion_tokens);
    expect(Date.parse(row.endTime)).toBeGreaterThanOrEqual(Date.parse(row.startTime));
  });

  it("pages /key/list and iterates every key once", async () => {
    for (let i = 0; i < 7; i++) {
      clock.advance(1);
      await client.generateKey({ key_alias: `ff-${100 + i}`, metadata: meta(String(100 + i)) });
    }
    const first = await client.listKeys({ page: 1, size: 3 });
    expect(first).toMatchObject({ total_count: 7, current_page: 1, total_pages: 3 });
    expect(first.keys[0]!.key_alias).toBe("ff-106"); // newest first
    const all = [];
    for await (const k of client.iterateKeys({ size: 3 })) all.push(k.key_alias);
    expect(all.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `ff-${100 + i}`));
  });

  it("block refuses the key with LiteLLM's error; unblock restores it", async () => {
    const k = await client.generateKey({ key_alias: "ff-2", metadata: meta("2") });
    expect((await chat(server.url, k.key, "gpt-4", "hi")).status).toBe(200);
    const blocked = await client.blockKey(k.key);
    expect(blocked.blocked).toBe(true);
    const refused = await chat(server.url, k.key, "gpt-4", "hi");
    expect(refused.status).toBe(401);
    expect(errorOf(refused)).toMatchObject({ type: "auth_error", code: "401" });
    expect(errorOf(refused).message).toContain("Key is blocked");
    expect((await client.unblockKey(k.token)).blocked).toBe(false);
    expect((await chat(server.url, k.key, "gpt-4", "hi")).status).toBe(200);
  });

  it("update changes budget and models; delete by key and by alias", async () => {
    const a = await client.generateKey({ key_alias: "ff-3", models: ["gpt-4"], metadata: meta("3") });
    const b = await client.generateKey({ key_alias: "ff-4", metadata: meta("4") });
    await client.updateKey({ key: a.key, max_budget: 9, models: ["gpt-4", "claude-3-sonnet"] });
    expect(await client.keyInfo(a.token)).toMatchObject({ max_budget: 9, models: ["gpt-4", "claude-3-sonnet"] });

    expect(await client.deleteKeys({ keys: [a.key] })).toEqual({ deleted_keys: [a.token] });
    expect(await client.deleteKeys({ key_aliases: ["ff-4"] })).toEqual({ deleted_keys: ["ff-4"] });
    expect(await client.keyInfoOrNull(a.token)).toBeNull();
    const gone = await chat(server.url, b.key, "gpt-4", "hi");
    expect(gone.status).toBe(401);
    expect(errorOf(gone)).toMatchObject({ type: "token_not_found_in_db", message: "Authentication Error, Invalid API key provided." });
    const again = await client.deleteKeys({ keys: [a.token] }).catch((e: unknown) => e);
    expect(again).toMatchObject({ status: 404 });
  });

  it("budget exceeded is refused with type budget_exceeded (matched on type, not code)", async () => {
    const k = await client.generateKey({ key_alias: "ff-5", models: ["gpt-4"], max_budget: 0.0005, metadata: meta("5") });
    // The request that crosses the budget is served; the next one is refused.
    let last = await chat(server.url, k.key, "gpt-4", "spend spend spend");
    for (let i = 0; i < 20 && last.status === 200; i++) last = await chat(server.url, k.key, "gpt-4", `spend ${i}`);
    expect(last.status).toBe(422); // litellm.budget_exceeded_status_code in 1.110.2
    expect(errorOf(last).type).toBe("budget_exceeded");
    expect(errorOf(last).message).toContain("Budget has been exceeded");
    const info = await client.keyInfo(k.key);
    expect(info.spend).toBeGreaterThanOrEqual(0.0005);
  });

  it("a model outside the key's list is refused with key_model_access_denied", async () => {
    const k = await client.generateKey({ key_alias: "ff-6", models: ["gpt-3.5-turbo"], metadata: meta("6") });
    const r = await chat(server.url, k.key, "gpt-4", "hi");
    expect(r.status).toBe(403);
    expect(errorOf(r)).toMatchObject({
      type: "key_model_access_denied",
      message: "The requested model 'gpt-4' is not available for this API key, or the model name is invalid. Check the models available to you and try again.",
    });
    expect(r.body["error"]).toMatchObject({ param: "model", code: "403" });
  });
});
