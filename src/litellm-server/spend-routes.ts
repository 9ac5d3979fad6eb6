/**
 * GET /spend/logs/v2 (and /spend/logs/ui, the same handler), as LiteLLM 1.110.2's
 * `ui_view_spend_logs` answers it (proxy/spend_tracking/spend_management_endpoints.py): both
 * dates required ("YYYY-MM-DD HH:MM:SS" or, on v2, "YYYY-MM-DD", UTC, inclusive), page >= 1,
 * 1 <= page_size <= 1000 (default 50), rows newest first, and a count that stops at
 * SPEND_LOGS_PAGINATION_COUNT_CAP: past it `total` is the cap, `total_is_capped` is true and
 * `total_pages` is computed from the cap, so the last pages are never announced.
 */
import type { RouteResult, ServerContext } from "./context";
import { proxyError } from "./errors";
import { queryInt } from "./http";
import type { SpendLogRecord } from "./types";

function parseLiteLLMDate(text: string, allowDateOnly: boolean): number | null {
  const t = text.trim();
  const full = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(t);
  const day = allowDateOnly ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(t) : null;
  const m = full ?? day;
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // strptime refuses 2026-02-30 and 25:00:00 rather than rolling them over.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h || back.getUTCMinutes() !== mi) return null;
  return ms;
}

/** The first index of a descending array where `ok` holds (ok is monotone along it); the length if none. */
function firstIndex(sorted: Float64Array, ok: (t: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(sorted[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function publicRow(r: SpendLogRecord): Record<string, unknown> {
  const { visible_at: _v, seq: _s, ...row } = r;
  return { ...row, messages: {}, response: {}, proxy_server_request: {} };
}

export function spendLogs(ctx: ServerContext, query: URLSearchParams, path: string): RouteResult {
  const isV2 = path === "/spend/logs/v2";
  const start = query.get("start_date");
  const end = query.get("end_date");
  if (start === null || end === null) throw proxyError(400, "bad_request", "Start date and end date are required");
  const lo = parseLiteLLMDate(start, isV2);
  const hi = parseLiteLLMDate(end, isV2);
  if (lo === null || hi === null) {
    const expected = isV2 ? "'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS'" : "'YYYY-MM-DD HH:MM:SS'";
    throw proxyError(400, "invalid_request_error", `Invalid date format: ${(lo === null ? start : end).trim()}. Expected: ${expected}`);
  }
  const page = queryInt(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = queryInt(query, "page_size", 50, 1, 1000);
  const filters = (
    [
      ["api_key", query.get("api_key")],
      ["user", query.get("user_id")],
      ["request_id", query.get("request_id")],
      ["model", query.get("model")],
      ["model_group", query.get("model_group")],
      ["team_id", query.get("team_id")],
    ] as Array<[keyof SpendLogRecord, string | null]>
  ).filter((f): f is [keyof SpendLogRecord, string] => f[1] !== null);
  // The rows with lo <= startTime <= hi are one run of the view (ordered by startTime descending).
  const view = ctx.store.visibleNewestFirst(ctx.now());
  const first = firstIndex(view.startMs, (t) => t <= hi);
  const past = Math.max(first, firstIndex(view.startMs, (t) => t < lo));
  const offset = (page - 1) * pageSize;
  let total: number;
  let data: SpendLogRecord[];
  if (filters.length === 0) {
    total = past - first;
    data = view.rows.slice(Math.min(past, first + offset), Math.min(past, first + offset + pageSize)) as SpendLogRecord[];
  } else {
    const rows: SpendLogRecord[] = [];
    for (let i = first; i < past; i++) {
      const r = view.rows[i] as SpendLogRecord;
      if (filters.every(([name, want]) => r[name] === want)) rows.push(r);
    }
    total = rows.length;
    data = rows.slice(offset, offset + pageSize);
  }
  const capped = total > ctx.spendLogsCountCap;
  if (capped) total = ctx.spendLogsCountCap;
  return {
    status: 200,
    body: {
      data: data.map(publicRow),
      total,
      page,
      page_size: pageSize,
      total_pages: Math.ceil(total / pageSize),
      total_is_capped: capped,
    },
  };
}
