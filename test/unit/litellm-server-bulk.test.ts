/**
 * The stand-in's spend-log paging on a large window (kept in order between requests rather than
 * sorted per page) answers exactly as a filter-and-sort of every row would, as rows arrive and as
 * LiteLLM's batch delay makes them visible; the bulk loader for benchmarks writes rows readable
 * like any other.
 */
import { afterEach, describe, expect, it } from "vitest";
import { syntheticSpendRows } from "../../src/litellm-server/synthetic-rows";
import type { SpendLogRecord } from "../../src/litellm-server/types";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { fixedClock, MASTER, startServer, T0 } from "./litellm-helpers";

type Row = Omit<SpendLogRecord, "seq">;

describe("spend-log paging over bulk-loaded rows", () => {
  let server: LiteLLMServerHandle | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function page(q: Record<string, string | number>): Promise<{ data: { request_id: string; startTime: string }[]; total: number; total_is_capped: boolean }> {
    const url = new URL(`${server?.url}/spend/logs/v2`);
    for (const [k, v] of Object.entries(q)) url.searchParams.set(k, String(v));
    const res = await fetch(url, { headers: { Authorization: `Bearer ${MASTER}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Awaited<ReturnType<typeof page>>;
  }

  it("pages newest first (ties: last written first), counts up to the cap, and follows new and newly visible rows", async () => {
    const clock = fixedClock(T0 + 3_600_000);
    server = await startServer({ now: clock.now, spendLogsCountCap: 10_000 });
    const rows: Row[] = [
      ...syntheticSpendRows({ rows: 12_000, startMs: T0, spanMs: 600_000, subscriptions: 50, idPrefix: "a", seed: 7 }),
      // Equal start times: the later write comes first.
      ...syntheticSpendRows({ rows: 3, startMs: T0 + 100_000, spanMs: 1, subscriptions: 1, idPrefix: "tie" }),
      // Not yet written by LiteLLM's batch writer.
      ...syntheticSpendRows({ rows: 5, startMs: T0 + 200_000, spanMs: 5, subscriptions: 1, idPrefix: "later", visibleAt: T0 + 3_700_000 }),
    ];
    expect(server.loadSpendLogs(rows)).toBe(rows.length);

    const inWindow = (lo: number, hi: number, now: number) =>
      rows
        .map((r, seq) => ({ r, seq }))
        .filter(({ r }) => r.visible_at <= now && Date.parse(r.startTime) >= lo && Date.parse(r.startTime) <= hi)
        .sort((a, b) => Date.parse(b.r.startTime) - Date.parse(a.r.startTime) || b.seq - a.seq)
        .map(({ r }) => r.request_id);

    const lo = T0 + 60_000;
    const hi = T0 + 420_000;
    const q = { start_date: "2026-03-01 12:01:00", end_date: "2026-03-01 12:07:00", page_size: 1000 };
    const expected = inWindow(lo, hi, clock.now());
    const got: string[] = [];
    for (let p = 1; ; p++) {
      const answer = await page({ ...q, page: p });
      if (p === 1) expect(answer).toMatchObject({ total: Math.min(10_000, expected.length), total_is_capped: expected.length > 10_000 });
      if (answer.data.length === 0) break;
      got.push(...answer.data.map((r) => r.request_id));
    }
    expect(got).toEqual(expected);
    expect(got.indexOf("chatcmpl-tie-2")).toBeLessThan(got.indexOf("chatcmpl-tie-0"));
    expect(got.some((id) => id.startsWith("chatcmpl-later"))).toBe(false);

    // A filter reads the same run of rows.
    const key = rows[10]?.api_key ?? "";
    const byKey = await page({ ...q, api_key: key, page_size: 1000 });
    expect(byKey.data.map((r) => r.request_id)).toEqual(expected.filter((id) => rows.find((r) => r.request_id === id)?.api_key === key).slice(0, 1000));

    const readAll = async () => {
      const ids: string[] = [];
      for (let p = 1; ; p++) {
        const answer = await page({ ...q, page: p });
        if (answer.data.length === 0) return ids;
        ids.push(...answer.data.map((r) => r.request_id));
      }
    };
    // The batch writer catches up: the rows show on the next read, with nothing else changed.
    clock.set(T0 + 3_700_000);
    expect(await readAll()).toEqual(inWindow(lo, hi, clock.now()));
    expect(inWindow(lo, hi, clock.now())).toContain("chatcmpl-later-4");
    // A new row arrives.
    const fresh = [...syntheticSpendRows({ rows: 1, startMs: T0 + 300_000, spanMs: 1, subscriptions: 1, idPrefix: "new" })];
    server.loadSpendLogs(fresh);
    rows.push(...fresh);
    const everything = await readAll();
    expect(everything).toEqual(inWindow(lo, hi, clock.now()));
    expect(everything.length).toBe(expected.length + 6);
    expect(everything).toContain("chatcmpl-new-0");
    expect(everything).toContain("chatcmpl-later-4");
    // Turning the clock back hides the rows again (the view is rebuilt, not trusted).
    clock.set(T0 + 3_600_000);
    const back = await readAll();
    expect(back).toEqual(inWindow(lo, hi, clock.now()));
    expect(back.some((id) => id.startsWith("chatcmpl-later"))).toBe(false);
  });
});
