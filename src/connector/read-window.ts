import type { PricingConfig } from "../pricing";
import { writeFileDurable } from "./durable";
import { leavesFile, windowLeaves } from "./leaves";
import { reportDocument, serializeDocument } from "./report-doc";
import type { SpendSource, WindowRead } from "./spend-source";
import type { ConnectorState, WindowRecord } from "./state";
import type { Windows } from "../report";

/**
 * Stage 1 of the connector: read a window from LiteLLM (either path), write its report, request
 * ids and request leaves, then commit its record. The same for both paths, so both leave the same state.
 */

/** Request ids reported by committed windows recent enough for a late row to come from. */
export function reportedIds(state: ConnectorState, window: bigint, lookback: number): Set<string> {
  const ids = new Set<string>();
  const from = window - BigInt(lookback) - 1n;
  for (const r of state.all()) {
    const w = BigInt(r.window);
    if (w >= from && w < window && r.rows.count > 0) for (const id of state.requestIds(w)) ids.add(id);
  }
  return ids;
}

/**
 * What the last read covering each earlier window saw of it (row counts per window), newest
 * read first: a late row shows as a count that moved (spend-source.ts).
 */
export function observedCounts(state: ConnectorState, window: bigint, lookback: number): Map<bigint, number> {
  const counts = new Map<bigint, number>();
  const from = window - BigInt(lookback) - 1n;
  for (const r of state.all().reverse()) {
    const w = BigInt(r.window);
    if (w < from || w >= window) continue;
    for (const [source, n] of Object.entries(r.rows.observed ?? {})) {
      if (!counts.has(BigInt(source))) counts.set(BigInt(source), n);
    }
  }
  return counts;
}

export async function readWindow(
  state: ConnectorState,
  source: SpendSource,
  windows: Windows,
  lookback: number,
  pricing: PricingConfig,
  window: bigint,
): Promise<{ record: WindowRecord; read: WindowRead }> {
  const observed = observedCounts(state, window, lookback);
  const read = await source.read({ window, windows, lookback, pricing, reported: () => reportedIds(state, window, lookback), observed: (w) => observed.get(w) });
  const doc = reportDocument(window, read.lines);
  // Working files first; the record below is the commit point.
  writeFileDurable(state.reportFile(window), serializeDocument(doc));
  writeFileDurable(state.requestIdsFile(window), JSON.stringify(read.requestIds));
  writeFileDurable(leavesFile(state.workDir, window), JSON.stringify(windowLeaves(window, read.lines, read.leaves)));
  const record: WindowRecord = {
    window: window.toString(),
    stage: read.lines.length === 0 ? "skipped" : "aggregated",
    updatedAt: "",
    summary: { digest: doc.digest, lineCount: doc.lineCount, totalTokens: doc.totalTokens },
    rows: { count: read.rows, late: read.late, observed: read.observed },
  };
  state.put(record);
  return { record, read };
}
