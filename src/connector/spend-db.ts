import postgres, { type Sql, type TransactionSql } from "postgres";
import { Aggregator } from "./aggregate";
import type { DatabaseUrl } from "./database-url";
import { ConnectorError, messageOf } from "./errors";
import { readRange, type SpendSource, type WindowQuery, type WindowRead } from "./spend-source";

/**
 * The database path: LiteLLM keeps its spend log in PostgreSQL ("LiteLLM_SpendLogs", LiteLLM
 * 1.110.2 `litellm/proxy/schema.prisma`); with a read-only URL the connector reads a window there
 * instead of paging /spend/logs/v2, with the meaning spend-source.ts states:
 *
 *  1. one grouped query over the window itself: rows per (key alias, model_group, model), the
 *     token sum and the requests (id and tokens, for the line's request root and the customer's
 *     leaves) of rows not failed, failed and malformed rows counted. No
 *     row of the window can have been reported before (earlier windows read only up to their own
 *     end), so nothing is compared with earlier reports here. The request ids are kept for later
 *     windows (a late row is told from a reported one by its id); at a million rows they are
 *     about a third of the database's work.
 *  2. one count per earlier window of the range. Rows never leave the table within the lookback
 *     (LiteLLM deletes spend logs only by its retention job, days later), so a window whose count
 *     equals what the last read saw has no row that read did not see — and every row of ours
 *     it saw was reported then. Only a window whose count moved is read row by row, through
 *     Aggregator.add with the reported request ids, exactly as the API path reads it.
 *
 * All of it in one REPEATABLE READ, READ ONLY transaction: one snapshot, and no write possible
 * whatever the role may do. Values are always bound as parameters; the SQL text is constant.
 * Times are compared as LiteLLM compares them: the column holds UTC wall-clock time
 * (`$1::timestamptz AT TIME ZONE 'UTC'`, as its own /spend/logs/v2 query does).
 */

const TABLE = `"LiteLLM_SpendLogs"`;
/** Room to group a million rows (120,000 groups with their request ids) in memory, not on disk. */
const WORK_MEM = "256MB";

/**
 * The key alias: a string, or NULL where the API path reads "" (JSON null, no alias, no
 * metadata). Any other JSON type makes the row malformed (below), so `->>`'s rendering of a
 * number or object never reaches a result.
 */
const ALIAS = `(metadata ->> 'user_api_key_alias')`;

/**
 * A row the API path would refuse to parse, among the fields that decide a bill: token counts
 * negative or not adding up, spend negative or not finite, metadata neither an object nor null,
 * an alias neither a string nor null. (NULL where a column is NULL: such a row is not malformed.)
 */
const MALFORMED = `(total_tokens < 0 OR prompt_tokens < 0 OR completion_tokens < 0
    OR total_tokens::bigint <> prompt_tokens::bigint + completion_tokens::bigint
    OR spend < 0 OR spend IN ('NaN'::float8, 'Infinity'::float8)
    OR jsonb_typeof(metadata) NOT IN ('object', 'null')
    OR jsonb_typeof(metadata -> 'user_api_key_alias') NOT IN ('string', 'null'))`;

const FAILED = `status = 'failure'`;
const NOT_FAILED = `status IS DISTINCT FROM 'failure'`;
const IN_RANGE = `"startTime" >= ($1::timestamptz AT TIME ZONE 'UTC') AND "startTime" < ($2::timestamptz AT TIME ZONE 'UTC')`;

type GroupRow = { alias: string | null; model_group: string | null; model: string; rows: number; failed: number; tokens: string; malformed: number; requests: [string, number][] | null };
type CountRow = { source: string; n: number };
type DetailRow = { request_id: string; alias: string | null; model_group: string | null; model: string; total_tokens: number; status: string | null; malformed: boolean | null };

const iso = (ms: number) => new Date(ms).toISOString();

function safeCount(value: string | number, what: string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConnectorError("integrity", `LiteLLM database: ${what} ${String(value)} is not a count`);
  return n;
}

export type DatabaseSourceOptions = {
  /** Per statement (ms); a read that takes longer fails and is retried at the next poll. */
  statementTimeoutMs?: number;
  connectTimeoutSeconds?: number;
};

export class DatabaseSpendSource implements SpendSource {
  readonly kind = "database";
  private sql: Sql | undefined;

  constructor(
    private readonly url: DatabaseUrl,
    private readonly options: DatabaseSourceOptions = {},
  ) {}

  private connection(): Sql {
    if (this.sql === undefined) {
      const u = this.url;
      this.sql = postgres({
        host: u.host,
        port: u.port,
        database: u.database,
        username: u.user,
        password: u.password,
        ssl: u.ssl === "disable" ? false : u.ssl,
        max: 1,
        idle_timeout: 60,
        connect_timeout: this.options.connectTimeoutSeconds ?? 10,
        // Unnamed statements: safe behind PgBouncer in transaction mode, which LiteLLM deployments use.
        prepare: false,
        fetch_types: false,
        onnotice: () => undefined,
        connection: { application_name: "flareflow-connector" },
      });
    }
    return this.sql;
  }

  private fail(error: unknown): never {
    if (error instanceof ConnectorError) throw error;
    // postgres.js messages name the host and the server's words; never the password.
    throw new ConnectorError("unreachable", `LiteLLM database at ${this.url.display}: ${messageOf(error)}`, { cause: error });
  }

  async read(q: WindowQuery): Promise<WindowRead> {
    try {
      return (await this.connection().begin("isolation level repeatable read read only", (tx) => this.readIn(tx, q))) as WindowRead;
    } catch (error) {
      this.fail(error);
    }
  }

