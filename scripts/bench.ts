/**
 * `npm run bench`: every benchmark of the project in one run, one table, each figure beside its
 * baseline measured in the same run (and DESIGN.md's goal where it names one):
 *   Flow settlement (scripts/bench-flow-settlement.ts): computation per line in one report vs one
 *     transaction per line; lines per transaction within mainnet's 9,999; ours against Flow's floor
 *     per line (a bench-only contract that only moves each line's FLOW and advances its period counter).
 *   Coston2 gas (scripts/bench-evm-gas.ts): gas per subscription line of a 500-line report vs one
 *     attestation and proof per subscription.
 *   Aggregation (scripts/bench-aggregation.ts): 1,000,000 spend-log rows, seconds and peak memory vs
 *     a naive aggregation; per-row time at 1,000 to 1,000,000 rows.
 *   Reading a window (scripts/bench-read.ts): the connector's whole read of one window, LiteLLM to
 *     report lines, on the database path (median of 5) beside the API path (HTTP pages, JSON), at
 *     1,000 to 1,000,000 rows.
 *   Page size (web/scripts/size.ts): first-load and total JS gzip vs the same page without code splitting.
 *   Bill verification (scripts/bench-verify.ts): verify-bill over a week of 5-minute windows (2,016;
 *     a month of 8,640 with FLAREFLOW_BENCH_VERIFY_WINDOWS=8640) of one subscription on a local
 *     stack, the month extrapolated, vs the same checks one request at a time.
 *   LiteLLM crash (scripts/bench-spend-loss.ts): spend rows lost per crash of the local LiteLLM server at
 *     LiteLLM's default 10-s batch interval, vs the calls of one whole interval.
 *   Scale (scripts/bench-scale.ts, only as `npm run bench -- scale`): 10,000 subscriptions in one window
 *     end to end on the local stack: each stage's time, Flow transactions and computation, report
 *     size, the key service's memory and lag.
 *   Live limit (scripts/bench-live-limit.ts): a customer calling as fast as the local LiteLLM server
 *     answers with a minimum deposit (and a small cap): seconds from crossing the limit to the first
 *     refusal, overshoot, calls served after the crossing; vs the same run with the limit off.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { measure } from "../web/scripts/size";
import { BenchError, runMain } from "./errors";

const root = path.resolve(__dirname, "..");

interface Row {
  benchmark: string;
  figure: string;
  ours: string;
  baseline: string;
  goal: string;
  /** The 1-minute load average when the figure was measured (the machine is shared). */
  load?: string;
}

