import { InvalidReportError, parseReportDocument, serializeDocument, summaryDocument } from "../connector/report-doc";
import { UNITS_PER_FLOW } from "../pricing";
import { reportUrl, summaryUrl, type UsageLine } from "../report";
import { checkRequests, type RequestCheck } from "./requests-check";
import type { ClientLogEntry } from "./client-log";
import { recomputeCharges, type Recomputed } from "./recompute";
import type { BillSources, FlowEvents, SettledWindow, StoredReport, VerifiedLog } from "./sources";
import { FlareFlowError, messageOf } from "../errors";
import { pool } from "../pool";
import { byChainOrder } from "../flow/runtime/events";

/**
 * Verifies a subscription's bill from public data, window by window:
 *   1. Flow: every SubscriptionCharged of the subscription and each window's UsageReportSettled
 *      (round, digest), read by height range in parallel slices of at most 250 blocks;
 *   2. the published report and summary, fetched at the URL UsageReportVerifier pins, the digest
 *      recomputed from the lines;
 *   3. Coston2: the digest and voting round UsageReportVerifier stored, and the transaction that
 *      stored them;
 *   4. each charged line priced again (recompute.ts) and matched to its report line;
 *   5. optionally the customer's leaves (their requests under each line's root) and their own
 *      client log: exactly the same requests, with the same tokens.
 * The same function runs in the command (scripts/verify-bill.ts) and in the page.
 */

export type VerifyArgs = {
  subscriptionId: bigint;
  /** Check windows starting at or after this time (unix seconds); earlier charges still set the tier position. */
  from?: number;
  /** Check at most the last `last` charged windows (the page's "last N"). */
  last?: number;
  /** Check only these windows (the page's verify action on one window). */
  only?: readonly bigint[];
  /** The customer's client log; needs `sources.leaves`. */
  clientLog?: Map<string, ClientLogEntry>;
  /** Parallel requests (event ranges, report fetches). */
  concurrency?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
};

export type WindowVerdict = {
  window: bigint;
  /** Window start, unix seconds. */
  start: number;
  round: bigint;
  digest: string;
  reportUrl: string;
  coston2Tx: string | undefined;
  flowTxs: string[];
  tokensByFamily: Record<string, bigint>;
  /** Units of 1e-8 FLOW. */
  charged: bigint;
  recomputed: bigint;
  requests: RequestCheck | undefined;
  problems: string[];
};

export type BillVerdict = {
  subscriptionId: bigint;
  windowSeconds: bigint;
  publisherBaseUrl: string;
  windows: WindowVerdict[];
  /** Problems not of one window (client-log requests never billed, a bad leaves answer). */
  problems: string[];
  total: { tokens: bigint; charged: bigint; recomputed: bigint };
  ok: boolean;
};

export class VerifyError extends FlareFlowError {
  override readonly name = "VerifyError";
  override readonly docs = "README.md#verifiable-bills";
}

/** Every settlement event from `fromHeight` to the sealed head, `concurrency` slices at a time. */
async function readEvents(sources: BillSources, fromHeight: number, toHeight: number, args: VerifyArgs): Promise<FlowEvents> {
  const events = await sources.flow.events(fromHeight, toHeight, { concurrency: args.concurrency ?? 16, onProgress: (done, slices) => args.onProgress?.("Flow events", done, slices) });
  return {
    settled: events.settled,
    // In chain order whatever order a source gives: the recomputation walks the charges in settlement order.
    charged: events.charged.filter((c) => c.subscriptionId === args.subscriptionId).sort(byChainOrder),
    unbillable: events.unbillable.filter((u) => u.subscriptionId === args.subscriptionId),
  };
}

const familyName = (family: string): string => (family === "" ? "(default)" : family);