  private async readIn(tx: TransactionSql, q: WindowQuery): Promise<WindowRead> {
    // For this transaction only: a time limit, and memory enough to group the window in memory
    // (with the default 4 MB PostgreSQL sorts a million rows through temporary files).
    await tx`SELECT set_config('statement_timeout', ${String(this.options.statementTimeoutMs ?? 120_000)}, true), set_config('work_mem', ${WORK_MEM}, true)`;
    const { fromMs, toMs } = readRange(q);
    const windowStart = q.windows.startMs(q.window);
    const windowMs = q.windows.seconds * 1000;
    const aggregator = new Aggregator(q.pricing, new Set());
    const observed: Record<string, number> = {};

    // 1. The window itself, grouped. Keys compare bytewise (COLLATE "C"): exactly the API path's
    // string equality whatever the database's collation, and no locale-aware comparisons, which
    // cost seconds at a million rows. Each expression appears once per row: PostgreSQL does not
    // share repeated ones, and every extra jsonb lookup shows at that size.
    const range = [iso(Math.max(fromMs, windowStart)), iso(toMs)];
    const groups = await tx.unsafe<GroupRow[]>(
      `SELECT ${ALIAS} COLLATE "C" AS alias, model_group COLLATE "C" AS model_group, model COLLATE "C" AS model,
          count(*)::int AS rows,
          (count(*) FILTER (WHERE ${FAILED}))::int AS failed,
          coalesce(sum(total_tokens) FILTER (WHERE ${NOT_FAILED}), 0)::text AS tokens,
          (count(*) FILTER (WHERE ${MALFORMED}))::int AS malformed,
          -- Id and tokens in one pair: each request's tokens stay with its id whatever order
          -- the aggregate sees the rows in.
          json_agg(json_build_array(request_id, total_tokens)) FILTER (WHERE ${NOT_FAILED}) AS requests
        FROM ${TABLE}
        WHERE ${IN_RANGE}
        GROUP BY 1, 2, 3`,
      range,
    );
    let windowRows = 0;
    let failed = 0;
    for (const g of groups) {
      if (g.malformed > 0) throw await this.malformed(tx, range);
      const rows = safeCount(g.rows, "row count");
      const failedHere = safeCount(g.failed, "row count");
      windowRows += rows;
      failed += failedHere;
      const alias = g.alias ?? "";
      aggregator.addGroup(alias, g.model_group ?? "", g.model, { tokens: safeCount(g.tokens, `token sum of key ${alias}`), requests: rows - failedHere, ids: (g.requests ?? []).map((r) => r[0]), tokensOf: (g.requests ?? []).map((r) => r[1]) });
    }
    aggregator.addIgnored({ failed });
    if (windowRows > 0) observed[String(q.window)] = windowRows;

    // 2. Earlier windows: a count each; row by row only where the count moved.
    let rowByRowWindows = 0;
    if (fromMs < windowStart) {
      const counts = await tx.unsafe<CountRow[]>(
        `SELECT floor(extract(epoch FROM "startTime") * 1000 / $3)::bigint::text AS source, count(*)::int AS n
          FROM ${TABLE}
          WHERE ${IN_RANGE}
          GROUP BY 1`,
        [iso(fromMs), iso(windowStart), windowMs],
      );
      let reported: ReadonlySet<string> | undefined;
      for (const c of counts) {
        const source = BigInt(c.source);
        const now = safeCount(c.n, "row count");
        observed[c.source] = now;
        if (now === (q.observed(source) ?? 0)) continue;
        reported ??= q.reported();
        rowByRowWindows++;
        await this.readRowByRow(tx, aggregator, reported, Math.max(fromMs, q.windows.startMs(source)), Math.min(windowStart, q.windows.endMs(source)));
      }
    }
    return { ...aggregator.result(), observed, rowByRowWindows };
  }

  /** Every row of one earlier window through Aggregator.add as late usage, reported ids left out. */
  private async readRowByRow(tx: TransactionSql, aggregator: Aggregator, reported: ReadonlySet<string>, fromMs: number, toMs: number): Promise<void> {
    const rows = tx
      .unsafe<DetailRow[]>(
        `SELECT request_id, ${ALIAS} AS alias, model_group, model, total_tokens, status, ${MALFORMED} AS malformed
          FROM ${TABLE}
          WHERE ${IN_RANGE}`,
        [iso(fromMs), iso(toMs)],
      )
      .cursor(5000);
    for await (const batch of rows) {
      for (const r of batch) {
        if (r.malformed === true) throw this.malformedRow(r.request_id);
        if (reported.has(r.request_id)) {
          aggregator.addIgnored({ alreadyReported: 1 });
          continue;
        }
        aggregator.add({ request_id: r.request_id, api_key: "", model: r.model, model_group: r.model_group ?? "", total_tokens: r.total_tokens, startTime: "", status: r.status, metadata: { user_api_key_alias: r.alias ?? "" } }, true);
      }
    }
  }

  /** The first malformed row of a range, as an error (only looked for once the grouped query counted one). */
  private async malformed(tx: TransactionSql, range: string[]): Promise<ConnectorError> {
    const [row] = await tx.unsafe<{ request_id: string }[]>(`SELECT request_id FROM ${TABLE} WHERE ${IN_RANGE} AND ${MALFORMED} ORDER BY request_id LIMIT 1`, range);
    return this.malformedRow(row?.request_id ?? "?");
  }

  private malformedRow(requestId: string): ConnectorError {
    return new ConnectorError("integrity", `LiteLLM database at ${this.url.display}: spend-log row ${JSON.stringify(requestId.slice(0, 100))} is malformed (token counts negative or not adding up, spend negative or not finite, metadata not an object, or key alias not a string)`);
  }

  async close(): Promise<void> {
    const sql = this.sql;
    this.sql = undefined;
    await sql?.end({ timeout: 5 });
  }
}