function run(what: string, command: string, args: string[]): string {
  process.stderr.write(`[bench] ${what}...\n`);
  const started = Date.now();
  // The child's progress (stderr) goes straight through: a setup of many minutes shows where it is.
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "inherit"] });
  if (result.status !== 0) throw new BenchError(`${what} failed (its output above):\n${result.stdout}`);
  process.stderr.write(`[bench] ${what}: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return result.stdout;
}

function match(text: string, pattern: RegExp, what: string): RegExpMatchArray {
  const m = text.match(pattern);
  if (!m) throw new BenchError(`could not read ${what} from:\n${text}`);
  return m;
}

const npx = (args: string[]) => ["npx", args] as const;
const loadNow = () => (os.loadavg()[0] ?? 0).toFixed(1);

function flowSettlement(): Row[] {
  const out = run("Flow settlement", ...npx(["ts-node", "--transpile-only", "scripts/bench-flow-settlement.ts", "--max", "850"]));
  const single = match(out, /one transaction per line: ([\d.]+)/, "one transaction per line")[1];
  const perLine = match(out, /marginal per line in one report: ([\d.]+)/, "marginal per line")[1];
  const lines = match(out, /lines per transaction within 9,999: ~(\d+)/, "lines per transaction")[1];
  const floor = match(out, /floor per line: ([\d.]+); with an event: ([\d.]+); ours\/floor: ([\d.]+); ours\/\(floor with an event\): ([\d.]+)/, "the floor");
  const digest = match(out, /per line \(marginal\): ours ([\d.]+), .*digest ([\d.]+)/, "the digest per line");
  return [
    { benchmark: "Flow settlement", figure: "computation per line", ours: perLine ?? "", baseline: `${single} (one tx per line)`, goal: `≤ ${(Number(single) / 20).toFixed(1)} (1/20 of a tx)` },
    { benchmark: "Flow settlement", figure: "lines per transaction", ours: lines ?? "", baseline: "1", goal: "≥ 500" },
    {
      benchmark: "Flow settlement",
      figure: "ours / floor per line (floor: move the FLOW, advance the period counter)",
      ours: `${floor[3]} (${digest[1]} / ${floor[1]})`,
      baseline: `floor ${floor[1]}; with a per-line event ${floor[2]} (ours/that ${floor[4]}); digest alone ${digest[2]}`,
      goal: "≤ 1.5",
    },
  ];
}

function coston2Gas(): Row[] {
  const out = run("Coston2 gas", ...npx(["hardhat", "run", "scripts/bench-evm-gas.ts"]));
  const row = match(out, /^\| 500 \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|/m, "the 500-line row");
  return [
    { benchmark: "Coston2 verifier", figure: "gas per line (500 lines)", ours: row[2] ?? "", baseline: `${row[4]} (one proof per subscription)`, goal: "1 attestation + 1 proof per window" },
    { benchmark: "Coston2 verifier", figure: "submit gas, 500-line report", ours: row[1] ?? "", baseline: `${row[3]} (500 proofs)`, goal: "" },
  ];
}

function aggregation(): Row[] {
  const sizes = [1_000, 10_000, 100_000, 1_000_000];
  const load = loadNow();
  const out = run("aggregation", "npm", ["run", "--silent", "bench:aggregation", "--", "--rows", sizes.join(",")]);
  const block = (rows: number) => {
    const start = out.indexOf(`aggregation of ${rows.toLocaleString("en")} spend-log rows`);
    if (start < 0) throw new BenchError(`no figures for ${rows} rows in:\n${out}`);
    const next = out.indexOf("aggregation of ", start + 1);
    return out.slice(start, next < 0 ? undefined : next);
  };
  const line = (rows: number, variant: string) =>
    match(block(rows), new RegExp(`${variant}\\s+[\\d.]+ s with generation, ([\\d.e-]+) s aggregation alone \\(([\\d,-]+|Infinity) rows/s\\)\\s+peak RSS (\\d+) MB\\s+CPU ([\\d.e-]+) s`), `${variant} at ${rows}`);
  // Per row in CPU time: waiting for a core on a shared machine is not the aggregation's cost.
  const perRow = (rows: number, variant: string) => ((Number(line(rows, variant)[4]) / rows) * 1e6).toFixed(2);
  const series = (variant: string) => sizes.map((rows) => perRow(rows, variant)).join(" / ");
  const fast = line(1_000_000, "fast");
  const naive = line(1_000_000, "naive");
  const seconds = (m: RegExpMatchArray) => `${Number(m[1]).toFixed(2)} (CPU ${Number(m[4]).toFixed(2)})`;
  return [
    { benchmark: "Connector aggregation", figure: "1M rows: seconds (CPU seconds)", ours: seconds(fast), baseline: seconds(naive), goal: "≤ 2 s", load },
    { benchmark: "Connector aggregation", figure: "1M rows: peak memory MB", ours: fast[3] ?? "", baseline: naive[3] ?? "", goal: "≤ 300 MB", load },
    { benchmark: "Connector aggregation", figure: "CPU µs per row at 1k / 10k / 100k / 1M rows", ours: series("fast"), baseline: series("naive"), goal: "flat or falling", load },
  ];
}

/** The connector's whole read of a window (scripts/bench-read.ts): database path beside API path. */
function readPaths(): Row[] {
  const out = run("reading a window (PostgreSQL and the LiteLLM-compatible server)", "npm", ["run", "--silent", "bench:read"]);
  const fig = (key: string, size: number) => {
    const m = match(out, new RegExp(`^figure ${key} ${size}: ([\\d.]+) s, CPU ([\\d.]+) \\+ ([\\d.]+) s, (\\d+) pages, peak (\\d+) MB, load ([\\d.]+)$`, "m"), `${key} ${size}`);
    return { s: m[1] ?? "", cpu: m[2] ?? "", serverCpu: m[3] ?? "", pages: m[4] ?? "", mb: m[5] ?? "", load: m[6] ?? "" };
  };
  const perRow = (key: string) => match(out, new RegExp(`^figure per-row ${key}: (.+) CPU µs at`, "m"), `per-row ${key}`)[1] ?? "";
  const db = fig("database", 1_000_000);
  const api = fig("api", 1_000_000);
  const db100k = fig("database", 100_000);
  const api100k = fig("api", 100_000);
  const api100k100 = fig("api100", 100_000);
  return [
    { benchmark: "Connector read (database path)", figure: "1M rows of one window: s, median of 5 (CPU s: connector + PostgreSQL)", ours: `${db.s} (${db.cpu} + ${db.serverCpu})`, baseline: `API path: ${api.s} (${api.cpu} + ${api.serverCpu} stand-in), ${api.pages} pages of 1000`, goal: "≤ 2 s", load: `${db.load} / ${api.load}` },
    { benchmark: "Connector read (database path)", figure: "1M rows: peak memory MB", ours: db.mb, baseline: `API path: ${api.mb}`, goal: "≤ 300 MB", load: `${db.load} / ${api.load}` },
    { benchmark: "Connector read (database path)", figure: "100k rows: s (CPU s), peak MB", ours: `${db100k.s} (${db100k.cpu} + ${db100k.serverCpu}), ${db100k.mb} MB`, baseline: `API path: ${api100k.s} (${api100k.cpu} + ${api100k.serverCpu}), ${api100k.pages} pages, ${api100k.mb} MB; pages of 100: ${api100k100.s} s, ${api100k100.pages} pages`, goal: "", load: `${db100k.load} / ${api100k.load}` },
    { benchmark: "Connector read (database path)", figure: "CPU µs per row (connector + server) at 1k / 10k / 100k / 1M rows", ours: perRow("database"), baseline: `API path: ${perRow("api")}`, goal: "flat or falling", load: db.load },
  ];
}

function pageSize(): Row[] {
  run("page build", ...npx(["vite", "build", "web"]));
  run("page build without code splitting", ...npx(["vite", "build", "web", "--config", "web/vite.baseline.config.ts"]));
  const ours = measure(path.join(root, "web/dist"));
  const baseline = measure(path.join(root, "web/dist-baseline"));
  return [
    { benchmark: "Page", figure: "first-load JS, KB gzip", ours: String(ours.firstLoadGzipKB), baseline: String(baseline.firstLoadGzipKB), goal: "≤ 120" },
    { benchmark: "Page", figure: "all JS, KB gzip", ours: String(ours.totalGzipKB), baseline: String(baseline.totalGzipKB), goal: "≤ 400" },
  ];
}

function spendLoss(): Row[] {
  const out = run("LiteLLM crash", ...npx(["ts-node", "--transpile-only", "scripts/bench-spend-loss.ts", "--batch-ms", "10000", "--crashes", "3"]));
  const m = match(out, /rows lost per crash: (\d+) \(([\d.]+) s of traffic/, "rows lost per crash");
  const rates = [...out.matchAll(/at ([\d.]+)\/s/g)].map((r) => Number(r[1]));
  const rate = rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
  return [
    {
      benchmark: "LiteLLM crash",
      figure: "spend rows lost per crash (10-s batch)",
      ours: `${m[1]} (${m[2]} s of calls)`,
      baseline: `${Math.round(rate * 10)} (all calls of one batch)`,
      goal: "documented, not hidden",
    },
  ];
}

function liveLimit(): Row[] {
  const out = run("live limit", ...npx(["ts-node", "--transpile-only", "scripts/bench-live-limit.ts"]));
  const goal = match(out, /goal first refusal within ([\d.]+) s/, "goal")[1];
  const load = match(out, /load average ([\d.]+)/, "load average")[1];
  const parse = (mode: string) => {
    const m = match(
      out,
      new RegExp(`live limit ${mode}: first refusal (never|[\\d.]+ s)(?: \\((\\d+)\\))?, blocked (never|[\\d.]+ s); overshoot ([\\d.]+) FLOW \\(([\\d.]+) % of the ([\\d.]+) FLOW deposit, ([\\d.]+) % of the limit\\); (\\d+) served after the crossing; (\\d+) served at (\\d+)/s`),
      `the ${mode} run`,
    );
    return { refusal: m[1] ?? "", status: m[2], blocked: m[3] ?? "", flow: m[4] ?? "", ofDeposit: m[5] ?? "", ofLimit: m[7] ?? "", after: m[8] ?? "", rate: m[10] ?? "" };
  };
  const escrow = parse("escrow");
  const cap = parse("cap");
  const poll = parse("poll-only");
  const off = parse("off");
  const refusal = (r: ReturnType<typeof parse>) => `${r.refusal}${r.status ? ` (${r.status})` : ""}, blocked ${r.blocked}`;
  const offText = `limit off: never refused (${off.after} served, ${off.flow} FLOW over in the run)`;
  return [
    { benchmark: "Live limit", figure: `escrow: s to first refusal (${escrow.rate} calls/s, load ${load})`, ours: refusal(escrow), baseline: offText, goal: `≤ ${goal} s` },
    { benchmark: "Live limit", figure: "escrow: overshoot, % of deposit", ours: `${escrow.flow} FLOW, ${escrow.ofDeposit} %`, baseline: `${off.ofDeposit} % (limit off)`, goal: "< 2 %" },
    { benchmark: "Live limit", figure: "escrow: calls served after crossing", ours: escrow.after, baseline: `${off.after} (limit off)`, goal: "" },
    { benchmark: "Live limit", figure: "cap: s to first refusal", ours: refusal(cap), baseline: "as limit off", goal: `≤ ${goal} s` },
    { benchmark: "Live limit", figure: "cap: overshoot, % of cap (of deposit)", ours: `${cap.flow} FLOW, ${cap.ofLimit} % (${cap.ofDeposit} %)`, baseline: "as limit off", goal: "< 2 %" },
    { benchmark: "Live limit", figure: "polling alone (no tpm guard): escrow", ours: `refused ${refusal(poll)}`, baseline: `${poll.flow} FLOW, ${poll.ofDeposit} % over, ${poll.after} calls after`, goal: "" },
  ];
}

function billVerification(): Row[] {
  // A week of windows, the month extrapolated from it (verification is per window): the month's
  // setup alone (8,640 settlements on Flow, as many proofs on Coston2) would take the whole run
  // past its 15 minutes. FLAREFLOW_BENCH_VERIFY_WINDOWS=8640 measures the month itself.
  const windows = process.env.FLAREFLOW_BENCH_VERIFY_WINDOWS ?? "2016";
  const out = run("bill verification", ...npx(["ts-node", "--transpile-only", "scripts/bench-verify.ts", "--windows", windows]));
  const m = match(out, /verify ([\d,]+) 5-minute windows for one subscription: ([\d.]+) s \(16 requests in flight\), ([\d.]+) s one request at a time.*; load ([\d.]+)/, "the verification time");
  const per = match(out, /per window: ([\d.]+) ms \(16 in flight\), ([\d.]+) ms one at a time; a month \(8,640\) at that rate: ([\d.]+) s/, "the per-window figures");
  const cpu = match(out, /verifier CPU: ([\d.]+) s \(16 in flight\), ([\d.]+) s one at a time/, "the verifier's CPU");
  const month = `${m[1] === "8,640" ? "" : `; a month at that rate: ${per[3]} s`}; verifier CPU ${cpu[1]} s`;
  return [
    { benchmark: "Bill verification", figure: `${m[1]} 5-min windows of one subscription, s (ms per window)`, ours: `${m[2]} (${per[1]})${month}`, baseline: `${m[3]} (${per[2]}) one request at a time; CPU ${cpu[2]} s`, goal: "a month (8,640) < 60 s", load: m[4] },
  ];
}

function scale(): Row[] {
  const subscriptions = process.env.FLAREFLOW_BENCH_SCALE_SUBSCRIPTIONS ?? "10000";
  const out = run("scale", ...npx(["ts-node", "--transpile-only", "scripts/bench-scale.ts", "--subscriptions", subscriptions]));
  const head = match(out, /scale: ([\d,]+) subscriptions, ([\d,]+) spend rows, ([\d,]+) report lines in one (\d+)-s window; load ([\d.]+)/, "the scale run");
  const stages = match(out, /stages [^:]*: (.*); total ([\d.]+) s after/, "the stage times");
  const flow = match(out, /flow: (\d+) transaction\(s\), computation ([\d,]+) in all \(([\d.]+) per line/, "the Flow figures");
  const report = match(out, /report: ([\d,]+) bytes \((\d+) per line\); summary ([\d,]+) bytes/, "the report sizes");
  const keys = match(out, /key service: (.*)$/m, "the key service figures");
  return [
    { benchmark: "Scale", figure: `${head[1]} subscriptions, ${head[3]} lines in one window: s from its end to settled on Flow`, ours: `${stages[2]} (${stages[1]})`, baseline: "", goal: "well under 300 s", load: head[5] },
    { benchmark: "Scale", figure: "Flow settlement of that window", ours: `${flow[1]} transaction(s), computation ${flow[2]} (${flow[3]} per line)`, baseline: "", goal: "" },
    { benchmark: "Scale", figure: "published report, summary (bytes)", ours: `${report[1]} (${report[2]} per line), ${report[3]}`, baseline: "", goal: "summary ≤ 100 KiB (Flare's fetch limit)" },
    { benchmark: "Scale", figure: "key service at that count", ours: keys[1] ?? "", baseline: "", goal: "" },
  ];
}

function main(): void {
  const only = process.argv.slice(2);
  const benches: [string, () => Row[]][] = [
    ["flow", flowSettlement],
    ["evm", coston2Gas],
    ["aggregation", aggregation],
    ["read", readPaths],
    ["page", pageSize],
    ["spend-loss", spendLoss],
    ["live-limit", liveLimit],
    ["verify", billVerification],
    ["scale", scale],
  ];
  // The scale run (10,000 subscriptions, 5 to 7 minutes here) runs only when named.
  const rows = benches
    .filter(([name]) => (only.length === 0 ? name !== "scale" : only.includes(name)))
    .flatMap(([, bench]) => {
      const load = loadNow();
      return bench().map((r) => ({ ...r, load: r.load ?? load }));
    });
  const columns: (keyof Row)[] = ["benchmark", "figure", "ours", "baseline", "goal", "load"];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(columns.map((c) => r[c] ?? "")));
  console.log(`measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores; load: the 1-minute load average when each figure was taken`);
}

runMain("bench", main);
