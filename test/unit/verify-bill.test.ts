import { describe, expect, it } from "vitest";
import { DEFAULT_PRICING, graduatedCostUnits, multiplierFor, parseUFix64, UNITS_PER_FLOW, type PricingConfig } from "../../src/pricing";
import { requestsRoot, type UsageLine } from "../../src/report";
import { reportDocument, serializeDocument, summaryDocument } from "../../src/connector/report-doc";
import { summarize } from "../../src/report";
import { verifyBill } from "../../src/verify/bill";
import { ClientLogError, parseClientLog } from "../../src/verify/client-log";
import { InvalidLeavesError, parseWindowLeaves, type WindowLeaves } from "../../src/verify/leaves-doc";
import { recomputeCharges } from "../../src/verify/recompute";
import { quoteId } from "../../src/verify/quote";
import { checkRequests } from "../../src/verify/requests-check";
import type { BillSources, ChargedLine, SettledWindow, SubscriptionFacts } from "../../src/verify/sources";

const SUB: SubscriptionFacts = { customer: "0x01", createdAt: 1_000n * UNITS_PER_FLOW, billingPeriod: 3_000n * UNITS_PER_FLOW };
const WS = 300n;

let seq = 0;
const charge = (window: bigint, family: string, tokens: bigint, cost: bigint, over: Partial<ChargedLine> = {}): ChargedLine => ({
  subscriptionId: 7n,
  window,
  family,
  tokens,
  paidTokens: tokens,
  cost,
  charged: cost,
  transactionId: "ab".repeat(32),
  blockHeight: ++seq,
  transactionIndex: 0,
  eventIndex: 0,
  ...over,
});
const price = (family: string, tokens: bigint, position: bigint, p: PricingConfig = DEFAULT_PRICING) => graduatedCostUnits(p.tiers, multiplierFor(p, family), position, tokens);

