/**
 * The database path against hostile input: wrong credentials, no server, no permission, rows
 * the API path would refuse, and strings that look like SQL. Every failure is a clear
 * ConnectorError that names the database without its password; no value ever becomes SQL text.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "../../src/connector/database-url";
import { ConnectorError } from "../../src/connector/errors";
import { DatabaseSpendSource } from "../../src/connector/spend-db";
import { ApiSpendSource, type SpendSource, type WindowQuery } from "../../src/connector/spend-source";
import { Windows } from "../../src/report";
import { LiteLLMAdminClient } from "../../src/litellm";
import { insertSpendLogs } from "../../src/litellm-server/database";
import { startLiteLLMServer, type LiteLLMServerHandle } from "../../src/litellm-server";
import type { SpendLogRecord } from "../../src/litellm-server/types";
import { freePort } from "../../src/local/ports";
import { DEFAULT_PRICING } from "../../src/pricing";
import { READER, spendRow, startSpendDatabase, type SpendDatabase } from "./helpers";

const MASTER = "sk-test-master-hostile";
const windows = new Windows(300);
const W = windows.of(Date.parse("2026-04-01T00:00:00Z"));

function query(window: bigint): WindowQuery {
  return { window, windows, lookback: 0, pricing: DEFAULT_PRICING, reported: () => new Set(), observed: () => undefined };
}

async function refusal(source: SpendSource, window: bigint): Promise<ConnectorError> {
  try {
    await source.read(query(window));
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error("the read succeeded");
}

describe("database path, hostile input", () => {
  let db: SpendDatabase;
  let logDir: string;
  let logFile: string;
  let litellm: LiteLLMServerHandle;
  let api: ApiSpendSource;

  beforeAll(async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-pglog-"));
    fs.chmodSync(logDir, 0o777);
    logFile = path.join(logDir, "server.log");
    // Every statement logged, with the client's application name: what reached the server as SQL.
    db = await startSpendDatabase({ logFile, settings: { log_statement: "all", log_line_prefix: "[%a] " } });
    litellm = await startLiteLLMServer({ masterKey: MASTER, spendLogDelayMs: 0 });
    api = new ApiSpendSource(new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: litellm.url, sleep: async () => undefined, retry: { maxAttempts: 1 } }), litellm.url);
  });

  afterAll(async () => {
    await litellm?.stop();
    await db?.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it("wrong password: a clear error naming the database, never a password", async () => {
    const wrong = "not-the-password-91f";
    const source = new DatabaseSpendSource(parseDatabaseUrl(`postgres://${READER.user}:${wrong}@127.0.0.1:${db.server.port}/postgres?sslmode=disable`));
    const error = await refusal(source, W);
    await source.close();
    expect(error.kind).toBe("unreachable");
    expect(error.message).toContain(`LiteLLM database at postgres://${READER.user}@127.0.0.1:${db.server.port}/postgres`);
    expect(error.message).toMatch(/password authentication failed/);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(READER.password);
  });

  it("no server listening: a clear error, retried at the next poll", async () => {
    const port = await freePort();
    const source = new DatabaseSpendSource(parseDatabaseUrl(`postgres://${READER.user}:${READER.password}@127.0.0.1:${port}/postgres?sslmode=disable`), { connectTimeoutSeconds: 2 });
    const error = await refusal(source, W);
    await source.close();
    expect(error.kind).toBe("unreachable");
    expect(error.message).toMatch(new RegExp(`LiteLLM database at postgres://${READER.user}@127.0.0.1:${port}/postgres: .*(ECONNREFUSED|connect)`));
    expect(error.message).not.toContain(READER.password);
  });

  it("a role that may not read the table, or a database without it: a clear error", async () => {
    await db.admin.unsafe(`CREATE ROLE no_grant LOGIN PASSWORD 'no-grant-pw'`);
    await db.admin.unsafe(`CREATE DATABASE empty_db`);
    for (const [url, message] of [
      [`postgres://no_grant:no-grant-pw@127.0.0.1:${db.server.port}/postgres?sslmode=disable`, /permission denied for table LiteLLM_SpendLogs/],
      [`postgres://${READER.user}:${READER.password}@127.0.0.1:${db.server.port}/empty_db?sslmode=disable`, /relation "LiteLLM_SpendLogs" does not exist/],
    ] as const) {
      const source = new DatabaseSpendSource(parseDatabaseUrl(url));
      const error = await refusal(source, W);
      await source.close();
      expect(error.kind).toBe("unreachable");
      expect(error.message).toMatch(message);
    }
  });

  const malformed: [string, (r: Omit<SpendLogRecord, "seq">) => Omit<SpendLogRecord, "seq">][] = [
    ["total_tokens not prompt + completion", (r) => ({ ...r, total_tokens: r.total_tokens + 1 })],
    ["negative token counts", (r) => ({ ...r, prompt_tokens: -5, completion_tokens: 5, total_tokens: 0 })],
    ["negative spend", (r) => ({ ...r, spend: -1 })],
    ["a key alias that is a number", (r) => ({ ...r, metadata: { ...r.metadata, user_api_key_alias: 7 } })],
    ["metadata that is an array", (r) => ({ ...r, metadata: [r.metadata] as unknown as Record<string, unknown> })],
  ];

  it.each(malformed.map(([what, change], i) => [what, change, i] as const))("a row with %s is refused on both paths", async (what, change, i) => {
    const window = W + 10n + BigInt(i);
    const good = spendRow({ id: `good-${i}`, alias: "ff-1", startMs: windows.startMs(window) + 10 });
    const bad = change(spendRow({ id: `bad-${i}`, alias: "ff-1", startMs: windows.startMs(window) + 20 }));
    litellm.loadSpendLogs([good, bad]);
    await insertSpendLogs(db.admin, [good, bad]);
    const source = new DatabaseSpendSource(db.readerUrl);
    const error = await refusal(source, window);
    await source.close();
    expect(error.kind, what).toBe("integrity");
    expect(error.message).toContain(`spend-log row "bad-${i}" is malformed`);
    expect(error.message).not.toContain(READER.password);
    // The API path refuses the same row (as a malformed LiteLLM answer).
    expect((await refusal(api, window)).message).toMatch(/malformed body/);
  });

  it("values that look like SQL stay data: every statement is constant text with bound parameters", async () => {
    const window = W + 40n;
    const start = windows.startMs(window);
    const marker = "ZZ_INJECTED_ZZ";
    const rows = [
      spendRow({ id: `x'); DROP TABLE "LiteLLM_SpendLogs"; -- ${marker}`, alias: "ff-5", startMs: start + 1, model: `m'; DELETE FROM "LiteLLM_SpendLogs"; -- ${marker}` }),
      spendRow({ id: "y", alias: `ff-6'); UPDATE "LiteLLM_SpendLogs" SET total_tokens = 0; -- ${marker}`, startMs: start + 2, modelGroup: `$1'::text; ${marker}` }),
      spendRow({ id: "z", alias: "ff-7", startMs: start + 3, modelGroup: `\\'; ${marker}`, tokens: [40, 2] }),
    ];
    litellm.loadSpendLogs(rows);
    await insertSpendLogs(db.admin, rows);
    const fromLog = fs.readFileSync(logFile, "utf8").length;
    const source = new DatabaseSpendSource(db.readerUrl);
    const read = await source.read(query(window));
    await source.close();
    const viaApi = await api.read(query(window));
    expect(read.lines).toEqual(viaApi.lines);
    expect(read.lines.map((l) => l.subscriptionId)).toEqual([5n, 7n]);
    expect(read.ignored.foreign).toBe(1);

    const ours = fs
      .readFileSync(logFile, "utf8")
      .slice(fromLog)
      .split("\n")
      .filter((l) => l.startsWith("[flareflow-connector] "));
    const statements = ours.filter((l) => /LOG: {2}(statement|execute [^:]*):/.test(l));
    expect(statements.length).toBeGreaterThanOrEqual(3);
    expect(statements.some((l) => /begin isolation level repeatable read read only/i.test(l))).toBe(true);
    for (const line of ours) expect(line).not.toContain(marker);
    // The parameters are the window's bounds (as timestamps) and two settings, nothing from a row.
    const values = ours.filter((l) => l.includes("DETAIL:  parameters:")).flatMap((l) => [...l.matchAll(/\$\d+ = '([^']*)'/g)].map((m) => m[1]));
    expect(values.length).toBeGreaterThanOrEqual(4);
    for (const v of values) expect(v).toMatch(/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}(:\d{2})?|\d+|256MB)$/);
    const [{ n }] = await db.admin<{ n: number }[]>`SELECT count(*)::int AS n FROM "LiteLLM_SpendLogs" WHERE "startTime" >= ${new Date(start).toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
    expect(n).toBe(3);
  });

  it("reads inside a read-only transaction, even with a role that could write", async () => {
    const window = W + 50n;
    const row = spendRow({ id: "ro-1", alias: "ff-8", startMs: windows.startMs(window) + 1 });
    await insertSpendLogs(db.admin, [row]);
    // A trigger-free way to see the transaction's mode: the superuser URL, and the server's log.
    const superuser = new DatabaseSpendSource(parseDatabaseUrl(`${db.server.url()}?sslmode=disable`));
    const fromLog = fs.readFileSync(logFile, "utf8").length;
    const read = await superuser.read(query(window));
    await superuser.close();
    expect(read.rows).toBe(1);
    const ours = fs.readFileSync(logFile, "utf8").slice(fromLog).split("\n").filter((l) => l.startsWith("[flareflow-connector] "));
    expect(ours.find((l) => /statement: begin/i.test(l))).toMatch(/begin isolation level repeatable read read only/i);
    expect(ours.some((l) => /\b(INSERT|UPDATE|DELETE|DROP|CREATE|ALTER|GRANT)\b/i.test(l))).toBe(false);
  });
});
