/**
 * The connector's two ways of reading a window — /spend/logs/v2 pages from the LiteLLM-compatible
 * server, and one grouped query on LiteLLM's PostgreSQL table — give the same report for the same
 * rows, window after window, as late rows, failed calls, other keys, rotated aliases, provider
 * prefixes and hostile strings turn up. Each path keeps its own connector state, as two
 * connectors would.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readWindow } from "../../src/connector/read-window";
import { DatabaseSpendSource } from "../../src/connector/spend-db";
import { ApiSpendSource, type SpendSource, type WindowRead } from "../../src/connector/spend-source";
import { ConnectorState, type WindowRecord } from "../../src/connector/state";
import { Windows } from "../../src/report";
import { LiteLLMAdminClient } from "../../src/litellm";
import { insertSpendLogs } from "../../src/litellm-server/database";
import { syntheticSpendRows } from "../../src/litellm-server/synthetic-rows";
import type { SpendLogRecord } from "../../src/litellm-server/types";
import { startLiteLLMServer, type LiteLLMServerHandle } from "../../src/litellm-server";
import { DEFAULT_PRICING } from "../../src/pricing";
import { spendRow, startSpendDatabase, type SpendDatabase } from "./helpers";

const MASTER = "sk-test-master-paths";
const windows = new Windows(300);
const LOOKBACK = 3;
const W0 = windows.of(Date.parse("2026-03-01T12:00:00Z"));
const at = (w: bigint, offsetMs = 0) => windows.startMs(w) + offsetMs;

describe("API path and database path", () => {
  let db: SpendDatabase;
  let litellm: LiteLLMServerHandle;
  let api: SpendSource;
  let database: DatabaseSpendSource;
  let dirs: string[] = [];
  let apiState: ConnectorState;
  let dbState: ConnectorState;

  beforeAll(async () => {
    db = await startSpendDatabase();
    litellm = await startLiteLLMServer({ masterKey: MASTER, spendLogDelayMs: 0 });
    api = new ApiSpendSource(new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: litellm.url, sleep: async () => undefined }), litellm.url, 100);
    database = new DatabaseSpendSource(db.readerUrl);
    dirs = [fs.mkdtempSync(path.join(os.tmpdir(), "ff-api-")), fs.mkdtempSync(path.join(os.tmpdir(), "ff-db-"))];
    apiState = new ConnectorState(dirs[0] as string);
    dbState = new ConnectorState(dirs[1] as string);
  });

  afterAll(async () => {
    await database?.close();
    await litellm?.stop();
    await db?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Rows LiteLLM writes: into the stand-in's log and into the table alike. */
  async function write(rows: Omit<SpendLogRecord, "seq">[]): Promise<void> {
    litellm.loadSpendLogs(rows);
    await insertSpendLogs(db.admin, rows);
  }

  /** Reads `window` on both paths; expects the same report, rows, late rows and request ids. */
  async function readBoth(window: bigint): Promise<{ api: { record: WindowRecord; read: WindowRead }; db: { record: WindowRecord; read: WindowRead } }> {
    const a = await readWindow(apiState, api, windows, LOOKBACK, DEFAULT_PRICING, window);
    const d = await readWindow(dbState, database, windows, LOOKBACK, DEFAULT_PRICING, window);
    expect(d.read.lines).toEqual(a.read.lines);
    expect(d.record.summary).toEqual(a.record.summary);
    expect({ ...d.record.rows }).toEqual({ ...a.record.rows });
    expect(d.record.stage).toBe(a.record.stage);
    expect([...d.read.requestIds].sort()).toEqual([...a.read.requestIds].sort());
    return { api: a, db: d };
  }

  it("agree window after window: late rows, failed calls, other keys, rotated aliases, provider prefixes", { timeout: 120_000 }, async () => {
    // Before the connector's first window: rows two windows back, a late row's window.
    await write([...syntheticSpendRows({ rows: 300, startMs: at(W0 - 2n), spanMs: 300_000, subscriptions: 40, idPrefix: "pre", seed: 2, failedShare: 0.05, foreignShare: 0.1, rotatedShare: 0.3 })]);
    // The first window, with rows on both of its edges and one just past its end.
    await write([
      ...syntheticSpendRows({ rows: 3000, startMs: at(W0), spanMs: 300_000, subscriptions: 40, idPrefix: "w0", seed: 3, failedShare: 0.05, foreignShare: 0.1, rotatedShare: 0.3 }),
      spendRow({ id: "edge-first-ms", alias: "ff-3", startMs: at(W0), model: "openai/gpt-4o-mini-2024-07-18", modelGroup: "gpt-4o-mini" }),
      spendRow({ id: "edge-last-ms", alias: "ff-3-r2", startMs: at(W0 + 1n) - 1, model: "anthropic/claude-3-haiku-20240307", modelGroup: null }),
      spendRow({ id: "edge-next-window", alias: "ff-3", startMs: at(W0 + 1n), model: "gpt-4o" }),
      spendRow({ id: "zero-tokens", alias: "ff-4", startMs: at(W0, 5), tokens: [0, 0] }),
      spendRow({ id: "failed-ours", alias: "ff-4", startMs: at(W0, 6), tokens: [0, 0], status: "failure" }),
      spendRow({ id: "no-status", alias: "ff-4", startMs: at(W0, 7), status: null }),
      spendRow({ id: "big-id", alias: "ff-18446744073709551615", startMs: at(W0, 8), model: "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0", modelGroup: "" }),
    ]);
    const first = await readBoth(W0);
    expect(first.db.read.rows).toBeGreaterThan(2500);
    expect(first.db.record.rows.late).toBeGreaterThan(0); // the rows from before the first window
    expect(first.db.read.lines.some((l) => l.subscriptionId === 18446744073709551615n)).toBe(true);
    expect(first.db.read.requestIds).toContain("edge-first-ms");
    expect(first.db.read.requestIds).toContain("edge-last-ms");
    expect(first.db.read.requestIds).not.toContain("edge-next-window");
    expect(first.db.read.requestIds).not.toContain("failed-ours");

    // Late rows after the first read: in W0 itself, one window back, and one past the lookback of W0+1.
    await write([
      ...syntheticSpendRows({ rows: 120, startMs: at(W0, 1000), spanMs: 200_000, subscriptions: 40, idPrefix: "late0", seed: 4 }),
      ...syntheticSpendRows({ rows: 30, startMs: at(W0 - 1n), spanMs: 300_000, subscriptions: 40, idPrefix: "late1", seed: 5 }),
      spendRow({ id: "too-late", alias: "ff-9", startMs: at(W0 - 3n, 10) }),
      ...syntheticSpendRows({ rows: 800, startMs: at(W0 + 1n, 1), spanMs: 299_000, subscriptions: 40, idPrefix: "w1", seed: 6 }),
    ]);
    const second = await readBoth(W0 + 1n);
    expect(second.db.record.rows.late).toBeGreaterThan(100);
    expect(second.db.read.requestIds).not.toContain("too-late");
    expect(second.db.read.requestIds).toContain("edge-next-window");
    // Only the windows whose count moved were read row by row (W0 and W0-1; not W0-2).
    expect(second.db.read.rowByRowWindows).toBe(2);

    // Hostile strings, late into W0+1, nothing in W0+2 itself: data, never SQL.
    const hostile = [
      spendRow({ id: "h1'); DROP TABLE \"LiteLLM_SpendLogs\"; --", alias: "ff-21", startMs: at(W0 + 1n, 5), model: "x'; DELETE FROM \"LiteLLM_SpendLogs\"; --", modelGroup: "gpt-4o\\'" }),
      spendRow({ id: "h2\ttab\nnewline\\backslash", alias: "ff-21-r7", startMs: at(W0 + 1n, 6), model: "groq/llama3-70b-8192", modelGroup: "$1 $2 ::text" }),
      spendRow({ id: "h3", alias: "ff-22'; --", startMs: at(W0 + 1n, 7) }),
      spendRow({ id: "h4 unicode ✓", alias: "ff-23", startMs: at(W0 + 1n, 8), model: "gpt‑4o", modelGroup: "GPT-4O" }),
      spendRow({ id: "h5", alias: "ff-24", startMs: at(W0 + 1n, 9), model: "openai/gpt-4o%_like", modelGroup: "%" }),
    ];
    await write(hostile);
    const third = await readBoth(W0 + 2n);
    expect(third.db.record.rows).toMatchObject({ count: 4, late: 4 });
    expect([...new Set(third.db.read.lines.map((l) => l.subscriptionId))]).toEqual([21n, 23n, 24n]);
    const [{ n }] = await db.admin<{ n: number }[]>`SELECT count(*)::int AS n FROM "LiteLLM_SpendLogs"`;
    expect(n).toBeGreaterThan(4000);

    // Nothing new anywhere: both skip, and the database path reads no window row by row.
    const fourth = await readBoth(W0 + 3n);
    expect(fourth.db.record.stage).toBe("skipped");
    expect(fourth.db.read.rowByRowWindows).toBe(0);
  });
});
