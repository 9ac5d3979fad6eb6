import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Aggregator, aggregateNaive, type SpendRowFields } from "../../src/connector/aggregate";
import { requestsRoot, type LineRequests } from "../../src/report";
import { parseReportDocument, reportDocument, serializeDocument, summaryDocument } from "../../src/connector/report-doc";
import { publishDocuments, startPublisher, type Publisher } from "../../src/connector/publish";
import { ConnectorState, type WindowRecord } from "../../src/connector/state";
import { Connector } from "../../src/connector/pipeline";
import { MAX_LINES_PER_TRANSACTION, localConnectorConfig } from "../../src/connector/config";
import { processWeb2Json, FLARE_FETCH_POLICY } from "../../src/flare-local/web2json-fetch";
import { requestBodyFor } from "../../src/connector/attest";
import { DEFAULT_PRICING } from "../../src/pricing";
import { decodeSummary, summarize } from "../../src/report";
import { rootOf } from "./fixtures/request-roots";

const row = (id: string, alias: string | null, model: string, tokens: number, status = "success"): SpendRowFields => ({
  request_id: id,
  api_key: "a".repeat(64),
  model,
  model_group: model,
  total_tokens: tokens,
  startTime: "2026-03-01T12:00:00.000Z",
  status,
  metadata: { user_api_key_alias: alias },
});

