/**
 * GET /spend/logs/v2 (and the older /spend/logs/ui path it replaced): paged
 * spend-log rows, newest first, as ui_view_spend_logs answers them.
 */
import type { RouteResult, ServerContext } from "./context";
import { proxyError } from "./errors";
import { queryInt } from "./http";
import type { SpendLogRecord } from "./types";

/** "YYYY-MM-DD HH:MM:SS", UTC, the only format the endpoint accepts. */
function parseLiteLLMDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? null : ms;
}

function publicRow(r: SpendLogRecord): Record<string, unknown> {
  const { visible_at: _v, seq: _s, ...row } = r;
  return { ...row, messages: {}, response: {}, proxy_server_request: {} };
}

export function spendLogs(ctx: ServerContext, query: URLSearchParams): RouteResult {
  const start = query.get("start_date");
  const end = query.get("end_date");
  if (start === null || end === null) throw proxyError(400, "bad_request", "Start date and end date are required");
  const lo = parseLiteLLMDate(start);
  const hi = parseLiteLLMDate(end);
  if (lo === null || hi === null) {
    throw proxyError(500, "internal_server_error", `Internal Server Error, time data '${lo === null ? start : end}' does not match format '%Y-%m-%d %H:%M:%S'`);
  }
  const page = queryInt(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = queryInt(query, "page_size", 50, 1, 100);
  const apiKey = query.get("api_key");
  const user = query.get("user_id");
  const requestId = query.get("request_id");
  const model = query.get("model");
  const rows = ctx.store
    .visibleLogs(ctx.now())
    .filter((r) => {
      const t = Date.parse(r.startTime);
      return (
        t >= lo &&
        t <= hi &&
        (apiKey === null || r.api_key === apiKey) &&
        (user === null || r.user === user) &&
        (requestId === null || r.request_id === requestId) &&
        (model === null || r.model === model)
      );
    })
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || b.seq - a.seq);
  return {
    status: 200,
    body: {
      data: rows.slice((page - 1) * pageSize, page * pageSize).map(publicRow),
      total: rows.length,
      page,
      page_size: pageSize,
      total_pages: Math.ceil(rows.length / pageSize),
    },
  };
}
