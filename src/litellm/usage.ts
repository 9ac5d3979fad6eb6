/**
 * Builds the seed's getKeyUsage shape from spend-log rows. Pure, so the page
 * can be fed from any source of rows and the sums can be tested alone.
 */
import { utcDay } from "./dates";
import type { DailyUsage, KeyUsage, RecentRequest, SpendLogRow } from "./types";

export const RECENT_REQUESTS_LIMIT = 10;

/** Spend is USD with float noise from LiteLLM; 1e-10 keeps sums stable and far below a cent. */
function roundCost(x: number): number {
  return Math.round(x * 1e10) / 1e10;
}

export function aggregateUsage(rows: readonly SpendLogRow[]): KeyUsage {
  const byModel = new Map<string, { requests: number; tokens: number; cost: number }>();
  const byDay = new Map<string, DailyUsage>();
  let totalTokens = 0;
  let totalCost = 0;
  for (const row of rows) {
    // model_group is the name the customer asked for; model may be the provider's deployment name.
    const model = row.model_group ?? row.model;
    const m = byModel.get(model) ?? { requests: 0, tokens: 0, cost: 0 };
    m.requests += 1;
    m.tokens += row.total_tokens;
    m.cost += row.spend;
    byModel.set(model, m);
    const date = utcDay(row.startTime);
    const d = byDay.get(date) ?? { date, requests: 0, tokens: 0, cost: 0 };
    d.requests += 1;
    d.tokens += row.total_tokens;
    d.cost += row.spend;
    byDay.set(date, d);
    totalTokens += row.total_tokens;
    totalCost += row.spend;
  }
  const model_breakdown: KeyUsage["model_breakdown"] = {};
  for (const [model, m] of [...byModel.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    model_breakdown[model] = { requests: m.requests, tokens: m.tokens, cost: roundCost(m.cost) };
  }
  const recent_requests: RecentRequest[] = [...rows]
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || b.request_id.localeCompare(a.request_id))
    .slice(0, RECENT_REQUESTS_LIMIT)
    .map((r) => ({
      request_id: r.request_id,
      model: r.model_group ?? r.model,
      prompt_tokens: r.prompt_tokens,
      completion_tokens: r.completion_tokens,
      total_tokens: r.total_tokens,
      cost: r.spend,
      timestamp: r.startTime,
    }));
  const daily_usage = [...byDay.values()]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((d) => ({ ...d, cost: roundCost(d.cost) }));
  return {
    usage_summary: { total_requests: rows.length, total_tokens: totalTokens, total_cost: roundCost(totalCost) },
    model_breakdown,
    recent_requests,
    daily_usage,
  };
}