/** Checks one window's report, Coston2 record and charged lines; returns its problems. */
async function checkWindow(
  sources: BillSources,
  base: string,
  settled: SettledWindow,
  charges: readonly Recomputed[],
  stored: StoredReport | undefined,
  log: VerifiedLog | undefined,
  subscriptionId: bigint,
): Promise<{ problems: string[]; lines: UsageLine[] | undefined; url: string }> {
  const w = settled.window;
  const url = reportUrl(base, w);
  const problems: string[] = [];

  // Coston2: the attestation behind the charge.
  if (stored === undefined || !stored.verified) {
    problems.push(`no attestation: UsageReportVerifier on Coston2 has no verified report for window ${w}, yet Flow charged it (digest ${settled.digest}, round ${settled.round})`);
  } else {
    if (stored.digest !== settled.digest) problems.push(`Coston2 digest differs: UsageReportVerifier stored ${stored.digest} for window ${w}, Flow settled ${settled.digest}`);
    if (stored.votingRound !== settled.round) problems.push(`Flare round differs: Flow settled window ${w} under voting round ${settled.round}, the Coston2 proof was for round ${stored.votingRound}`);
    if (log === undefined) problems.push(`no UsageReportVerified log of window ${w} on Coston2: the transaction that stored its digest was not found`);
    else if (log.digest !== stored.digest || log.votingRound !== stored.votingRound) problems.push(`the UsageReportVerified log of window ${w} (tx ${log.transactionHash}) does not match what is stored`);
  }

  // The published report and summary.
  const report = await sources.publisher.get(url);
  let lines: UsageLine[] | undefined;
  if ("error" in report || report.status !== 200) {
    problems.push(`report URL does not answer: ${url} ${"error" in report ? `failed (${report.error})` : `answered HTTP ${report.status}`}`);
  } else {
    try {
      const parsed = parseReportDocument(JSON.parse(report.body) as unknown);
      if (parsed.window !== w) throw new InvalidReportError(`it names window ${parsed.window}`);
      if (parsed.summary.digest !== settled.digest) {
        problems.push(`report modified after publication: ${url} hashes to ${parsed.summary.digest}, but Flow settled ${settled.digest}${stored?.verified ? ` and Coston2 stored ${stored.digest}` : ""}`);
      } else {
        lines = parsed.lines;
      }
      const summaryAt = summaryUrl(base, w);
      const summary = await sources.publisher.get(summaryAt);
      const expected = serializeDocument(summaryDocument(parsed.summary));
      if ("error" in summary || summary.status !== 200) problems.push(`summary URL does not answer: ${summaryAt} ${"error" in summary ? `failed (${summary.error})` : `answered HTTP ${summary.status}`}`);
      else if (summary.body !== expected) problems.push(`the summary at ${summaryAt} is not the summary of the report beside it`);
    } catch (error) {
      problems.push(`report modified after publication: ${url} is not a valid report (${messageOf(error)})`);
    }
  }

  // The charged lines against the report's lines of this subscription.
  if (lines !== undefined) {
    const mine = lines.filter((l) => l.subscriptionId === subscriptionId);
    for (const c of charges) {
      const line = mine.find((l) => l.family === c.line.family);
      if (line === undefined) problems.push(`Flow charged ${familyName(c.line.family)} (${c.line.tokens} tokens) in window ${w}, but the report has no such line`);
      else if (line.tokens !== c.line.tokens) problems.push(`Flow charged ${c.line.tokens} ${familyName(c.line.family)} tokens in window ${w}, the report says ${line.tokens}`);
    }
    for (const line of mine) {
      if (!charges.some((c) => c.line.family === line.family)) problems.push(`the report's line ${familyName(line.family)} (${line.tokens} tokens) of window ${w} was not charged`);
    }
  }
  for (const c of charges) for (const p of c.problems) problems.push(`line charged at another price: window ${w}, ${p}`);
  return { problems, lines, url };
}

type Charges = {
  windowSeconds: bigint;
  base: string;
  windows: bigint[];
  settledByWindow: Map<bigint, SettledWindow>;
  chargesByWindow: Map<bigint, Recomputed[]>;
  startOf: (w: bigint) => number;
};

/** The subscription's charges from Flow, priced again, and the windows `args` selects. */
async function charges(sources: BillSources, args: VerifyArgs): Promise<Charges> {
  const sub = await sources.flow.subscription(args.subscriptionId);
  if (sub === null) throw new VerifyError(`subscription ${args.subscriptionId} does not exist on Flow (${sources.flow.accessNode})`);
  const [schedule, windowSeconds, base, sealed] = await Promise.all([
    sources.flow.pricingSchedule(),
    sources.flow.windowSeconds(),
    sources.coston2.publisherBaseUrl(),
    sources.flow.sealedHeight(),
  ]);
  // Every charge since the subscription's creation: the tier position depends on them all.
  const fromHeight = await sources.flow.heightAt(Number(sub.createdAt / UNITS_PER_FLOW) - 1);
  const events = await readEvents(sources, fromHeight, sealed, args);
  const recomputed = recomputeCharges(sub, schedule, windowSeconds, events.charged);

  const settledByWindow = new Map(events.settled.map((s) => [s.window, s]));
  const chargesByWindow = new Map<bigint, Recomputed[]>();
  for (const r of recomputed) {
    const list = chargesByWindow.get(r.line.window) ?? [];
    list.push(r);
    chargesByWindow.set(r.line.window, list);
  }
  const startOf = (w: bigint): number => Number(w * windowSeconds);
  let windows = [...chargesByWindow.keys()]
    .filter((w) => settledByWindow.has(w) && (args.from === undefined || startOf(w) >= args.from))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (args.only !== undefined) {
    const only = new Set(args.only);
    windows = windows.filter((w) => only.has(w));
  }
  if (args.last !== undefined) windows = windows.slice(-args.last);
  return { windowSeconds, base, windows, settledByWindow, chargesByWindow, startOf };
}

