/**
 * Hostile clients against the key service on the emulator (issue 15, items 1, 4, 7, 8, 9): a
 * challenge flood, cross-origin pages, malformed proofs that must not spend a nonce or touch
 * /health, concurrent rotations, a wrong encryption key, a journal from another chain.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { KeyService, KeyServiceConfigError, keyServiceOptionsFromEnv, KeyCustodyError } from "../../src/keys";
import { Journal } from "../../src/keys/journal";
import { ChallengeStore, ChallengeLimitError } from "../../src/keys/http/challenges";
import { hashKey } from "../../src/litellm";
import { runScript, type KeySigner } from "../../src/flow/runtime";
import { subscriptionsGetSubscription } from "../../src/flow/generated/scripts";
import {
  attached,
  captureConsole,
  challenge,
  chat,
  createSub,
  ENCRYPTION_KEY,
  keyEventsOnFlow,
  levelOf,
  logLines,
  newCustomer,
  post,
  proven,
  signUserMessage,
  startService,
  startStack,
  type Stack,
} from "../emulator/key-service-helpers";
import { waitFor } from "../../src/local/wait";

const PAGE = "http://127.0.0.1:3003";

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs JSON from a chosen loopback source address (the whole of 127.0.0.0/8 is this machine),
 * so one test can be several clients.
 */
function postFrom(agent: http.Agent, url: string, localAddress: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const data = JSON.stringify(body);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, localAddress, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data), ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

/** Sends `total` requests, `concurrency` at a time; counts answers by status. */
async function flood(total: number, concurrency: number, send: (i: number) => Promise<Answer>, onAnswer: (a: Answer) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) onAnswer(await send(next++));
    }),
  );
}

