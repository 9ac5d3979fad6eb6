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
 *     windows (a late row is told from a reported one by its id). The window's time range is cut
 *     into slices read at once on as many connections, which all see the first one's snapshot
 *     (pg_export_snapshot / SET TRANSACTION SNAPSHOT): PostgreSQL 15 runs no aggregate that
 *     collects values in parallel workers, so without the slices a million rows are grouped on
 *     one core. A slice's groups add to the other slices' (sums add, requests append).
 *  2. one count per earlier window of the range. Rows never leave the table within the lookback
 *     (LiteLLM deletes spend logs only by its retention job, days later), so a window whose count
 *     equals what the last read saw has no row that read did not see — and every row of ours
 *     it saw was reported then. Only a window whose count moved is read row by row, through
 *     Aggregator.add with the reported request ids, exactly as the API path reads it.
 *
 * All of it in REPEATABLE READ, READ ONLY transactions on one snapshot: no write possible whatever
 * the role may do. A server or pooler that refuses to export a snapshot gets the window read in
 * one query from then on; a slice whose connection cannot be had or cannot import the snapshot
 * is read in the first transaction after its own slice. Values are always bound as
 * parameters; the SQL text is constant but for the snapshot's name, which only the server gives
 * and which is checked against its format before it is sent.
 * Times are compared as LiteLLM compares them: the column holds UTC wall-clock time
 * (`$1::timestamptz AT TIME ZONE 'UTC'`, as its own /spend/logs/v2 query does).
 */

const TABLE = `"LiteLLM_SpendLogs"`;
/** Room to group a million rows (120,000 groups with their request ids) in memory, not on disk. */
const WORK_MEM = "256MB";
/**
 * Connections reading the window at once: a core each in the server. More cost the operator's
 * server connections and memory (work_mem each) for little on a small one.
 */
const DEFAULT_SLICES = 2;
/** What pg_export_snapshot() returns (PostgreSQL 15: "%08X-%08X-%d"); anything else is not sent. */
const SNAPSHOT_NAME = /^[0-9A-F]{8}-[0-9A-F]{8}-[0-9]{1,10}$/;

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

/** Never NULL: a row without a status is not a failed one. */
const FAILED = `status IS NOT DISTINCT FROM 'failure'`;
const IN_RANGE = `"startTime" >= ($1::timestamptz AT TIME ZONE 'UTC') AND "startTime" < ($2::timestamptz AT TIME ZONE 'UTC')`;

/** `requests`: PostgreSQL's text form of a text[] of "<tokens>:<request id>" (fetch_types is off, so postgres.js leaves it a string). */
type GroupRow = { alias: string | null; model_group: string | null; model: string; rows: number; failed: number; tokens: string; malformed: number; requests: string | null };
type CountRow = { source: string; n: number };
type DetailRow = { request_id: string; alias: string | null; model_group: string | null; model: string; total_tokens: number; status: string | null; malformed: boolean | null };

const iso = (ms: number) => new Date(ms).toISOString();

function safeCount(value: string | number, what: string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConnectorError("integrity", `LiteLLM database: ${what} ${String(value)} is not a count`);
  return n;
}

/**
 * The requests of a group from array_agg's text form, `{e1,e2,...}`: an element is written bare
 * unless it holds a quote, backslash, brace, comma or white space, then in double quotes with
 * `"` and `\` escaped by a backslash (array_out). Each element is "<tokens>:<id>"; the id is any
 * text, so it is split at the first colon. An array without a quote is split in one call.
 */
