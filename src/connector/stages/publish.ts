import { summaryUrl } from "../../report";
import { ConnectorError, messageOf } from "../errors";
import { logStage } from "../log";
import { publishDocuments } from "../publish";
import { reportDocument, serializeDocument, summaryDocument } from "../report-doc";
import type { WindowRecord } from "../state";
import type { ConnectorContext } from "../context";

/** Stage 2: the report and its summary written once, and the public URL checked to serve those bytes. */
export async function publish(ctx: ConnectorContext, record: WindowRecord): Promise<WindowRecord> {
  const window = BigInt(record.window);
  const doc = reportDocument(window, ctx.state.lines(window));
  const summaryBytes = serializeDocument(summaryDocument({ window, digest: doc.digest, lineCount: BigInt(doc.lineCount), totalTokens: BigInt(doc.totalTokens) }));
  publishDocuments(ctx.state.publishedDir, window, serializeDocument(doc), summaryBytes);
  // The public URL must serve exactly these bytes: Flare's providers will fetch it.
  const url = summaryUrl(ctx.config.publisher.baseUrl, window);
  let served: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (res.status !== 200) throw new ConnectorError("unreachable", `HTTP ${res.status}`);
    if (!(res.headers.get("content-type") ?? "").includes("application/json")) throw new ConnectorError("unreachable", "content-type is not application/json");
    served = await res.text();
  } catch (error) {
    throw new ConnectorError("unreachable", `publisher: ${url} does not serve the summary (${messageOf(error)}); check FLAREFLOW_PUBLISHER_URL`, { cause: error });
  }
  if (served !== summaryBytes) throw new ConnectorError("integrity", `publisher: ${url} serves other bytes than were published`);
  const next: WindowRecord = { ...record, stage: "published" };
  ctx.state.put(next);
  logStage(ctx.log, window, "published", { url });
  return next;
}