describe("the key service under hostile clients", () => {
  let stack: Stack;
  let victim: KeySigner;
  let flooder: KeySigner;
  let service: KeyService;
  let victimSub: string;
  let flooderSub: string;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  beforeAll(async () => {
    captureConsole();
    stack = await startStack();
    [victim, flooder] = [await newCustomer(stack), await newCustomer(stack)];
    victimSub = await createSub(stack, victim);
    flooderSub = await createSub(stack, flooder);
    service = await startService(stack, { http: { port: 0, corsOrigins: [PAGE] } });
    await waitFor("both keys attached", () => attached(service, victimSub) && attached(service, flooderSub));
  }, 240_000);

  afterAll(async () => {
    agent.destroy();
    await service?.stop();
    await stack?.stop();
  });

  it("a flood of 12,000 anonymous challenge requests from one client gets 429 with Retry-After, never a 500, and locks out no other customer", async () => {
    const counts = new Map<number, number>();
    const retryAfter: number[] = [];
    const errorsBefore = logLines.filter((l) => levelOf(l) === "error").length;
    const ids = [victimSub, flooderSub];
    await flood(
      12_000,
      48,
      (i) => postFrom(agent, `${service.url}/v1/challenge`, "127.0.0.3", { subscriptionId: ids[i % 2], action: ["reveal", "usage", "rotate"][i % 3] }),
      (a) => {
        counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
        if (a.status === 429) retryAfter.push(Number(a.headers["retry-after"]));
      },
    );
    expect(counts.get(500) ?? 0).toBe(0);
    // One client holds at most 32 open challenges (8 per subscription), whatever it sends.
    expect(counts.get(200)).toBe(16);
    expect(counts.get(429)).toBe(12_000 - 16);
    expect(retryAfter.every((s) => Number.isInteger(s) && s >= 1 && s <= 300)).toBe(true);
    expect(service.challenges.size).toBeLessThanOrEqual(32);
    // The victim, another client, proves and reveals as if nothing happened.
    const reveal = await proven(service, victim, victimSub, "reveal");
    expect(reveal.status, JSON.stringify(reveal.body)).toBe(200);
    expect(await chat(stack, String(reveal.body["key"]))).toBe(200);
    // Refusals are answers, not incidents: nothing logged as an error, health untouched.
    expect(logLines.filter((l) => levelOf(l) === "error").length).toBe(errorsBefore);
    expect(service.health().lastError).toBeNull();
  }, 120_000);

  it("a client flooding one subscription holds at most 8 of its challenges; the customer of that subscription still gets one", async () => {
    const statuses: number[] = [];
    await flood(200, 8, () => postFrom(agent, `${service.url}/v1/challenge`, "127.0.0.5", { subscriptionId: victimSub, action: "usage" }), (a) => statuses.push(a.status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses.filter((s) => s === 429)).toHaveLength(192);
    const usage = await proven(service, victim, victimSub, "usage");
    expect(usage.status, JSON.stringify(usage.body)).toBe(200);
  });

  it("a flooder forging X-Forwarded-For per request is still one client (no proxy is trusted)", async () => {
    const statuses: number[] = [];
    await flood(
      100,
      4,
      (i) => postFrom(agent, `${service.url}/v1/challenge`, "127.0.0.6", { subscriptionId: flooderSub, action: "reveal" }, { "x-forwarded-for": `10.0.${i}.1` }),
      (a) => statuses.push(a.status),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
  });

  it("a table filled by many clients answers 429 with Retry-After, never an error", () => {
    let now = 0;
    const store = new ChallengeStore(60_000, () => now, "test", { total: 100 });
    for (let i = 0; i < 100; i++) store.issue(String(i % 7), "usage", `10.0.0.${i}`);
    now = 15_000;
    let refusal: unknown;
    try {
      store.issue("1", "usage", "10.9.9.9");
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(ChallengeLimitError);
    expect((refusal as ChallengeLimitError).retryAfterSeconds).toBe(45);
    now = 60_001; // all expired: room again
    expect(store.issue("1", "usage", "10.9.9.9").nonce).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a page from another origin gets no CORS grant, on reveal or anywhere; only the configured page does", async () => {
    const ask = async (origin: string, method = "POST") =>
      fetch(`${service.url}/v1/challenge`, {
        method,
        headers: { origin, "content-type": "application/json", "access-control-request-method": "POST" },
        body: method === "POST" ? JSON.stringify({ subscriptionId: victimSub, action: "reveal" }) : undefined,
      });
    for (const method of ["OPTIONS", "POST"]) {
      expect((await ask("https://evil.example", method)).headers.get("access-control-allow-origin"), method).toBeNull();
      expect((await ask(PAGE, method)).headers.get("access-control-allow-origin"), method).toBe(PAGE);
    }
    const reveal = await fetch(`${service.url}/v1/keys/reveal`, { method: "POST", headers: { origin: "https://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(reveal.headers.get("access-control-allow-origin")).toBeNull();
    // The default is no origin at all, and "*" cannot be configured.
    const env = { FLAREFLOW_PROVIDER_ADDRESS: stack.provider.address, FLAREFLOW_PROVIDER_PRIVATE_KEY: stack.provider.privateKey, FLAREFLOW_KEY_ENCRYPTION_KEY: randomBytes(32).toString("hex"), LITELLM_MASTER_KEY: "sk-x" };
    expect(keyServiceOptionsFromEnv(env).http?.corsOrigins).toEqual([]);
    expect(() => keyServiceOptionsFromEnv({ ...env, FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "*" })).toThrow(KeyServiceConfigError);
    expect(() => keyServiceOptionsFromEnv({ ...env, FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "*" })).toThrow(/"\*" is not an origin/);
  });

  it("a signature keyId above 2^32 is a 400 that spends no nonce", async () => {
    const c = await challenge(service, victimSub, "reveal");
    const signatures = signUserMessage(victim, c.messageHex);
    const bad = await post(service, "/v1/keys/reveal", { subscriptionId: victimSub, nonce: c.nonce, signatures: signatures.map((s) => ({ ...s, keyId: 2 ** 32 })) });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(String((bad.body["error"] as { message: string }).message)).toMatch(/keyId must be an account key index/);
    // The same nonce still works with the right signature.
    const good = await post(service, "/v1/keys/reveal", { subscriptionId: victimSub, nonce: c.nonce, signatures });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    // The largest key index is checked on Flow and refused as a bad signature, not a 500.
    const top = await challenge(service, victimSub, "reveal");
    const last = await post(service, "/v1/keys/reveal", { subscriptionId: victimSub, nonce: top.nonce, signatures: signUserMessage(victim, top.messageHex).map((s) => ({ ...s, keyId: 2 ** 32 - 1 })) });
    expect(last).toMatchObject({ status: 401, body: { error: { code: "bad_signature" } } });
  });

  it("usage dates in year 1 or year 10000 are a 400 that spends no nonce and leaves /health untouched", async () => {
    const before = service.health().lastError;
    for (const dates of [{ startDate: "0001-01-01T00:00:00Z" }, { endDate: "+010000-01-01T00:00:00.000Z" }, { startDate: "1969-12-31T23:59:59Z" }]) {
      const c = await challenge(service, victimSub, "usage");
      const signatures = signUserMessage(victim, c.messageHex);
      const bad = await post(service, "/v1/usage", { subscriptionId: victimSub, nonce: c.nonce, signatures, ...dates });
      expect(bad, JSON.stringify(dates)).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
      const good = await post(service, "/v1/usage", { subscriptionId: victimSub, nonce: c.nonce, signatures });
      expect(good.status, JSON.stringify(good.body)).toBe(200);
    }
    expect(service.health().lastError).toEqual(before);
    expect(JSON.stringify(service.health())).not.toMatch(/0001-01-01|10000|1969/);
  });

  it("concurrent rotations: each request makes exactly one rotation and is answered with the key it made", async () => {
    const rotatedBefore = (await keyEventsOnFlow(stack)).rotated.get(victimSub) ?? 0;
    const answers = await Promise.all([0, 1, 2].map(() => proven(service, victim, victimSub, "rotate")));
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    const generations = answers.map((a) => Number(a.body["generation"]));
    expect(new Set(generations).size).toBe(3);
    expect((await keyEventsOnFlow(stack)).rotated.get(victimSub)).toBe(rotatedBefore + 3);
    // Each answer is its own key; the last one made is the one Flow carries and LiteLLM serves.
    const last = answers[generations.indexOf(Math.max(...generations))]!;
    for (const a of answers) expect(a.body["keyHash"]).toBe(hashKey(String(a.body["key"])));
    expect((await runScript(stack.ctx, subscriptionsGetSubscription, { id: victimSub }))?.keyHash).toBe(last.body["keyHash"]);
    await waitFor("superseded keys deleted", () => !service.health().pending.includes(victimSub));
    for (const a of answers) expect(await chat(stack, String(a.body["key"]))).toBe(a === last ? 200 : 401);
  }, 120_000);

  it("a wrong encryption key is refused at start with a clear message, not found later at a reveal", async () => {
    await service.stop();
    let refusal: unknown;
    try {
      await startService(stack, { encryptionKey: randomBytes(32) });
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(KeyCustodyError);
    expect((refusal as Error).message).toMatch(/key-service\.jsonl:1: FLAREFLOW_KEY_ENCRYPTION_KEY is not the key this journal was written with/);
    service = await startService(stack, { encryptionKey: ENCRYPTION_KEY, http: { port: 0, corsOrigins: [PAGE] } });
    expect((await proven(service, victim, victimSub, "reveal")).status).toBe(200);
  });

  it("a journal whose cursor lies beyond the chain's head (another chain, a reset emulator) is refused at start with its file and line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-other-chain-"));
    try {
      const { journal } = Journal.open(dir, ENCRYPTION_KEY);
      journal.append({ cursor: { height: 10_000_000, last: null } });
      journal.close();
      await expect(startService(stack, { stateDir: dir })).rejects.toThrow(/key-service\.jsonl:2: the journal's cursor is at height 10000000, but the chain's sealed head is \d+/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