describe("connector aggregation", () => {
  it("sums per subscription and family, across rotated keys, mapping unknown models to the default family", () => {
    const agg = new Aggregator(DEFAULT_PRICING);
    agg.add(row("1", "ff-7", "gpt-4o", 100));
    agg.add(row("2", "ff-7-r2", "gpt-4-turbo", 50));
    agg.add(row("3", "ff-7", "mystery-model", 5));
    agg.add(row("4", "ff-3", "claude-3-haiku", 9));
    agg.add(row("5", "other-team", "gpt-4o", 1000));
    agg.add(row("6", "ff-3", "claude-3-haiku", 0, "failure"));
    expect(agg.add(row("1", "ff-7", "gpt-4o", 100))).toBe(false);
    const r = agg.result();
    expect(r.lines).toEqual([
      { subscriptionId: 3n, family: "claude", tokens: 9n, requests: 1n, requestsRoot: requestsRoot([{ requestId: "4", tokens: 9n }]) },
      { subscriptionId: 7n, family: "", tokens: 5n, requests: 1n, requestsRoot: requestsRoot([{ requestId: "3", tokens: 5n }]) },
      { subscriptionId: 7n, family: "gpt-4", tokens: 150n, requests: 2n, requestsRoot: requestsRoot([{ requestId: "2", tokens: 50n }, { requestId: "1", tokens: 100n }]) },
    ]);
    // Each line's requests, as the customer's leaves: across rotated keys, in the order read.
    expect(r.leaves).toEqual([
      { ids: ["4"], tokens: [9] },
      { ids: ["3"], tokens: [5] },
      { ids: ["1", "2"], tokens: [100, 50] },
    ]);
    expect(r.requestIds.sort()).toEqual(["1", "2", "3", "4"]);
    expect(r.ignored).toEqual({ failed: 1, foreign: 1, alreadyReported: 1 });
  });

  it("bills a model at the default family when its configured family could not go in a report (a pricing read from elsewhere than the chain)", () => {
    const odd = { ...DEFAULT_PRICING, modelFamilies: { ...DEFAULT_PRICING.modelFamilies, "odd-model": "f".repeat(32) } };
    const agg = new Aggregator(odd);
    agg.add(row("1", "ff-7", "odd-model", 10));
    expect(agg.result().lines.map((l) => [l.subscriptionId, l.family, l.tokens])).toEqual([[7n, "", 10n]]);
  });

  it("leaves out rows an earlier window reported (late usage is counted once)", () => {
    const agg = new Aggregator(DEFAULT_PRICING, new Set(["old"]));
    agg.add(row("old", "ff-1", "gpt-4o", 10));
    agg.add(row("late", "ff-1", "gpt-4o", 20));
    expect(agg.result().lines).toEqual([{ subscriptionId: 1n, family: "gpt-4", tokens: 20n, requests: 1n, requestsRoot: requestsRoot([{ requestId: "late", tokens: 20n }]) }]);
  });

  it("agrees with the naive baseline", () => {
    const rows = Array.from({ length: 2000 }, (_, i) => row(`r${i}`, i % 7 === 0 ? "x" : `ff-${i % 13}${i % 5 === 0 ? "-r1" : ""}`, ["gpt-4o", "llama-3-8b", "zzz"][i % 3], i));
    const agg = new Aggregator(DEFAULT_PRICING);
    for (const r of rows) agg.add(r);
    expect(agg.result().lines).toEqual(aggregateNaive(rows, DEFAULT_PRICING));
  });

  it("refuses a row whose token count is not a count", () => {
    expect(() => new Aggregator(DEFAULT_PRICING).add(row("1", "ff-1", "gpt-4o", 1.5))).toThrow(/not a token count/);
  });

  it("counts as late only rows taken for a subscription", () => {
    const agg = new Aggregator(DEFAULT_PRICING, new Set(["seen"]));
    agg.add(row("a", "ff-1", "gpt-4o", 10), true);
    agg.add(row("b", "team-x", "gpt-4o", 10), true);
    agg.add(row("c", "ff-1", "gpt-4o", 10, "failure"), true);
    agg.add(row("seen", "ff-1", "gpt-4o", 10), true);
    agg.add(row("d", "ff-2", "gpt-4o", 10));
    expect(agg.result()).toMatchObject({ rows: 2, late: 1, ignored: { failed: 1, foreign: 1, alreadyReported: 1 } });
  });

  it("grouped sums (the database path) give what the same rows give one by one", () => {
    const models = [["gpt-4o", "azure/gpt-4o-2024-08-06"], ["", "anthropic/claude-3-5-sonnet-20241022"], ["house", "openai/house-1"]] as const;
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      ...row(`r${i}`, i % 11 === 0 ? "team-x" : i % 17 === 0 ? null : `ff-${i % 23}${i % 4 === 0 ? "-r2" : ""}`, models[i % 3]![1], (i * 37) % 4000, i % 29 === 0 ? "failure" : "success"),
      model_group: models[i % 3]![0],
    }));
    const oneByOne = new Aggregator(DEFAULT_PRICING);
    for (const r of rows) oneByOne.add(r);
    const groups = new Map<string, { alias: string; group: string; model: string; tokens: number; ids: string[]; tokensOf: number[] }>();
    let failed = 0;
    for (const r of rows) {
      if (r.status === "failure") {
        failed++;
        continue;
      }
      const alias = r.metadata.user_api_key_alias ?? "";
      const key = JSON.stringify([alias, r.model_group, r.model]);
      const g = groups.get(key) ?? { alias, group: r.model_group, model: r.model, tokens: 0, ids: [], tokensOf: [] };
      g.tokens += r.total_tokens;
      g.ids.push(r.request_id);
      g.tokensOf.push(r.total_tokens);
      groups.set(key, g);
    }
    const grouped = new Aggregator(DEFAULT_PRICING);
    for (const g of groups.values()) {
      const ours = g.alias.startsWith("ff-");
      grouped.addGroup(g.alias, g.group, g.model, { tokens: g.tokens, requests: g.ids.length, ids: ours ? g.ids : [], tokensOf: ours ? g.tokensOf : [] });
    }
    grouped.addIgnored({ failed });
    const a = oneByOne.result();
    const b = grouped.result();
    expect(b.lines).toEqual(a.lines);
    expect([...b.requestIds].sort()).toEqual([...a.requestIds].sort());
    const sorted = (l: LineRequests) => l.ids.map((id, i) => `${id} ${l.tokens[i]}`).sort();
    expect(b.leaves.map(sorted)).toEqual(a.leaves.map(sorted));
    expect({ rows: b.rows, late: b.late, ignored: b.ignored }).toEqual({ rows: a.rows, late: a.late, ignored: a.ignored });
  });

  it("refuses grouped sums that cannot be right", () => {
    expect(() => new Aggregator(DEFAULT_PRICING).addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: -1, requests: 1, ids: ["a"], tokensOf: [-1] })).toThrow(/not a token count/);
    expect(() => new Aggregator(DEFAULT_PRICING).addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: 2 ** 53, requests: 1, ids: ["a"], tokensOf: [2 ** 53] })).toThrow(/not a token count/);
    expect(() => new Aggregator(DEFAULT_PRICING).addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: 5, requests: 2, ids: ["a"], tokensOf: [5] })).toThrow(/1 request ids and 1 token counts for 2 rows/);
    expect(() => new Aggregator(DEFAULT_PRICING).addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: 5, requests: 2, ids: ["a", "b"], tokensOf: [2, 2] })).toThrow(/add up to 4, the group's sum is 5/);
    expect(() => new Aggregator(DEFAULT_PRICING).addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: 5, requests: 2, ids: ["a", "b"], tokensOf: [6, -1] })).toThrow(/-1 is not a token count/);
  });
});

