import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aliasFor, hashKey, newRawKey, parseAlias, rotateKey, type LiteLLMAdminClient } from "../../src/litellm";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { chat, clientFor, meta, startServer } from "./litellm-helpers";

describe("rotation aliases", () => {
  it("names generations ff-<id> and ff-<id>-r<n> and parses them back", () => {
    expect(aliasFor("42")).toBe("ff-42");
    expect(aliasFor("42", 3)).toBe("ff-42-r3");
    expect(parseAlias("ff-42")).toEqual({ subscriptionId: "42", generation: 0 });
    expect(parseAlias("ff-42-r12")).toEqual({ subscriptionId: "42", generation: 12 });
    expect(parseAlias("team-42")).toBeNull();
    expect(parseAlias("ff-42-r0")).toBeNull();
    expect(() => aliasFor("4-2")).toThrow();
  });
});

describe("rotateKey against the local server", () => {
  let server: LiteLLMServerHandle;
  let client: LiteLLMAdminClient;

  beforeEach(async () => {
    server = await startServer();
    client = clientFor(server.url);
  });
  afterEach(async () => server.stop());

  it("keeps a working key at every moment while requests run concurrently", async () => {
    const first = await client.generateKey({ key_alias: "ff-9", models: ["gpt-4"], max_budget: 10, metadata: meta("9") });
    // The customer's view: the key they hold now, switched when the new key is delivered.
    let held = first.key;
    let stop = false;
    const ticks: Array<{ anyOk: boolean }> = [];
    const candidates = new Set<string>([first.key]);
    const prober = (async () => {
      while (!stop) {
        const keys = [...candidates];
        const results = await Promise.all(keys.map((k) => chat(server.url, k, "gpt-4", "probe")));
        ticks.push({ anyOk: results.some((r) => r.status === 200) });
      }
    })();
    let served = 0;
    const traffic = (async () => {
      while (!stop) if ((await chat(server.url, held, "gpt-4", "work")).status === 200) served++;
      return served;
    })();

    // Rotate only once the old key has spent something (a loaded machine may need more than 30 ms).
    while (served === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 30));
    const result = await rotateKey(client, {
      currentAlias: "ff-9",
      onNewKey: async (created) => {
        candidates.add(created.key);
        held = created.key; // delivered: the customer switches before the old key goes
        await new Promise((r) => setTimeout(r, 30));
      },
    });
    candidates.delete(first.key);
    await new Promise((r) => setTimeout(r, 30));
    stop = true;
    await prober;
    await traffic;

    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks.every((t) => t.anyOk)).toBe(true);
    expect(served).toBeGreaterThan(0);
    expect(result.created.key_alias).toBe("ff-9-r1");
    expect(result.oldToken).toBe(first.token);
    expect((await chat(server.url, first.key, "gpt-4", "old")).status).toBe(401);
    expect((await chat(server.url, result.created.key, "gpt-4", "new")).status).toBe(200);
    const info = await client.keyInfo(result.created.token);
    expect(info.metadata).toMatchObject({ subscription_id: "9", generation: 1, rotated_from: "ff-9" });
    expect(info.models).toEqual(["gpt-4"]);
    // The new key gets what is left of the budget, not a fresh one.
    expect(info.max_budget).toBeLessThan(10);
  });

  it("keeps both keys when the switch-over fails, and a re-run with the same raw key completes", async () => {
    const first = await client.generateKey({ key_alias: "ff-11", metadata: meta("11") });
    const raw = newRawKey();
    const failed = await rotateKey(client, {
      currentAlias: "ff-11",
      newRawKey: raw,
      onNewKey: async () => {
        throw new Error("Flow transaction failed");
      },
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((await chat(server.url, first.key, "gpt-4", "x")).status).toBe(200);
    expect((await chat(server.url, raw, "gpt-4", "x")).status).toBe(200);

    // The retry meets "alias already exists", recognises its own key, and finishes.
    const done = await rotateKey(client, { currentAlias: "ff-11", newRawKey: raw });
    expect(done.created.token).toBe(hashKey(raw));
    expect((await chat(server.url, first.key, "gpt-4", "x")).status).toBe(401);
    expect((await chat(server.url, raw, "gpt-4", "x")).status).toBe(200);
  });

  it("generateKey is idempotent for a given raw key (a lost response is recovered)", async () => {
    const raw = newRawKey();
    const a = await client.generateKey({ key_alias: "ff-12", key: raw, metadata: meta("12") });
    const b = await client.generateKey({ key_alias: "ff-12", key: raw, metadata: meta("12") });
    expect(b).toMatchObject({ key: raw, token: a.token, key_alias: "ff-12" });
    // Another key under a taken alias is still refused.
    await expect(client.generateKey({ key_alias: "ff-12", metadata: meta("12") })).rejects.toMatchObject({ status: 400 });
  });
});
