import { logStage } from "../log";
import { onChainPricingAt } from "../pricing-source";
import { readWindow } from "../read-window";
import type { WindowRecord } from "../state";
import type { ConnectorContext } from "../context";

/** Stage 1: the window's spend logs to report lines (late rows of earlier windows included); empty: skipped. */
export async function aggregate(ctx: ConnectorContext, window: bigint): Promise<WindowRecord> {
  const pricing = await onChainPricingAt(ctx.flow, ctx.windows.startUnits(window));
  const { record, read } = await readWindow(ctx.state, ctx.spendSource, ctx.windows, ctx.config.lateLookbackWindows, pricing, window);
  const s = record.summary;
  logStage(ctx.log, window, record.stage === "skipped" ? "skipped" : "aggregated", {
    rows: read.rows,
    late: read.late,
    lines: s.lineCount,
    tokens: s.totalTokens,
    digest: record.stage === "skipped" ? undefined : s.digest,
    from: ctx.spendSource.kind,
    pages: read.pages,
    rereadWindows: read.rowByRowWindows,
  });
  return record;
}