function parseRequests(text: string | null, alias: string): { ids: string[]; tokens: number[] } {
  const ids: string[] = [];
  const tokens: number[] = [];
  if (text === null) return { ids, tokens };
  const malformed = () => new ConnectorError("integrity", `LiteLLM database: the requests of key ${JSON.stringify(alias.slice(0, 100))} are not an array of "tokens:id"`);
  if (text[0] !== "{" || text[text.length - 1] !== "}") throw malformed();
  const add = (element: string) => {
    const colon = element.indexOf(":");
    if (colon <= 0) throw malformed();
    tokens.push(Number(element.slice(0, colon)));
    ids.push(element.slice(colon + 1));
  };
  if (!text.includes('"')) {
    for (const element of text.slice(1, -1).split(",")) add(element);
    return { ids, tokens };
  }
  let i = 1;
  while (i < text.length - 1) {
    let element = "";
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        element += text[i];
        i++;
      }
      if (i >= text.length - 1) throw malformed();
      i++;
    } else {
      const comma = text.indexOf(",", i);
      const stop = comma < 0 ? text.length - 1 : comma;
      element = text.slice(i, stop);
      i = stop;
    }
    add(element);
    if (i < text.length - 1) {
      if (text[i] !== ",") throw malformed();
      i++;
    }
  }
  return { ids, tokens };
}

export type DatabaseSourceOptions = {
  /** Per statement (ms); a read that takes longer fails and is retried at the next poll. */
  statementTimeoutMs?: number;
  connectTimeoutSeconds?: number;
  /** Connections reading the window's slices at once (default 2); 1 reads it in one query. */
  slices?: number;
};

/** The first transaction could not export its snapshot: the read starts over without slices. */
class SnapshotRefused extends Error {}

const READ_ONLY = "isolation level repeatable read read only";

export class DatabaseSpendSource implements SpendSource {
  readonly kind = "database";
  private sql: Sql | undefined;
  /** Becomes 1 for good once the server refuses to export a snapshot. */
  private slices: number;

