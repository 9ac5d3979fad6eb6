import { isLiteLLMError, type LiteLLMAdminClient } from "../litellm";
import type { PricingConfig } from "../pricing";
import { Aggregator, type AggregateResult } from "./aggregate";
import { ConnectorError } from "./errors";
import type { Windows } from "../report";

/**
 * Reading one window's usage from LiteLLM, on either path: the admin API's /spend/logs/v2 pages
 * (below) or LiteLLM's own PostgreSQL table (spend-db.ts). Both mean exactly this:
 *
 *   the spend rows with startTime in [start of (window - lookback), end of window) — the window
 *   and the `lookback` windows before it, where late rows (written after their own window was
 *   read) still turn up — each request once; failed calls left out; request ids that earlier
 *   windows reported left out; rows of keys that are not FlareFlow's counted, never billed.
 *   Lines per subscription and family as Aggregator makes them.
 *
 * Each read also records how many rows (any status, any key) it saw in each window of its range.
 * A later read compares that count with the table's: an earlier window whose count has not moved
 * has no late row, so its request ids never have to be fetched or compared (spend-db.ts).
 */

export type WindowQuery = {
  window: bigint;
  windows: Windows;
  lookback: number;
  pricing: PricingConfig;
  /** Request ids reported by the windows a late row can come from; read only when needed (it can be large). */
  reported: () => ReadonlySet<string>;
  /** How many rows of an earlier window the last read that covered it saw; undefined if none recorded it. */
  observed: (source: bigint) => number | undefined;
};

export type WindowRead = AggregateResult & {
  /** Rows seen per window of the range (all rows: any status, any key), by window id. */
  observed: Record<string, number>;
  /** Work done, for logs and figures: API pages read, or earlier windows the database path read row by row. */
  pages?: number;
  rowByRowWindows?: number;
};

export interface SpendSource {
  readonly kind: "api" | "database";
  read(query: WindowQuery): Promise<WindowRead>;
  close(): Promise<void>;
}

/** The read's time range in unix ms: [fromMs, toMs). */
export function readRange(q: Pick<WindowQuery, "window" | "windows" | "lookback">): { fromMs: number; toMs: number } {
  return { fromMs: Math.max(0, q.windows.startMs(q.window - BigInt(q.lookback))), toMs: q.windows.endMs(q.window) };
}

/** Pages a spend-log read asks for: LiteLLM 1.110.2 allows up to 1,000 rows per /spend/logs/v2 page. */
export const API_PAGE_SIZE = 1000;

/** The API path: every page of /spend/logs/v2 over the range, row by row through the Aggregator. */
export class ApiSpendSource implements SpendSource {
  readonly kind = "api";

  constructor(
    private readonly client: LiteLLMAdminClient,
    private readonly litellmUrl: string,
    private readonly pageSize = API_PAGE_SIZE,
  ) {}

  async read(q: WindowQuery): Promise<WindowRead> {
    const { fromMs, toMs } = readRange(q);
    const aggregator = new Aggregator(q.pricing, q.reported());
    const windowMs = q.windows.seconds * 1000;
    const startOfWindow = q.windows.startMs(q.window);
    const observed = new Map<number, number>();
    let pages = 0;
    try {
      const rows = this.client.iterateSpendLogs({ startDate: new Date(fromMs), endDate: new Date(toMs - 1), pageSize: this.pageSize, onPage: () => pages++ });
      for await (const row of rows) {
        const t = Date.parse(row.startTime);
        const source = Math.floor(t / windowMs);
        observed.set(source, (observed.get(source) ?? 0) + 1);
        aggregator.add(row, t < startOfWindow);
      }
    } catch (error) {
      if (isLiteLLMError(error)) throw new ConnectorError("unreachable", `LiteLLM at ${this.litellmUrl}: ${error.message}`, { cause: error });
      throw error;
    }
    return { ...aggregator.result(), observed: Object.fromEntries([...observed].map(([w, n]) => [String(w), n])), pages };
  }

  async close(): Promise<void> {}
}
