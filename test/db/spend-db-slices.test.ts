/**
 * The database path reads a window in slices of its time range on several connections that share
 * one snapshot. Whatever the slicing (or none, when the server refuses it), the read is the API
 * path's: rows on a slice's edge millisecond counted once, a key's requests on both sides of an
 * edge merged into one line, request ids of any text carried intact.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseSpendSource } from "../../src/connector/spend-db";
import { ApiSpendSource, type WindowQuery, type WindowRead } from "../../src/connector/spend-source";
import { Windows } from "../../src/report";
import { LiteLLMAdminClient } from "../../src/litellm";
import { insertSpendLogs } from "../../src/litellm-server/database";
import { syntheticSpendRows } from "../../src/litellm-server/synthetic-rows";
import { startLiteLLMServer, type LiteLLMServerHandle } from "../../src/litellm-server";
import type { SpendLogRecord } from "../../src/litellm-server/types";
import { DEFAULT_PRICING } from "../../src/pricing";
import { READER, spendRow, startSpendDatabase, type SpendDatabase } from "./helpers";

const MASTER = "sk-test-master-slices";
const windows = new Windows(300);
const W = windows.of(Date.parse("2026-05-01T00:00:00Z"));
const start = (w: bigint) => windows.startMs(w);

function query(window: bigint): WindowQuery {
  return { window, windows, lookback: 2, pricing: DEFAULT_PRICING, reported: () => new Set(), observed: () => undefined };
}

describe("database path, the window read in slices", () => {
  let db: SpendDatabase;
  let litellm: LiteLLMServerHandle;
  let api: ApiSpendSource;
  let logDir: string;
  let logFile: string;

  beforeAll(async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-pglog-"));
    fs.chmodSync(logDir, 0o777);
    logFile = path.join(logDir, "server.log");
    db = await startSpendDatabase({ logFile, settings: { log_statement: "all", log_line_prefix: "[%a] " } });
    litellm = await startLiteLLMServer({ masterKey: MASTER, spendLogDelayMs: 0 });
    api = new ApiSpendSource(new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: litellm.url, sleep: async () => undefined }), litellm.url, 100);
  });

  afterAll(async () => {
    await litellm?.stop();
    await db?.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  async function write(rows: Omit<SpendLogRecord, "seq">[]): Promise<void> {
    litellm.loadSpendLogs(rows);
    await insertSpendLogs(db.admin, rows);
  }

  /** The window read with `slices`, and the statements the server logged for it. */
  async function readDb(window: bigint, slices: number): Promise<{ read: WindowRead; statements: string[] }> {
    const fromLog = fs.readFileSync(logFile, "utf8").length;
    const source = new DatabaseSpendSource(db.readerUrl, { slices });
    try {
      const read = await source.read(query(window));
      const statements = fs.readFileSync(logFile, "utf8").slice(fromLog).split("\n").filter((l) => l.startsWith("[flareflow-connector] "));
      return { read, statements };
    } finally {
      await source.close();
    }
  }

  function expectSameRead(db: WindowRead, api: WindowRead): void {
    expect(db.lines).toEqual(api.lines);
    expect([...db.requestIds].sort()).toEqual([...api.requestIds].sort());
    expect(db.requestIds.length).toBe(new Set(db.requestIds).size);
    expect({ rows: db.rows, late: db.late, ignored: db.ignored, observed: db.observed }).toEqual({ rows: api.rows, late: api.late, ignored: api.ignored, observed: api.observed });
    // Each line's requests: the same ids with the same tokens, however the slices cut them.
    const leaves = (r: WindowRead) => r.leaves.map((l) => l.ids.map((id, i) => `${id} ${l.tokens[i]}`).sort());
    expect(leaves(db)).toEqual(leaves(api));
  }

  it("rows on a slice's edge millisecond are read once, a key's requests on both sides merge, any id survives", { timeout: 120_000 }, async () => {
    const s = start(W);
    // With 2 slices the edge is the window's middle; with 3, its thirds.
    const edges = [s + 150_000, s + 100_000, s + 200_000];
    const rows: Omit<SpendLogRecord, "seq">[] = [...syntheticSpendRows({ rows: 600, startMs: s, spanMs: 300_000, subscriptions: 5, idPrefix: "slice", seed: 7 })];
    for (const [e, edge] of edges.entries()) {
      for (const [k, offset] of [-1, 0, 0, 0, 1].entries()) {
        rows.push(spendRow({ id: `edge${e}-${k}`, alias: "ff-2", startMs: edge + offset, model: "azure/gpt-4o-2024-08-06", modelGroup: "gpt-4o", tokens: [100 + k, e] }));
      }
      rows.push(spendRow({ id: `edge${e}-failed`, alias: "ff-2", startMs: edge, status: "failure", tokens: [0, 0] }));
      rows.push(spendRow({ id: `edge${e}-foreign`, alias: "team-analytics", startMs: edge }));
    }
    // Ids PostgreSQL's array output quotes or that hold the element's own separator.
    const odd = ['q"uote', "back\\slash", "com,ma", "{brace}", "sp ace", "NULL", "null", "colon:in:id", "", "✓ unicode", "tab\there", "end\\", '"', "}"];
    odd.forEach((id, i) => rows.push(spendRow({ id, alias: "ff-3", startMs: s + (i % 2 === 0 ? 10 : 299_000) + i, tokens: [7 + i, 1] })));
    rows.push(spendRow({ id: "first-ms", alias: "ff-4", startMs: s }), spendRow({ id: "last-ms", alias: "ff-4", startMs: s + 299_999 }), spendRow({ id: "next-window", alias: "ff-4", startMs: s + 300_000 }));
    await write(rows);

    const viaApi = await api.read(query(W));
    expect(viaApi.requestIds).toContain("edge0-2");
    expect(viaApi.requestIds).toContain("");
    for (const slices of [1, 2, 3]) {
      const { read, statements } = await readDb(W, slices);
      expectSameRead(read, viaApi);
      expect(statements.filter((l) => /SET TRANSACTION SNAPSHOT/.test(l))).toHaveLength(slices - 1);
    }
  });

  it("a server that refuses to export a snapshot: the window is read in one query, and the source stops asking", { timeout: 60_000 }, async () => {
    const w = W + 10n;
    await write([...syntheticSpendRows({ rows: 300, startMs: start(w), spanMs: 300_000, subscriptions: 5, idPrefix: "noexport", seed: 8 })]);
    const viaApi = await api.read(query(w));
    await db.admin.unsafe(`REVOKE EXECUTE ON FUNCTION pg_export_snapshot() FROM PUBLIC`);
    const source = new DatabaseSpendSource(db.readerUrl, { slices: 2 });
    try {
      const fromLog = fs.readFileSync(logFile, "utf8").length;
      expectSameRead(await source.read(query(w)), viaApi);
      expectSameRead(await source.read(query(w)), viaApi);
      const log = fs.readFileSync(logFile, "utf8").slice(fromLog);
      expect(log.match(/permission denied for function pg_export_snapshot/g)).toHaveLength(1);
      expect(log).not.toMatch(/SET TRANSACTION SNAPSHOT/);
    } finally {
      await source.close();
      await db.admin.unsafe(`GRANT EXECUTE ON FUNCTION pg_export_snapshot() TO PUBLIC`);
    }
  });

  it("a role allowed one connection: the other slices are read in the first transaction", { timeout: 60_000 }, async () => {
    const w = W + 20n;
    await write([...syntheticSpendRows({ rows: 300, startMs: start(w), spanMs: 300_000, subscriptions: 5, idPrefix: "oneconn", seed: 9 })]);
    const viaApi = await api.read(query(w));
    await db.admin.unsafe(`ALTER ROLE ${READER.user} CONNECTION LIMIT 1`);
    try {
      const { read, statements } = await readDb(w, 3);
      expectSameRead(read, viaApi);
      expect(statements.filter((l) => /SET TRANSACTION SNAPSHOT/.test(l))).toHaveLength(0);
      expect(fs.readFileSync(logFile, "utf8")).toMatch(/too many connections for role "litellm_reader"/);
    } finally {
      await db.admin.unsafe(`ALTER ROLE ${READER.user} CONNECTION LIMIT -1`);
    }
  });
});