  constructor(
    private readonly url: DatabaseUrl,
    private readonly options: DatabaseSourceOptions = {},
  ) {
    const slices = options.slices ?? DEFAULT_SLICES;
    if (!Number.isSafeInteger(slices) || slices < 1) throw new RangeError(`slices ${slices} is not a positive integer`);
    this.slices = slices;
  }

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
        max: this.slices,
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
      const sql = this.connection();
      try {
        return (await sql.begin(READ_ONLY, (tx) => this.readIn(sql, tx, q))) as WindowRead;
      } catch (error) {
        if (!(error instanceof SnapshotRefused)) throw error;
        this.slices = 1;
        return (await sql.begin(READ_ONLY, (tx) => this.readIn(sql, tx, q))) as WindowRead;
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * For the transaction only: a time limit, memory enough to group the window in memory (with
   * the default 4 MB PostgreSQL sorts a million rows through temporary files), and no JIT
   * compilation, which costs the grouped query more CPU than it saves.
   */
  private async settings(tx: TransactionSql): Promise<void> {
    await tx`SELECT set_config('statement_timeout', ${String(this.options.statementTimeoutMs ?? 120_000)}, true), set_config('work_mem', ${WORK_MEM}, true), set_config('jit', 'off', true)`;
  }

  private async readIn(sql: Sql, tx: TransactionSql, q: WindowQuery): Promise<WindowRead> {
    await this.settings(tx);
    const { fromMs, toMs } = readRange(q);
    const windowStart = q.windows.startMs(q.window);
    const windowMs = q.windows.seconds * 1000;
    const aggregator = new Aggregator(q.pricing, new Set());
    const observed: Record<string, number> = {};

    // 1. The window itself, grouped, in slices of its time range read at once.
    const range = [iso(Math.max(fromMs, windowStart)), iso(toMs)];
    let windowRows = 0;
    let failed = 0;
    for (const g of await this.windowGroups(sql, tx, Math.max(fromMs, windowStart), toMs)) {
      if (g.malformed > 0) throw await this.malformed(tx, range);
      const rows = safeCount(g.rows, "row count");
      const failedHere = safeCount(g.failed, "row count");
      windowRows += rows;
      failed += failedHere;
      const alias = g.alias ?? "";
      const requests = parseRequests(g.requests, alias);
      aggregator.addGroup(alias, g.model_group ?? "", g.model, { tokens: safeCount(g.tokens, `token sum of key ${alias}`), requests: rows - failedHere, ids: requests.ids, tokensOf: requests.tokens });
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

  /**
   * The window's groups, [fromMs, toMs) cut into this.slices slices at whole milliseconds: each row
   * in exactly one (half-open ranges), rows of one millisecond in the same one. The first slice
   * is read in `tx`, each other one on a connection of its own that imports tx's snapshot; one
   * whose connection cannot be had or cannot import it is read in `tx` afterwards.
   */
  private async windowGroups(sql: Sql, tx: TransactionSql, fromMs: number, toMs: number): Promise<GroupRow[]> {
    const n = Math.max(1, Math.min(this.slices, toMs - fromMs));
    const bounds = Array.from({ length: n + 1 }, (_, i) => fromMs + Math.floor(((toMs - fromMs) * i) / n));
    if (n === 1) return this.groupsOf(tx, fromMs, toMs);
    let snapshot: string;
    try {
      [{ snapshot }] = await tx.unsafe<{ snapshot: string }[]>(`SELECT pg_export_snapshot() AS snapshot`);
    } catch (error) {
      throw new SnapshotRefused(messageOf(error), { cause: error });
    }
    if (!SNAPSHOT_NAME.test(snapshot)) throw new SnapshotRefused(`snapshot name ${JSON.stringify(snapshot.slice(0, 40))}`);
    const others = bounds.slice(1, -1).map((lo, i) => this.groupsInSnapshot(sql, snapshot, lo, bounds[i + 2] as number));
    // Every slice settles before the read ends or fails: no helper outlives the exporting transaction unnoticed.
    const results = await Promise.allSettled([this.groupsOf(tx, bounds[0] as number, bounds[1] as number), ...others]);
    const parts: GroupRow[][] = [];
    for (const [i, r] of results.entries()) {
      if (r.status === "rejected") throw r.reason;
      parts.push(r.value ?? (await this.groupsOf(tx, bounds[i] as number, bounds[i + 1] as number)));
    }
    return parts.flat();
  }

  /** One slice on a connection of its own, in tx's snapshot; undefined if it could not join. */
  private async groupsInSnapshot(sql: Sql, snapshot: string, fromMs: number, toMs: number): Promise<GroupRow[] | undefined> {
    let joined = false;
    try {
      return (await sql.begin(READ_ONLY, async (helper) => {
        // A utility statement takes no parameters: the name is the server's, checked above.
        await helper.unsafe(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
        joined = true;
        await this.settings(helper);
        return this.groupsOf(helper, fromMs, toMs);
      })) as GroupRow[];
    } catch (error) {
      if (joined) throw error;
      return undefined;
    }
  }

  /**
   * One grouped query over [fromMs, toMs). Keys compare bytewise (COLLATE "C"): exactly the API
   * path's string equality whatever the database's collation, and no locale-aware comparisons,
   * which cost seconds at a million rows. The inner query (kept apart by OFFSET 0) reduces each
   * row to what the groups need before they are sorted or hashed: otherwise every row's whole
   * metadata document travels through the sort for the malformed-row check. Each expression
   * appears once per row: PostgreSQL does not share repeated ones. A request's tokens and id
   * are one element, so they stay together whatever order the aggregate sees the rows in.
   */
  private groupsOf(tx: TransactionSql, fromMs: number, toMs: number): Promise<GroupRow[]> {
    return tx.unsafe<GroupRow[]>(
      `SELECT alias, model_group, model,
          count(*)::int AS rows,
          (count(*) FILTER (WHERE failed))::int AS failed,
          coalesce(sum(total_tokens) FILTER (WHERE NOT failed), 0)::text AS tokens,
          (count(*) FILTER (WHERE malformed))::int AS malformed,
          array_agg(total_tokens::text || ':' || request_id) FILTER (WHERE NOT failed) AS requests
        FROM (SELECT ${ALIAS} COLLATE "C" AS alias, model_group COLLATE "C" AS model_group, model COLLATE "C" AS model,
            request_id, total_tokens, ${FAILED} AS failed, ${MALFORMED} AS malformed
          FROM ${TABLE}
          WHERE ${IN_RANGE}
          OFFSET 0) AS r
        GROUP BY 1, 2, 3`,
      [iso(fromMs), iso(toMs)],
    );
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
