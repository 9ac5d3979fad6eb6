/**
 * Aggregation throughput: 1,000,000 synthetic LiteLLM spend-log rows (10,000 subscriptions,
 * 6 models, rotated keys among them) through the connector's Aggregator, beside a naive baseline
 * in the same run. Each variant runs in its own child process so its peak memory (max RSS) is
 * its own. Figures to beat (DESIGN.md): <= 2 s and <= 300 MB for 1,000,000 rows.
 *
 *   npm run bench:aggregation [-- --rows 1000000] [--repeat N]
 *
 * With --repeat (default: enough passes for a million rows in all) each variant aggregates the
 * window that many times, each pass from scratch, and the figures are per pass: small windows are
 * measured warm and above the timer's resolution, so per-row costs compare across sizes.
 *
 * The children run plain JavaScript compiled by tsc into a temporary folder, so ts-node's
 * compiler (about 100 MB) is not counted in their memory.
 *
 * The fast variant consumes rows as LiteLLM serves them (pages of 100) and keeps only sums and
 * request ids; the baseline materializes every row first, as a straightforward script would.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Aggregator, aggregateNaive, type SpendRowFields } from "../src/connector/aggregate";
import { peakRssMb } from "../src/local/peak-rss";
import { DEFAULT_PRICING } from "../src/pricing";

const MODELS = ["gpt-4o", "gpt-3.5-turbo", "claude-3-sonnet", "llama-3-70b", "mistral-large", "gpt-4-turbo"];
const SUBSCRIPTIONS = 10_000;
const PAGE = 100;

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Deterministic synthetic rows, one page at a time (as /spend/logs/v2 pages them). */
function* pages(rows: number): Generator<SpendRowFields[]> {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const base = Date.parse("2026-03-01T12:00:00Z");
  for (let i = 0; i < rows; i += PAGE) {
    const page: SpendRowFields[] = [];
    for (let j = i; j < Math.min(rows, i + PAGE); j++) {
      const sub = 1 + Math.floor(rand() * SUBSCRIPTIONS);
      const gen = rand() < 0.1 ? 1 : 0;
      page.push({
        request_id: `chatcmpl-${j.toString(16).padStart(8, "0")}-${sub}`,
        api_key: "f".repeat(64),
        model: MODELS[j % MODELS.length],
        model_group: MODELS[j % MODELS.length],
        total_tokens: 1 + Math.floor(rand() * 4000),
        startTime: new Date(base + (j % 300_000)).toISOString(),
        status: "success",
        metadata: { user_api_key_alias: gen === 0 ? `ff-${sub}` : `ff-${sub}-r${gen}` },
      });
    }
    yield page;
  }
}

function runVariant(variant: string, rows: number, repeat: number): void {
  const t = process.hrtime.bigint();
  let lines = 0;
  let tokens = 0n;
  for (let pass = 0; pass < repeat; pass++) {
    if (variant === "source") {
      // Generation alone: subtracted to give the aggregation's own time.
      for (const page of pages(rows)) lines += page.length > 0 ? 0 : 1;
    } else if (variant === "fast") {
      const agg = new Aggregator(DEFAULT_PRICING);
      for (const page of pages(rows)) for (const row of page) agg.add(row);
      const result = agg.result();
      lines = result.lines.length;
      tokens = result.lines.reduce((s, l) => s + l.tokens, 0n);
    } else {
      const all: SpendRowFields[] = [];
      for (const page of pages(rows)) all.push(...page);
      const result = aggregateNaive(all, DEFAULT_PRICING);
      lines = result.length;
      tokens = result.reduce((s, l) => s + l.tokens, 0n);
    }
  }
  const seconds = Number(process.hrtime.bigint() - t) / 1e9 / repeat;
  const maxRssMb = peakRssMb();
  process.stdout.write(`${JSON.stringify({ variant, rows, seconds, maxRssMb, lines, tokens: tokens.toString() })}\n`);
}

function main(): void {
  const child = process.argv.indexOf("--variant");
  const rows = Number(argValue("--rows", "1000000"));
  const repeat = Number(argValue("--repeat", String(Math.max(1, Math.round(1_000_000 / rows)))));
  if (child >= 0) {
    runVariant(process.argv[child + 1], rows, repeat);
    return;
  }
  const root = path.resolve(__dirname, "..");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "ff-bench-"));
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "--outDir", out, "--rootDir", root, "--module", "commonjs", "--target", "es2022", "--esModuleInterop", "--skipLibCheck", "--resolveJsonModule", "--types", "node", path.join(root, "scripts/bench-aggregation.ts")],
    { encoding: "utf8", cwd: root },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  const compiled = path.join(out, "scripts", "bench-aggregation.js");
  const results: { variant: string; seconds: number; maxRssMb: number; lines: number; tokens: string }[] = [];
  for (const variant of ["source", "fast", "naive"]) {
    const run = spawnSync(process.execPath, [compiled, "--variant", variant, "--rows", String(rows), "--repeat", String(repeat)], { encoding: "utf8", maxBuffer: 1 << 20, cwd: root, env: { ...process.env, NODE_PATH: path.join(root, "node_modules") } });
    if (run.status !== 0) throw new Error(`${variant} failed: ${run.stderr}`);
    results.push(JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as (typeof results)[number]);
  }
  fs.rmSync(out, { recursive: true, force: true });
  const [source, fast, naive] = results;
  if (fast.tokens !== naive.tokens || fast.lines !== naive.lines) throw new Error("the variants disagree");
  console.log(`aggregation of ${rows.toLocaleString("en")} spend-log rows (${SUBSCRIPTIONS} subscriptions, ${fast.lines} lines)${repeat > 1 ? `, ${repeat} passes, figures per pass` : ""}:`);
  console.log(`  row generation alone ${source.seconds.toFixed(2)} s, peak RSS ${source.maxRssMb.toFixed(0)} MB (included below)`);
  for (const r of [fast, naive]) {
    const own = r.seconds - source.seconds;
    console.log(
      `  ${r.variant.padEnd(6)} ${r.seconds.toPrecision(4)} s with generation, ${own.toPrecision(4)} s aggregation alone ` +
        `(${Math.round(rows / own).toLocaleString("en")} rows/s)  peak RSS ${r.maxRssMb.toFixed(0)} MB`,
    );
  }
  const own = fast.seconds - source.seconds;
  console.log(`figure (<= 2 s, <= 300 MB): ${own <= 2 && fast.maxRssMb <= 300 ? "met" : "NOT met"} (aggregation ${own.toFixed(2)} s, peak ${fast.maxRssMb.toFixed(0)} MB)`);
}

main();