describe("recomputeCharges", () => {
  it("prices each line after the period's paid tokens, crossing tiers, and rolls the period like the contract", () => {
    const w = (t: bigint) => t / WS; // the window starting at unix time t
    const lines = [
      charge(w(1_200n), "gpt-4", 90_000n, price("gpt-4", 90_000n, 0n)),
      charge(w(1_500n), "claude", 20_000n, price("claude", 20_000n, 90_000n)),
      // Next period (starts at 4,000): the position starts again at 0.
      charge(w(4_200n), "gpt-4", 1_000n, price("gpt-4", 1_000n, 0n)),
      // A late line of an earlier window counts in the counters' period.
      charge(w(3_600n), "llama", 1_000n, price("llama", 1_000n, 1_000n)),
    ];
    const out = recomputeCharges(SUB, [DEFAULT_PRICING], WS, lines);
    expect(out.map((r) => r.problems)).toEqual([[], [], [], []]);
    expect(out.map((r) => r.cost)).toEqual(lines.map((l) => l.cost));
  });

  it("names a line priced otherwise, and checks a partial charge's paid tokens", () => {
    const full = price("gpt-4", 10_000n, 0n);
    const [wrong] = recomputeCharges(SUB, [DEFAULT_PRICING], WS, [charge(10n, "gpt-4", 10_000n, full + 1n)]);
    expect(wrong.problems[0]).toBe(`family gpt-4, 10000 tokens after 0 this period: priced 0.30000001 FLOW, but pricing version 0 in force at the window's start gives 0.3 FLOW`);
    const half = full / 2n;
    const [partial] = recomputeCharges(SUB, [DEFAULT_PRICING], WS, [charge(10n, "gpt-4", 10_000n, full, { charged: half, paidTokens: 5_000n })]);
    expect(partial.problems).toEqual([]);
    expect(partial.charged).toBe(half);
    const [badPaid] = recomputeCharges(SUB, [DEFAULT_PRICING], WS, [charge(10n, "gpt-4", 10_000n, full, { charged: half, paidTokens: 9_000n })]);
    expect(badPaid.problems[0]).toMatch(/9000 tokens recorded as paid, [\d.]+ FLOW pays for 5000/);
    const [over] = recomputeCharges(SUB, [DEFAULT_PRICING], WS, [charge(10n, "gpt-4", 10_000n, full, { charged: full + 1n })]);
    expect(over.problems.join()).toMatch(/more than its price/);
  });

  it("prices each line by the version in force at its window's start", () => {
    const later: PricingConfig = { ...DEFAULT_PRICING, version: 1n, effectiveFrom: 2_000n * UNITS_PER_FLOW, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": parseUFix64("3.0") } };
    const before = charge(1_500n / WS, "gpt-4", 1_000n, price("gpt-4", 1_000n, 0n));
    const after = charge(2_100n / WS, "gpt-4", 1_000n, price("gpt-4", 1_000n, 1_000n, later));
    expect(recomputeCharges(SUB, [{ ...DEFAULT_PRICING, version: 0n, effectiveFrom: 0n }, later], WS, [before, after]).map((r) => r.problems)).toEqual([[], []]);
  });
});

describe("client log", () => {
  it("reads OpenAI-compatible responses, one per line", () => {
    const log = parseClientLog('{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}\n\n{"id":"b","created":1,"usage":{"total_tokens":0}}\n');
    expect([...log.values()].map((e) => [e.id, e.totalTokens, e.line])).toEqual([
      ["chatcmpl-1", 7n, 1],
      ["b", 0n, 3],
    ]);
  });
  it("refuses a malformed line, naming it", () => {
    for (const [text, message] of [
      ["not json", /line 1 is not JSON/],
      ['{"id":"a","created":1}', /line 1 \("a"\) has no usage.total_tokens/],
      ['{"created":1,"usage":{"total_tokens":1}}', /no response id/],
      ['{"id":"a","usage":{"total_tokens":1}}', /no created time/],
      ['{"id":"a","created":1,"usage":{"total_tokens":1.5}}', /no usage.total_tokens/],
      ['{"id":"a","created":1,"usage":{"total_tokens":1}}\n{"id":"a","created":2,"usage":{"total_tokens":1}}', /line 2 repeats response id "a" \(line 1\)/],
    ] as const) {
      expect(() => parseClientLog(text)).toThrow(ClientLogError);
      expect(() => parseClientLog(text)).toThrow(message);
    }
  });
});

const leaf = (requestId: string, tokens: bigint) => ({ requestId, tokens });

describe("leaves", () => {
  it("parse only well-formed documents for the window asked", () => {
    const good = { window: "5", lines: [{ subscriptionId: "7", family: "gpt-4", requestsRoot: requestsRoot([leaf("a", 1n)]), requests: [{ requestId: "a", tokens: "1" }] }] };
    expect(parseWindowLeaves(good, 5n).lines[0].requests).toEqual([{ requestId: "a", tokens: "1" }]);
    for (const bad of [
      { ...good, window: "6" },
      { ...good, lines: [{ ...good.lines[0], requestsRoot: "0x12" }] },
      { ...good, lines: [{ ...good.lines[0], requests: [{ requestId: "a\uD800", tokens: "1" }] }] },
      { ...good, lines: [{ ...good.lines[0], requests: [{ requestId: "a", tokens: "-1" }] }] },
      { ...good, lines: [{ ...good.lines[0], family: "x".repeat(32) }] },
      { ...good, lines: "no" },
      null,
    ]) {
      expect(() => parseWindowLeaves(bad, 5n)).toThrow(InvalidLeavesError);
    }
  });
});

describe("checkRequests", () => {
  const requests = [leaf("r1", 10n), leaf("r2", 20n)];
  const line: UsageLine = { subscriptionId: 7n, family: "gpt-4", tokens: 30n, requests: 2n, requestsRoot: requestsRoot(requests) };
  const leaves = (rs = requests, root = line.requestsRoot): WindowLeaves[] => [{ window: "5", lines: [{ subscriptionId: "7", family: "gpt-4", requestsRoot: root, requests: rs.map((r) => ({ requestId: r.requestId, tokens: r.tokens.toString() })) }] }];
  const logOf = (entries: [string, number, number][]) => parseClientLog(entries.map(([id, created, t]) => JSON.stringify({ id, created, usage: { total_tokens: t } })).join("\n"));
  const run = (l: WindowLeaves[], log = logOf([["r1", 1500, 10], ["r2", 1500, 20]])) => checkRequests([{ window: 5n, lines: [line] }], l, log, 7n, { from: 1500, until: 2000 });

  it("agree when the client log holds exactly the leaves under the attested root", () => {
    const out = run(leaves());
    expect(out.problems).toEqual([]);
    expect(out.byWindow.get(5n)).toEqual({ requests: 2, problems: [] });
  });
  it("print a hostile request id inert: no terminal escape or direction override reaches the screen", () => {
    const hostile = "r9\u001b[2K\r\u009b31m\u202e\u2028ok";
    const all = [...requests, leaf(hostile, 5n)];
    const hostileLine: UsageLine = { ...line, tokens: 35n, requests: 3n, requestsRoot: requestsRoot(all) };
    const out = checkRequests([{ window: 5n, lines: [hostileLine] }], leaves(all, hostileLine.requestsRoot), logOf([["r1", 1500, 10], ["r2", 1500, 20]]), 7n, { from: 1500, until: 2000 });
    const problem = out.byWindow.get(5n)?.problems[0] ?? "";
    expect(problem).toBe('request billed that your client log does not have: "r9\\u001b[2K\\r\\u009b31m\\u202e\\u2028ok" (5 tokens) in window 5, gpt-4');
    expect(problem).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029]/);
    expect(quoteId("plain-id")).toBe('"plain-id"');
  });
  it("name a billed request the log lacks, one billed with other tokens, and one logged but never billed", () => {
    expect(run(leaves(), logOf([["r1", 1500, 10]])).byWindow.get(5n)?.problems).toEqual(['request billed that your client log does not have: "r2" (20 tokens) in window 5, gpt-4']);
    expect(run(leaves(), logOf([["r1", 1500, 10], ["r2", 1500, 21]])).byWindow.get(5n)?.problems).toEqual(['request billed with other tokens: "r2" billed 20 tokens in window 5, gpt-4; your client log (line 2) says 21']);
    expect(run(leaves(), logOf([["r1", 1500, 10], ["r2", 1500, 20], ["r3", 1600, 5]])).problems[0]).toMatch(/^request in your client log that no checked window billed: "r3" \(line 3, 5 tokens/);
  });
  it("refuse leaves that do not hash to the attested root (one dropped, one changed)", () => {
    expect(run(leaves([requests[0]])).byWindow.get(5n)?.problems[0]).toMatch(/do not hash to the attested root/);
    expect(run(leaves([requests[0], leaf("r2", 21n)])).byWindow.get(5n)?.problems[0]).toMatch(/do not hash to the attested root/);
    expect(run([]).byWindow.get(5n)?.problems[0]).toMatch(/the key service gave none of the line's 2 requests/);
  });
});

describe("verifyBill on in-memory sources", () => {
  const base = "https://reports.example";
  const w = 10n;
  const requests = [leaf("r1", 1_000n)];
  const lines: UsageLine[] = [{ subscriptionId: 7n, family: "gpt-4", tokens: 1_000n, requests: 1n, requestsRoot: requestsRoot(requests) }];
  const digest = summarize(w, lines).digest;
  const cost = price("gpt-4", 1_000n, 0n);
  const settled: SettledWindow = { window: w, round: 42n, digest, lines: 1n, transactionId: "cd".repeat(32), blockHeight: 5 };
  const sources = (over: { stored?: string; round?: bigint; report?: string; status?: number } = {}): BillSources => ({
    flow: {
      accessNode: "memory",
      subscription: async () => ({ ...SUB, createdAt: 0n }),
      pricingSchedule: async () => [DEFAULT_PRICING],
      windowSeconds: async () => WS,
      sealedHeight: async () => 10,
      heightAt: async () => 0,
      events: async (from, to) => (from <= 5 && 5 <= to ? { settled: [settled], charged: [charge(w, "gpt-4", 1_000n, cost)], unbillable: [] } : { settled: [], charged: [], unbillable: [] }),
    },
    coston2: {
      verifier: "0x00",
      publisherBaseUrl: async () => base,
      reports: async () => new Map([[w, { verified: true, digest: over.stored ?? digest, votingRound: over.round ?? 42n }]]),
      logs: async () => new Map([[w, { window: w, votingRound: over.round ?? 42n, digest: over.stored ?? digest, transactionHash: `0x${"ef".repeat(32)}`, blockNumber: 3 }]]),
    },
    publisher: {
      get: async (url) =>
        url.endsWith("/summary")
          ? { status: 200, body: serializeDocument(summaryDocument(summarize(w, lines))) }
          : { status: over.status ?? 200, body: over.report ?? serializeDocument(reportDocument(w, lines)) },
    },
  });

  it("agrees, with one row per window and a total", async () => {
    const v = await verifyBill(sources(), { subscriptionId: 7n });
    expect(v.ok).toBe(true);
    expect(v.windows).toHaveLength(1);
    expect(v.windows[0]).toMatchObject({ window: w, round: 42n, reportUrl: `${base}/reports/10`, charged: cost, recomputed: cost, problems: [] });
    expect(v.total).toEqual({ tokens: 1_000n, charged: cost, recomputed: cost });
  });
  it("names a round that is not the one the proof was for", async () => {
    const v = await verifyBill(sources({ round: 43n }), { subscriptionId: 7n });
    expect(v.windows[0].problems).toEqual(["Flare round differs: Flow settled window 10 under voting round 42, the Coston2 proof was for round 43"]);
  });
  it("names a report that is not JSON, or whose lines were changed", async () => {
    expect((await verifyBill(sources({ report: "<html>" }), { subscriptionId: 7n })).windows[0].problems[0]).toMatch(/report modified after publication: .* is not a valid report/);
    const changed = serializeDocument(reportDocument(w, [{ ...lines[0], tokens: 999n }]));
    expect((await verifyBill(sources({ report: changed }), { subscriptionId: 7n })).windows[0].problems[0]).toMatch(/report modified after publication: https:\/\/reports.example\/reports\/10 hashes to/);
  });
});