describe("connector aggregation, edges", () => {
  const sums = (tokensOf: number[], requests = tokensOf.length, ids = tokensOf.map((_, i) => `q${i}`)) => ({ tokens: tokensOf.reduce((a, b) => a + b, 0), requests, ids, tokensOf });

  it("says whether a row was taken: a new row yes, a repeated, reported or failed one no", () => {
    const agg = new Aggregator(DEFAULT_PRICING, new Set(["old"]));
    expect(agg.add(row("a", "ff-1", "gpt-4o", 1))).toBe(true);
    expect(agg.add(row("a", "ff-1", "gpt-4o", 1))).toBe(false);
    expect(agg.add(row("old", "ff-1", "gpt-4o", 1))).toBe(false);
    expect(agg.add(row("f", "ff-1", "gpt-4o", 1, "failure"))).toBe(false);
    expect(() => agg.add(row("n", "ff-1", "gpt-4o", -1))).toThrow(/total_tokens -1 is not a token count/);
  });

  it("takes every subscription id a uint64 holds, and none past it", () => {
    const agg = new Aggregator(DEFAULT_PRICING);
    agg.add(row("a", "ff-18446744073709551615", "gpt-4o", 1));
    agg.add(row("b", "ff-18446744073709551616", "gpt-4o", 1));
    const r = agg.result();
    expect(r.lines.map((l) => l.subscriptionId)).toEqual([18446744073709551615n]);
    expect(r.ignored.foreign).toBe(1);
  });

  it("counts as foreign, never fails on, an ff- alias whose id is not a decimal number", () => {
    const agg = new Aggregator(DEFAULT_PRICING);
    for (const [i, alias] of ["ff-x7", "ff-7x", "ff-7.5", "ff-abc"].entries()) agg.add(row(`r${i}`, alias, "gpt-4o", 1));
    agg.add(row("ok", "ff-7", "gpt-4o", 1));
    const r = agg.result();
    expect(r.lines.map((l) => l.subscriptionId)).toEqual([7n]);
    expect(r.ignored.foreign).toBe(4);
  });

  it("hands out its requests without copying them, so it takes no row after its result", () => {
    const agg = new Aggregator(DEFAULT_PRICING);
    agg.add(row("a", "ff-1", "gpt-4o", 3));
    agg.add(row("b", "ff-1-r1", "gpt-4o", 4));
    agg.add(row("c", "ff-2", "gpt-4o", 5));
    const first = agg.result();
    expect(first.leaves).toEqual([
      { ids: ["a", "b"], tokens: [3, 4] },
      { ids: ["c"], tokens: [5] },
    ]);
    expect(() => agg.add(row("d", "ff-2", "gpt-4o", 6))).toThrow(/^rows added after the aggregator's result was taken$/);
    expect(() => agg.addGroup("ff-2", "gpt-4o", "gpt-4o", sums([6]))).toThrow(/^rows added after the aggregator's result was taken$/);
    // Asked again, the same result: nothing was added to the arrays the first one holds.
    expect(agg.result()).toEqual(first);
    expect(first.leaves[1]).toEqual({ ids: ["c"], tokens: [5] });
  });

  it("refuses a window whose tokens of one key sum past 2^53", () => {
    const agg = new Aggregator(DEFAULT_PRICING);
    agg.add(row("a", "ff-1", "gpt-4o", Number.MAX_SAFE_INTEGER));
    agg.add(row("b", "ff-1", "gpt-4o", 1));
    expect(() => agg.result()).toThrow(/^key ff-1: token sum exceeds 2\^53 in one window$/);
  });

  it("grouped sums: an empty group adds no line, a zero-token request counts, bad counts are refused even for keys not ours", () => {
    const empty = new Aggregator(DEFAULT_PRICING);
    empty.addGroup("ff-1", "gpt-4o", "gpt-4o", sums([]));
    expect(empty.result().lines).toEqual([]);
    const zero = new Aggregator(DEFAULT_PRICING);
    zero.addGroup("ff-1", "gpt-4o", "gpt-4o", sums([0, 5]));
    expect(zero.result().lines).toMatchObject([{ subscriptionId: 1n, tokens: 5n, requests: 2n }]);
    const agg = new Aggregator(DEFAULT_PRICING);
    expect(() => agg.addGroup("team-x", "gpt-4o", "gpt-4o", { tokens: -1, requests: 1, ids: [], tokensOf: [] })).toThrow(/^key team-x: token sum -1 is not a token count$/);
    expect(() => agg.addGroup("team-x", "gpt-4o", "gpt-4o", { tokens: 1.5, requests: 1, ids: [], tokensOf: [] })).toThrow(/token sum 1.5 is not a token count/);
    for (const requests of [-1, 1.5]) {
      expect(() => agg.addGroup("team-x", "gpt-4o", "gpt-4o", { tokens: 1, requests, ids: [], tokensOf: [] })).toThrow(new RegExp(`^key team-x: ${requests} is not a row count$`));
    }
    expect(() => agg.addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: 5, requests: 2, ids: ["a", "b"], tokensOf: [5] })).toThrow(/2 request ids and 1 token counts for 2 rows/);
    expect(() => agg.addGroup("ff-1", "gpt-4o", "gpt-4o", { tokens: 5, requests: 2, ids: ["a"], tokensOf: [2, 3] })).toThrow(/1 request ids and 2 token counts for 2 rows/);
  });

  it("counts the rows the database path left out as already reported", () => {
    const agg = new Aggregator(DEFAULT_PRICING);
    agg.addIgnored({ alreadyReported: 3, failed: 2 });
    agg.addIgnored({ alreadyReported: 1 });
    expect(agg.result().ignored).toEqual({ failed: 2, foreign: 0, alreadyReported: 4 });
  });

  it("the naive baseline leaves failed calls out too", () => {
    expect(aggregateNaive([row("a", "ff-1", "gpt-4o", 7, "failure")], DEFAULT_PRICING)).toEqual([]);
  });
});