/** A charged window's public evidence, without checking it (the page's list). */
export type WindowEvidence = Pick<WindowVerdict, "window" | "start" | "round" | "digest" | "reportUrl" | "coston2Tx" | "flowTxs" | "tokensByFamily" | "charged">;

/** The evidence of the subscription's last `args.last` charged windows: what the page links. */
export async function billEvidence(sources: BillSources, args: VerifyArgs): Promise<WindowEvidence[]> {
  const c = await charges(sources, args);
  const logs = await sources.coston2.logs(c.windows, c.windows.length > 0 ? c.startOf(c.windows[0]) : undefined);
  return c.windows.map((w) => {
    const settled = c.settledByWindow.get(w) as SettledWindow;
    const lines = c.chargesByWindow.get(w) ?? [];
    const tokensByFamily: Record<string, bigint> = {};
    for (const l of lines) tokensByFamily[l.line.family] = (tokensByFamily[l.line.family] ?? 0n) + l.line.tokens;
    return {
      window: w,
      start: c.startOf(w),
      round: settled.round,
      digest: settled.digest,
      reportUrl: reportUrl(c.base, w),
      coston2Tx: logs.get(w)?.transactionHash,
      flowTxs: [...new Set(lines.map((l) => l.line.transactionId))],
      tokensByFamily,
      charged: lines.reduce((n, l) => n + l.line.charged, 0n),
    };
  });
}

/** Verifies the bill of `args.subscriptionId`. */
export async function verifyBill(sources: BillSources, args: VerifyArgs): Promise<BillVerdict> {
  const progress = args.onProgress ?? (() => undefined);
  const { windowSeconds, base, windows, settledByWindow, chargesByWindow, startOf } = await charges(sources, args);
  const [stored, logs] = await Promise.all([
    sources.coston2.reports(windows),
    sources.coston2.logs(windows, windows.length > 0 ? startOf(windows[0]) : undefined),
  ]);
  progress("Coston2", windows.length, windows.length);

  const verdicts = await pool(
    windows,
    args.concurrency ?? 16,
    async (w): Promise<WindowVerdict & { lines: UsageLine[] | undefined }> => {
      const settled = settledByWindow.get(w) as SettledWindow;
      const charges = chargesByWindow.get(w) ?? [];
      const checked = await checkWindow(sources, base, settled, charges, stored.get(w), logs.get(w), args.subscriptionId);
      const tokensByFamily: Record<string, bigint> = {};
      for (const c of charges) tokensByFamily[c.line.family] = (tokensByFamily[c.line.family] ?? 0n) + c.line.tokens;
      return {
        window: w,
        start: startOf(w),
        round: settled.round,
        digest: settled.digest,
        reportUrl: checked.url,
        coston2Tx: logs.get(w)?.transactionHash,
        flowTxs: [...new Set(charges.map((c) => c.line.transactionId))],
        tokensByFamily,
        charged: charges.reduce((n, c) => n + c.line.charged, 0n),
        recomputed: charges.reduce((n, c) => n + c.charged, 0n),
        requests: undefined,
        problems: checked.problems,
        lines: checked.lines,
      };
    },
    (done) => progress("reports", done, windows.length),
  );

  const problems: string[] = [];
  if (args.clientLog !== undefined) {
    if (sources.leaves === undefined) throw new VerifyError("checking a client log needs the key service (the leaves are behind the customer's signature)");
    if (windows.length > 0) {
      const leaves = await sources.leaves.leaves(args.subscriptionId, windows[0], windows[windows.length - 1]);
      progress("requests", 1, 1);
      const outcome = checkRequests(verdicts, leaves, args.clientLog, args.subscriptionId, {
        from: startOf(windows[0]),
        // Requests of the last windows may still be logged late and billed in a later window.
        until: startOf(windows[windows.length - 1]) - Number(windowSeconds),
      });
      const byWindow = new Map(verdicts.map((v) => [v.window, v]));
      for (const [w, check] of outcome.byWindow) {
        const v = byWindow.get(w);
        if (v) {
          v.requests = check;
          v.problems.push(...check.problems);
        }
      }
      problems.push(...outcome.problems);
    }
  }

  const out: WindowVerdict[] = verdicts.map(({ lines: _lines, ...v }) => v);
  const total = {
    tokens: out.reduce((n, v) => n + Object.values(v.tokensByFamily).reduce((a, b) => a + b, 0n), 0n),
    charged: out.reduce((n, v) => n + v.charged, 0n),
    recomputed: out.reduce((n, v) => n + v.recomputed, 0n),
  };
  return {
    subscriptionId: args.subscriptionId,
    windowSeconds,
    publisherBaseUrl: base,
    windows: out,
    problems,
    total,
    ok: problems.length === 0 && out.every((v) => v.problems.length === 0),
  };
}
