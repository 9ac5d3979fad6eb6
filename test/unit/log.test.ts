import { describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { logStage } from "../../src/connector/log";
import { containsSecret } from "../../src/redact";
import { captureLog } from "../log-capture";

// Attack tests: each logs a secret the way a careless call site could, and reads the line written.
const VIRTUAL_KEY = "sk-4qDsrSYbLZmU3KoPsKo5IQ";
const MASTER_KEY = "master-without-prefix-7f3a9c";
const PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const DB_PASSWORD = "pg-pass-Zq81x";
const ENCRYPTION_KEY = "4bd1e1b2a9f0c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c";

function assertNoSecret(lines: string[], secrets: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(containsSecret(line), line).toBe(false);
    for (const s of secrets) expect(line, `${s} in ${line}`).not.toContain(s.replace(/^0x/, ""));
  }
}

describe("the shared logger (src/log.ts)", () => {
  it("writes one JSON object per line: level name, service, time, message and fields", () => {
    const { logger, records } = captureLog("connector");
    logger.info({ window: "7", stage: "published" }, "window 7: published");
    logger.warn("slow");
    expect(records()).toEqual([
      expect.objectContaining({ level: "info", service: "connector", window: "7", stage: "published", msg: "window 7: published", time: expect.any(String) }),
      expect.objectContaining({ level: "warn", service: "connector", msg: "slow" }),
    ]);
  });

  it("redacts secret fields by name, at the top and nested in a logged config", () => {
    const { logger, lines } = captureLog("connector");
    logger.info({ password: DB_PASSWORD, masterKey: MASTER_KEY, key: VIRTUAL_KEY }, "top level");
    logger.info(
      {
        config: {
          evm: { rpcUrl: "http://127.0.0.1:8545", privateKey: PRIVATE_KEY },
          oracles: { privateKeys: [PRIVATE_KEY] },
          flare: { verifierApiKey: "verifier-api-key-123", daApiKey: "da-api-key-456" },
          litellm: { database: { host: "db", user: "reader", password: DB_PASSWORD } },
        },
        headers: { authorization: "Basic dXNlcjpwYXNz" },
        encryptionKey: ENCRYPTION_KEY,
      },
      "config",
    );
    assertNoSecret(lines, [DB_PASSWORD, MASTER_KEY, VIRTUAL_KEY, PRIVATE_KEY, "verifier-api-key-123", "da-api-key-456", "dXNlcjpwYXNz", ENCRYPTION_KEY]);
    expect(lines.join("\n")).toContain("[REDACTED]");
    expect(lines[1]).toContain("http://127.0.0.1:8545");
  });

  it("scrubs keys, bearer tokens and URL passwords out of messages and errors", () => {
    const { logger, lines } = captureLog("litellm");
    logger.error(`LiteLLM said: Key ${VIRTUAL_KEY} not found (you sent Authorization: Bearer tok.en-123)`);
    logger.error({ err: new Error(`connect to postgres://reader:${DB_PASSWORD}@db:5432/litellm failed with ${VIRTUAL_KEY}`) }, "spend logs unreadable");
    logger.warn({ url: `postgresql://reader:${DB_PASSWORD}@db/litellm?sslmode=require` }, "reading");
    assertNoSecret(lines, [VIRTUAL_KEY, "tok.en-123", DB_PASSWORD]);
    expect(lines[1]).toContain("postgres://reader:[REDACTED]@db:5432/litellm");
  });

  it("scrubs the exact secrets it was started with, wherever they appear", () => {
    const secrets = [MASTER_KEY, PRIVATE_KEY, ENCRYPTION_KEY, 'pass"with\\quote'];
    const { logger, lines } = captureLog("key-service", { secrets });
    logger.info(`master key is ${MASTER_KEY}`);
    logger.warn({ detail: { note: `signer ${PRIVATE_KEY.slice(2)} and ${PRIVATE_KEY}` } }, "odd field name");
    logger.error({ err: new Error(`journal key ${ENCRYPTION_KEY} rejected`) }, "journal");
    logger.info({ text: 'pass"with\\quote' }, 'quoted pass"with\\quote');
    assertNoSecret(lines, [MASTER_KEY, PRIVATE_KEY, ENCRYPTION_KEY, 'pass\\"with\\\\quote']);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it("leaves public values readable: transaction hashes, addresses, oracle signatures", async () => {
    const { logger, records } = captureLog("connector", { secrets: [PRIVATE_KEY] });
    const signature = await new Wallet(PRIVATE_KEY).signMessage("digest");
    const tx = `0x${"ab".repeat(32)}`;
    logger.info({ tx, signature, signer: new Wallet(PRIVATE_KEY).address }, "signed");
    expect(records()[0]).toMatchObject({ tx, signature, signer: new Wallet(PRIVATE_KEY).address });
  });

  it("writes nothing below its level", () => {
    const { logger, lines } = captureLog("litellm", { level: "warn" });
    logger.debug(`debug ${VIRTUAL_KEY}`);
    logger.info("info");
    expect(lines).toEqual([]);
  });

  it("gives the connector's stage lines window, stage and the stage's fields (what bench-scale reads)", () => {
    const { logger, records } = captureLog("connector");
    const tx = `0x${"cd".repeat(32)}`;
    logStage(logger, 5_912_345n, "requested", { round: 1234, tx, fee: 1_000_000_000_000_000_000n, found: undefined });
    logStage(logger, 5_912_345n, "settled", { round: 1234, flowTxs: ["aa", "bb"] });
    expect(records()).toEqual([
      expect.objectContaining({ level: "info", window: "5912345", stage: "requested", round: 1234, tx, fee: "1000000000000000000", msg: "window 5912345: requested" }),
      expect.objectContaining({ window: "5912345", stage: "settled", flowTxs: ["aa", "bb"] }),
    ]);
    expect(records()[0]).not.toHaveProperty("found");
  });
});