describe("report documents", () => {
  const lines = [
    { subscriptionId: 1n, family: "gpt-4", tokens: 10n, requests: 1n, requestsRoot: rootOf(5) },
    { subscriptionId: 2n, family: "", tokens: 18446744073709551615n - 10n, requests: 3n, requestsRoot: rootOf(6) },
  ];
  it("round-trips exactly, uint64 as decimal strings", () => {
    const doc = reportDocument(9n, lines);
    const parsed = parseReportDocument(JSON.parse(serializeDocument(doc)));
    expect(parsed.lines).toEqual(lines);
    expect(parsed.summary).toEqual(summarize(9n, lines));
  });
  it("refuses a report whose digest, count or lines do not agree", () => {
    const doc = reportDocument(9n, lines);
    expect(() => parseReportDocument({ ...doc, digest: `0x${"1".repeat(64)}` })).toThrow(/not the digest/);
    expect(() => parseReportDocument({ ...doc, lineCount: "3" })).toThrow(/lineCount/);
    expect(() => parseReportDocument({ ...doc, lines: [...doc.lines].reverse() })).toThrow(/invalid/);
    expect(() => parseReportDocument({ ...doc, window: 9 })).toThrow(/decimal uint64/);
  });
});

describe("publisher and the Flare stand-in's fetch", () => {
  let dir: string;
  let publisher: Publisher;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-pub-"));
    publisher = await startPublisher({ stateDir: dir });
  });
  afterAll(async () => {
    await publisher.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const lines = [{ subscriptionId: 4n, family: "llama", tokens: 1234n, requests: 2n, requestsRoot: rootOf(7) }];

  it("serves immutable application/json and refuses to change a published report", async () => {
    const doc = reportDocument(77n, lines);
    const summary = serializeDocument(summaryDocument(summarize(77n, lines)));
    const state = new ConnectorState(dir);
    // The publisher serves a window only beside the digest the connector recorded for it.
    state.put({ window: "77", stage: "aggregated", updatedAt: "", summary: { digest: doc.digest, lineCount: doc.lineCount, totalTokens: doc.totalTokens }, rows: { count: 2, late: 0 } });
    publishDocuments(state.publishedDir, 77n, serializeDocument(doc), summary);
    publishDocuments(state.publishedDir, 77n, serializeDocument(doc), summary);
    expect(() => publishDocuments(state.publishedDir, 77n, serializeDocument(doc), summary.replace("1234", "1235"))).toThrow(/never changes/);
    const res = await fetch(`${publisher.url}/reports/77/summary`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(await res.text()).toBe(summary);
    expect((await fetch(`${publisher.url}/reports/78/summary`)).status).toBe(404);
    expect((await fetch(`${publisher.url}/reports/77`, { method: "POST" })).status).toBe(405);
  });

  it("the stand-in fetches the summary, applies the pinned jq filter and ABI-encodes the tuple", async () => {
    const body = requestBodyFor(publisher.url, 77n);
    const local = await processWeb2Json(body, { ...FLARE_FETCH_POLICY, allowLoopbackHttp: true });
    expect(local.status).toBe("VALID");
    if (local.status === "VALID") expect(decodeSummary(local.abiEncodedData)).toEqual(summarize(77n, lines));
    // Flare's own policy: https only.
    expect((await processWeb2Json(body, FLARE_FETCH_POLICY)).status).toBe("INVALID: INVALID SOURCE URL");
    expect((await processWeb2Json(requestBodyFor(publisher.url, 78n), { ...FLARE_FETCH_POLICY, allowLoopbackHttp: true })).status).toBe("INVALID: FETCH ERROR");
  });
});

describe("connector state", () => {
  it("refuses a state made with another window length", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-state-"));
    const state = new ConnectorState(dir);
    state.meta({ network: "local", windowSeconds: 300 }, () => 5n);
    expect(() => new ConnectorState(dir).meta({ network: "local", windowSeconds: 30 }, () => 5n)).toThrow(/300-s windows/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("an idle poll reads the next window's record, not every window of its history", async () => {
    // A year of 5-minute windows is 105,120 records: a poll that reads them all gets slower every day.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-state-"));
    const settled = (w: number): WindowRecord => ({ window: String(w), stage: "settled", updatedAt: "", summary: { digest: `0x${"0".repeat(64)}`, lineCount: "1", totalTokens: "1" }, rows: { count: 1, late: 0 } }) as unknown as WindowRecord;
    const state = new ConnectorState(dir);
    for (let w = 2000; w < 3000; w++) state.put(settled(w));
    let nowMs = 3000 * 300_000 + 1000;
    const config = { ...localConnectorConfig({ FLAREFLOW_VERIFIER_ADDRESS: "0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01" }), stateDir: dir, windowSeconds: 300, closeDelaySeconds: 0, now: () => nowMs };
    const connector = new Connector(config);
    expect(await connector.tick()).toEqual({ progressed: false, lastDone: undefined });
    const reads = vi.spyOn(connector.state, "get");
    const scans = vi.spyOn(connector.state, "all");
    for (let i = 0; i < 5; i++) expect(await connector.tick()).toEqual({ progressed: false, lastDone: undefined });
    expect(scans).not.toHaveBeenCalled();
    expect(reads.mock.calls.length).toBeLessThanOrEqual(5);
    // It still takes the next window once it closes (uninitialised here, so the attempt says so).
    nowMs += 300_000;
    await expect(connector.tick()).rejects.toThrow(/call init\(\) first/);
    expect(reads.mock.calls.at(-1)?.[0]).toBe(3000n);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("connector configuration", () => {
  const env = { FLAREFLOW_VERIFIER_ADDRESS: "0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01" };
  it("never plans more lines per Flow transaction than the worst case proven to fit", () => {
    expect(localConnectorConfig(env).maxLinesPerTransaction).toBe(MAX_LINES_PER_TRANSACTION);
    expect(localConnectorConfig({ ...env, FLAREFLOW_MAX_LINES_PER_TX: "100" }).maxLinesPerTransaction).toBe(100);
    for (const bad of [String(MAX_LINES_PER_TRANSACTION + 1), "5000", "0"]) {
      expect(() => localConnectorConfig({ ...env, FLAREFLOW_MAX_LINES_PER_TX: bad })).toThrow(`FLAREFLOW_MAX_LINES_PER_TX must be 1 to ${MAX_LINES_PER_TRANSACTION}`);
    }
  });
});
