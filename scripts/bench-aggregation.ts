/**
 * Aggregation throughput: 1,000,000 synthetic LiteLLM spend-log rows (10,000 subscriptions,
 * 6 models, rotated keys among them) through the connector's Aggregator, beside a naive baseline
 * in the same run. Each variant runs in its own child process so its peak memory (max RSS) is
 * its own. Figures to beat (DESIGN.md): <= 2 s and <= 300 MB for 1,000,000 rows.
 *
 *   npm run bench:aggregation [-- --rows 1000000[,1000,...]] [--repeat N]
 *
 * Several sizes may be given. A small window is aggregated many times over (default: 200,000
 * rows in all), each pass from scratch, and the figures are per pass: measured warm and above
 * the timer's resolution, so per-row costs compare across sizes.
 *
 * The children run plain JavaScript compiled by tsc into a temporary folder, so ts-node's
 * compiler (about 100 MB) is not counted in their memory.
 *
 * The fast variant consumes rows as LiteLLM serves them (pages of 100) and keeps only sums and
 * request ids; the baseline materializes every row first, as a straightforward script would.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Aggregator, aggregateNaive, type SpendRowFields } from "../src/connector/aggregate";
import { compileForChild, peakRssMb } from "../src/local/peak-rss";
import { DEFAULT_PRICING } from "../src/pricing";
import { BenchError, runMain } from "./errors";

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

/**
 * One variant, `repeat` passes. The clocks run only around the variant's own work (rows are
 * generated with them stopped), so the figure is the aggregation alone, without a subtraction that
 * noise on a shared machine can swamp. Wall time and CPU time both: on a loaded machine the wall
 * time includes waiting for a core, the CPU time does not.
 */
function runVariant(variant: string, rows: number, repeat: number): void {
  let ns = 0n;
  let cpuUs = 0;
  let total = 0n;
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  let lines = 0;
  let tokens = 0n;
  const t0 = process.hrtime.bigint();
  for (let pass = 0; pass < repeat; pass++) {
    if (variant === "fast") {
      const agg = new Aggregator(DEFAULT_PRICING);
      for (const page of pages(rows)) {
        const [t, c] = [process.hrtime.bigint(), cpu()];
        for (const row of page) agg.add(row);
        [ns, cpuUs] = [ns + process.hrtime.bigint() - t, cpuUs + cpu() - c];
      }
      const [t, c] = [process.hrtime.bigint(), cpu()];
      const result = agg.result();
      [ns, cpuUs] = [ns + process.hrtime.bigint() - t, cpuUs + cpu() - c];
      lines = result.lines.length;
      tokens = result.lines.reduce((s, l) => s + l.tokens, 0n);
    } else {
      const all: SpendRowFields[] = [];
      for (const page of pages(rows)) {
        const [t, c] = [process.hrtime.bigint(), cpu()];
        all.push(...page);
        [ns, cpuUs] = [ns + process.hrtime.bigint() - t, cpuUs + cpu() - c];
      }
      const [t, c] = [process.hrtime.bigint(), cpu()];
      const result = aggregateNaive(all, DEFAULT_PRICING);
      [ns, cpuUs] = [ns + process.hrtime.bigint() - t, cpuUs + cpu() - c];
      lines = result.length;
      tokens = result.reduce((s, l) => s + l.tokens, 0n);
    }
  }
  total = process.hrtime.bigint() - t0;
  const maxRssMb = peakRssMb();
  process.stdout.write(`${JSON.stringify({ variant, rows, seconds: Number(ns) / 1e9 / repeat, cpuSeconds: cpuUs / 1e6 / repeat, withGeneration: Number(total) / 1e9 / repeat, maxRssMb, lines, tokens: tokens.toString() })}\n`);
}

type VariantResult = { variant: string; seconds: number; cpuSeconds: number; withGeneration: number; maxRssMb: number; lines: number; tokens: string };

function measureSize(compiled: string, root: string, rows: number, repeat: number): void {
  const results: VariantResult[] = [];
  for (const variant of ["fast", "naive"]) {
    const run = spawnSync(process.execPath, [compiled, "--variant", variant, "--rows", String(rows), "--repeat", String(repeat)], { encoding: "utf8", maxBuffer: 1 << 20, cwd: root, env: { ...process.env, NODE_PATH: path.join(root, "node_modules") } });
    if (run.status !== 0) throw new BenchError(`${variant} failed: ${run.stderr}`);
    results.push(JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as VariantResult);
  }
  const [fast, naive] = results;
  if (fast === undefined || naive === undefined || fast.tokens !== naive.tokens || fast.lines !== naive.lines) throw new BenchError("the variants disagree");
  console.log(`aggregation of ${rows.toLocaleString("en")} spend-log rows (${SUBSCRIPTIONS} subscriptions, ${fast.lines} lines)${repeat > 1 ? `, ${repeat} passes, figures per pass` : ""}:`);
  for (const r of [fast, naive]) {
    console.log(
      `  ${r.variant.padEnd(6)} ${r.withGeneration.toPrecision(4)} s with generation, ${r.seconds.toPrecision(4)} s aggregation alone ` +
        `(${Math.round(rows / r.seconds).toLocaleString("en")} rows/s)  peak RSS ${r.maxRssMb.toFixed(0)} MB  CPU ${r.cpuSeconds.toPrecision(4)} s`,
    );
  }
  if (rows >= 1_000_000) console.log(`figure (<= 2 s, <= 300 MB): ${fast.seconds <= 2 && fast.maxRssMb <= 300 ? "met" : "NOT met"} (aggregation ${fast.seconds.toFixed(2)} s, peak ${fast.maxRssMb.toFixed(0)} MB)`);
}

function main(): void {
  const child = process.argv.indexOf("--variant");
  const sizes = argValue("--rows", "1000000").split(",").map(Number);
  // Small windows are aggregated many times over (200,000 rows in all), each pass from scratch.
  const repeatFor = (rows: number) => Number(argValue("--repeat", String(Math.max(1, Math.round(200_000 / rows)))));
  if (child >= 0) {
    const rows = sizes[0] ?? 0;
    runVariant(process.argv[child + 1], rows, repeatFor(rows));
    return;
  }
  const root = path.resolve(__dirname, "..");
  const { dir: out, file: compiled } = compileForChild(root, "scripts/bench-aggregation.ts", "ff-bench-");
  try {
    for (const rows of sizes) measureSize(compiled, root, rows, repeatFor(rows));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

runMain("bench-aggregation", main);
