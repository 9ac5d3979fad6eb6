import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { containsSecret, LiteLLMAdminClient, LiteLLMError, redactSecrets } from "../../src/litellm";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { captureLogger, chat, clientFor, MASTER, meta, startServer } from "./litellm-helpers";

describe("redactSecrets", () => {
  it("removes sk- keys, abbreviated keys and bearer credentials", () => {
    const text = `Key sk-4qDsrSYbLZmU3KoPsKo5IQ not found; param sk-...c817; header Authorization: Bearer abc.def`;
    const out = redactSecrets(text);
    expect(out).not.toMatch(/sk-[A-Za-z0-9.]/);
    expect(out).toContain("sk-[REDACTED]");
    expect(out).toContain("Bearer [REDACTED]");
    expect(containsSecret(out)).toBe(false);
    expect(containsSecret(text)).toBe(true);
  });

  it("removes exact extra secrets that do not look like keys", () => {
    expect(redactSecrets("master=hunter2-very-secret", ["hunter2-very-secret"])).toBe("master=[REDACTED]");
  });
});

describe("no sk- string in errors or logs", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  function assertClean(err: unknown, lines: string[]) {
    expect(err).toBeInstanceOf(LiteLLMError);
    const e = err as LiteLLMError;
    for (const text of [e.message, String(e), e.stack ?? "", e.param ?? "", e.code ?? "", JSON.stringify(e), ...lines]) {
      expect(containsSecret(text), text).toBe(false);
      expect(text).not.toContain(MASTER);
    }
  }

  it("redacts keys a server echoes in error bodies, across retries", async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(503, { "content-type": "application/json" });
      const auth = String(req.headers["authorization"]);
      res.end(JSON.stringify({ error: { message: `Key sk-live-4qDsrSYbLZ not found. You sent ${auth}`, type: "auth_error", param: "sk-...bLZ", code: "503" } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    close = () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
    const { logger, lines } = captureLogger();
    const client = new LiteLLMAdminClient({
      env: { LITELLM_MASTER_KEY: MASTER },
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      logger,
      sleep: async () => undefined,
    });
    const err = await client.keyInfo("sk-live-4qDsrSYbLZ").catch((e: unknown) => e);
    expect(lines.length).toBeGreaterThan(3);
    assertClean(err, lines);
  });

  it("redacts in errors from the local server's refusals and in network errors", async () => {
    const server: LiteLLMServerHandle = await startServer();
    const { logger, lines } = captureLogger();
    const client = clientFor(server.url, { logger });
    const k = await client.generateKey({ key_alias: "ff-20", metadata: meta("20") });
    await client.blockKey(k.key);
    const refused = await chat(server.url, k.key, "gpt-4", "hi");
    expect(refused.status).toBe(401);
    const dup = await client.generateKey({ key_alias: "ff-20", metadata: meta("20") }).catch((e: unknown) => e);
    assertClean(dup, lines);
    await server.stop();
    const down = await client.keyInfo(k.key).catch((e: unknown) => e);
    expect(down).toMatchObject({ kind: "network" });
    assertClean(down, lines);
    // The raw key itself never reached a log line, even at debug level.
    expect(lines.join("\n")).not.toContain(k.key);
  });
});
