/**
 * Reading a busy window as it really arrives (issue 20, points 3 and 4): the connector's whole
 * read of one window, from LiteLLM to aggregated report lines, on both paths, at 1,000, 10,000,
 * 100,000 and 1,000,000 spend-log rows (10,000 subscriptions, rotated keys, failed calls, other
 * keys, provider-prefixed deployments; src/litellm-server/synthetic-rows.ts):
 *
 *   database path  LiteLLM's "LiteLLM_SpendLogs" table in a PostgreSQL 15 server started here
 *                  (LiteLLM 1.110.2's layout and indexes), one grouped query (src/connector/spend-db.ts);
 *                  median of 5 runs.
 *   API path       /spend/logs/v2 pages from the LiteLLM-compatible server over HTTP, JSON parsed
 *                  and validated, row by row through the Aggregator (src/connector/spend-source.ts);
 *                  pages of 1,000 (what the connector asks for) and of 100 (the client's default).
 *
 * Each read runs in a child process of its own (plain JavaScript compiled by tsc, so ts-node is
 * not in its memory) that reports its wall time, CPU time and peak RSS; the stand-in server and
 * PostgreSQL run in their own processes, their CPU measured beside. Rows are loaded in bulk
 * (COPY into PostgreSQL, loadSpendLogs into the stand-in), not through chat calls. Both paths'
 * report digests must agree or the benchmark fails.
 *
 *   npm run bench:read [-- --sizes 1000,10000,100000,1000000] [--db-runs 5] [--api-runs 3] [--full]
 *
 * The API path is read once at 100,000 rows and above (a million rows take minutes); --full adds
 * the million rows in pages of 100.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import postgres from "postgres";
import { parseDatabaseUrl } from "../src/connector/database-url";
import { reportDocument } from "../src/connector/report-doc";
import { DatabaseSpendSource } from "../src/connector/spend-db";
import { ApiSpendSource, type SpendSource } from "../src/connector/spend-source";
import { Windows } from "../src/report";
import { LiteLLMAdminClient } from "../src/litellm";
import { COPY_COLUMNS, copyLine, SPEND_LOGS_DDL } from "../src/litellm-server/database";
import { startLiteLLMServer } from "../src/litellm-server/server";
import { syntheticSpendRows } from "../src/litellm-server/synthetic-rows";
import { compileForChild, peakRssMb } from "../src/local/peak-rss";
import { startPostgres } from "../src/local/postgres";
import { DEFAULT_PRICING } from "../src/pricing";
import { BenchError, runMain } from "./errors";

const SUBSCRIPTIONS = 10_000;
const LOOKBACK = 12;
const MASTER = "sk-bench-read-master";
const windows = new Windows(300);
const BASE = windows.of(Date.parse("2026-03-01T00:00:00Z"));

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

/** Each size in a window of its own, further apart than the lookback, so no read sees another's rows. */
const windowOf = (index: number) => BASE + BigInt(index * (LOOKBACK + 8));
const rowsFor = (size: number, index: number) =>
  syntheticSpendRows({ rows: size, startMs: windows.startMs(windowOf(index)), spanMs: 300_000, subscriptions: SUBSCRIPTIONS, idPrefix: `s${size}`, seed: 1000 + index });

type ReadResult = { seconds: number; cpuSeconds: number; maxRssMb: number; rows: number; lines: number; digest: string; pages?: number };

function cpuSecondsOfPid(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

// ------------------------------------------------------------------ children

/** One read in this process: prints its figures as one JSON line. */
async function readerChild(kind: "db" | "api", window: bigint, pageSize: number): Promise<void> {
  let source: SpendSource;
  if (kind === "db") {
    source = new DatabaseSpendSource(parseDatabaseUrl(process.env.LITELLM_DATABASE_URL ?? ""));
  } else {
    const url = process.env.LITELLM_URL ?? "";
    source = new ApiSpendSource(new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: url }), url, pageSize);
  }
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  const read = await source.read({ window, windows, lookback: LOOKBACK, pricing: DEFAULT_PRICING, reported: () => new Set(), observed: () => undefined });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(cpu);
  await source.close();
  const result: ReadResult = {
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    maxRssMb: peakRssMb(),
    rows: read.rows,
    lines: read.lines.length,
    digest: reportDocument(window, read.lines).digest,
    pages: read.pages,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The LiteLLM-compatible server with every size's rows; serves until stdin closes, then prints its figures. */
async function serverChild(sizes: number[]): Promise<void> {
  const server = await startLiteLLMServer({ masterKey: MASTER, spendLogDelayMs: 0 });
  sizes.forEach((size, i) => server.loadSpendLogs(rowsFor(size, i)));
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once("end", () => resolve()));
  await server.stop();
  process.stdout.write(`${JSON.stringify({ maxRssMb: peakRssMb() })}\n`);
}

// ------------------------------------------------------------------ parent

function runChild(compiled: string, root: string, args: string[], env: Record<string, string>): ReadResult {
  const run = spawnSync(process.execPath, [compiled, ...args], { encoding: "utf8", maxBuffer: 1 << 20, cwd: root, env: { ...process.env, NODE_PATH: path.join(root, "node_modules"), ...env } });
  if (run.status !== 0) throw new BenchError(`${args.join(" ")} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as ReadResult;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const load = () => os.loadavg()[0]?.toFixed(1) ?? "?";
const progress = (line: string) => process.stderr.write(`[bench:read] ${line}\n`);

/** The read's own indexes (startTime); LiteLLM's four others serve other queries and only slow the load. */
const READ_INDEXES = SPEND_LOGS_DDL.filter((statement) => /CREATE INDEX "LiteLLM_SpendLogs_startTime/.test(statement));

async function loadDatabase(url: string, sizes: number[]): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const total = sizes.reduce((a, b) => a + b, 0);
    // Table and rows in one transaction: COPY FREEZE writes the rows frozen and all-visible (no
    // VACUUM pass over a gigabyte afterwards) and, with wal_level=minimal, without WAL.
    await sql.begin(async (tx) => {
      await tx.unsafe(SPEND_LOGS_DDL[0] as string);
      const stream = await tx.unsafe(`COPY "LiteLLM_SpendLogs" (${COPY_COLUMNS.map((c) => `"${c}"`).join(", ")}) FROM STDIN WITH (FREEZE)`).writable();
      let written = 0;
      let chunk: string[] = [];
      const flush = async () => {
        if (!stream.write(chunk.join(""))) await new Promise<void>((r) => stream.once("drain", () => r()));
        written += chunk.length;
        chunk = [];
        if (written % 200_000 === 0) progress(`PostgreSQL: ${written.toLocaleString("en")} of ${total.toLocaleString("en")} rows`);
      };
      for (const [i, size] of sizes.entries()) {
        for (const row of rowsFor(size, i)) {
          chunk.push(copyLine(row));
          if (chunk.length === 10_000) await flush();
        }
      }
      if (chunk.length > 0) await flush();
      await new Promise<void>((resolve, reject) => {
        stream.once("error", reject);
        stream.once("finish", () => resolve());
        stream.end();
      });
    });
    progress("PostgreSQL: startTime indexes, ANALYZE");
    for (const index of READ_INDEXES) await sql.unsafe(index);
    await sql`ANALYZE "LiteLLM_SpendLogs"`;
    await sql.unsafe(`CREATE ROLE bench_reader LOGIN PASSWORD 'bench-reader'`);
    await sql.unsafe(`GRANT SELECT ON "LiteLLM_SpendLogs" TO bench_reader`);
  } finally {
    await sql.end();
  }
}

async function startServerChild(compiled: string, root: string, sizes: number[]): Promise<{ url: string; child: ChildProcess; stop: () => Promise<number> }> {
  const child = spawn(process.execPath, [compiled, "--role", "server", "--sizes", sizes.join(",")], { cwd: root, env: { ...process.env, NODE_PATH: path.join(root, "node_modules") }, stdio: ["pipe", "pipe", "inherit"] });
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) throw new BenchError("the LiteLLM-compatible server exited before it was ready");
  const { url } = JSON.parse(first.value as string) as { url: string };
  return {
    url,
    child,
    stop: async () => {
      child.stdin?.end();
      const last = await iterator.next();
      return last.done ? NaN : (JSON.parse(last.value as string) as { maxRssMb: number }).maxRssMb;
    },
  };
}

const USAGE = `npm run bench:read [-- --sizes 1000,10000,100000,1000000] [--db-runs 5] [--api-runs 3] [--full]
  --sizes     rows per window, one window each (default: all four)
  --db-runs   database-path reads per size, median printed (default 5)
  --api-runs  API-path reads per size below 100,000 rows (default 3; one read from 100,000 up)
  --full      also a million rows in API pages of 100 (minutes more)`;

async function main(): Promise<void> {
  // Any other argument is ignored, so without this a request for help would run the whole benchmark.
  if (process.argv.includes("--help")) {
    console.log(USAGE);
    return;
  }
  const role = argValue("--role", "");
  const sizes = argValue("--sizes", "1000,10000,100000,1000000").split(",").map(Number);
  if (role === "db" || role === "api") return readerChild(role, BigInt(argValue("--window", "0")), Number(argValue("--page-size", "1000")));
  if (role === "server") return serverChild(sizes);

  const dbRuns = Number(argValue("--db-runs", "5"));
  const apiRuns = Number(argValue("--api-runs", "3"));
  const full = process.argv.includes("--full");
  const root = path.resolve(__dirname, "..");
  const started = Date.now();
  const { dir: compiledDir, file: compiled } = compileForChild(root, "scripts/bench-read.ts", "ff-bench-read-");
  progress(`load average ${load()}; loading ${sizes.reduce((a, b) => a + b, 0).toLocaleString("en")} rows into PostgreSQL 15 and the LiteLLM-compatible server`);
  // wal_level=minimal lets the bulk load skip WAL; nothing about reads changes.
  const pg = await startPostgres({ settings: { wal_level: "minimal", max_wal_senders: "0" } });
  let server: Awaited<ReturnType<typeof startServerChild>> | undefined;
  try {
    const [serverReady] = await Promise.all([startServerChild(compiled, root, sizes), loadDatabase(pg.url(), sizes)]);
    server = serverReady;
    const dbEnv = { LITELLM_DATABASE_URL: `postgres://bench_reader:bench-reader@127.0.0.1:${pg.port}/postgres?sslmode=disable` };
    const apiEnv = { LITELLM_URL: server.url };
    // The stand-in orders its rows on the first request; done here so no read pays for it.
    await new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: server.url }).spendLogs({ startDate: new Date(0), endDate: new Date(1000), pageSize: 1 });

    console.log(`reading one window (lookback ${LOOKBACK} windows, ${SUBSCRIPTIONS.toLocaleString("en")} subscriptions); load average at start ${load()}`);
    console.log("| path | rows | runs | wall s (median) | CPU s: connector + server | CPU µs/row | peak RSS MB | pages | lines | load |");
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    const results: Record<string, { wall: number; cpuPerRowUs: number; cpu: number; serverCpu: number; rss: number; pages?: number; lines: number; digest: string; load: string }> = {};
    const measure = (label: string, size: number, runs: number, args: string[], env: Record<string, string>, serverCpu: () => number) => {
      const loadAtStart = load();
      const all: (ReadResult & { serverCpu: number })[] = [];
      for (let i = 0; i < runs; i++) {
        const before = serverCpu();
        const r = runChild(compiled, root, args, env);
        all.push({ ...r, serverCpu: serverCpu() - before });
        progress(`${label} ${size.toLocaleString("en")} rows, run ${i + 1}/${runs}: ${fmt(r.seconds)} s`);
      }
      const wall = median(all.map((r) => r.seconds));
      const mid = all.find((r) => r.seconds === wall) ?? all[0];
      if (mid === undefined) throw new BenchError("no run");
      const digests = new Set(all.map((r) => r.digest));
      if (digests.size !== 1) throw new BenchError(`${label} ${size}: runs disagree`);
      const entry = { wall, cpuPerRowUs: ((mid.cpuSeconds + mid.serverCpu) / size) * 1e6, cpu: mid.cpuSeconds, serverCpu: mid.serverCpu, rss: Math.max(...all.map((r) => r.maxRssMb)), pages: mid.pages, lines: mid.lines, digest: mid.digest, load: loadAtStart };
      results[`${label}:${size}`] = entry;
      console.log(
        `| ${label} | ${size.toLocaleString("en")} | ${runs} | ${fmt(wall)} | ${fmt(entry.cpu)} + ${fmt(entry.serverCpu)} | ${fmt(entry.cpuPerRowUs, 1)} | ${fmt(entry.rss, 0)} | ${entry.pages ?? "-"} | ${entry.lines.toLocaleString("en")} | ${loadAtStart} |`,
      );
    };
    const serverPid = server.child.pid ?? 0;
    for (const [i, size] of sizes.entries()) {
      const w = String(windowOf(i));
      measure("database", size, dbRuns, ["--role", "db", "--window", w], dbEnv, () => pg.cpuSeconds());
      measure("api, pages of 1000", size, size >= 100_000 ? 1 : apiRuns, ["--role", "api", "--window", w, "--page-size", "1000"], apiEnv, () => cpuSecondsOfPid(serverPid));
      // Pages of 100 (the client's default, 10,000 requests at a million rows): at 100,000 rows; at
      // a million only with --full (minutes more).
      if (size === 100_000 || (size >= 1_000_000 && full)) measure("api, pages of 100", size, 1, ["--role", "api", "--window", w, "--page-size", "100"], apiEnv, () => cpuSecondsOfPid(serverPid));
      const db = results[`database:${size}`];
      for (const [key, r] of Object.entries(results)) {
        if (key.endsWith(`:${size}`) && r.digest !== db?.digest) throw new BenchError(`${key}: report digest differs from the database path's`);
      }
    }
    const serverRss = await server.stop();
    server = undefined;
    console.log(`LiteLLM-compatible server (all ${sizes.reduce((a, b) => a + b, 0).toLocaleString("en")} rows in memory): peak RSS ${fmt(serverRss, 0)} MB`);
    console.log("every read's report digest agrees across paths and runs");
    const top = sizes[sizes.length - 1] ?? 0;
    const db = results[`database:${top}`];
    const api = results[`api, pages of 1000:${top}`];
    const api100 = results[`api, pages of 100:${top}`];
    // Per row in CPU time (connector and server together): on a shared machine the wall time also
    // counts waiting for a core.
    const perRow = (label: string) => sizes.map((s) => fmt(results[`${label}:${s}`]?.cpuPerRowUs ?? NaN, 1)).join(" / ");
    // Lines bench.ts reads.
    for (const size of sizes) {
      for (const [key, label] of [["database", "database"], ["api", "api, pages of 1000"], ["api100", "api, pages of 100"]] as const) {
        const r = results[`${label}:${size}`];
        if (r === undefined) continue;
        console.log(`figure ${key} ${size}: ${fmt(r.wall)} s, CPU ${fmt(r.cpu)} + ${fmt(r.serverCpu)} s, ${r.pages ?? 0} pages, peak ${fmt(r.rss, 0)} MB, load ${r.load}`);
      }
    }
    console.log(`figure per-row database: ${perRow("database")} CPU µs at ${sizes.join(" / ")} rows`);
    console.log(`figure per-row api: ${perRow("api, pages of 1000")} CPU µs at ${sizes.join(" / ")} rows`);
    if (db) console.log(`goal (database path, ${top.toLocaleString("en")} rows, <= 2 s median of ${dbRuns}, <= 300 MB): ${db.wall <= 2 && db.rss <= 300 ? "met" : "NOT met"} (${fmt(db.wall)} s, ${fmt(db.rss, 0)} MB, load ${db.load})`);
    if (api) console.log(`API path beside it: ${fmt(api.wall)} s, ${api.pages} pages of 1000${api100 ? `; ${fmt(api100.wall)} s in ${api100.pages} pages of 100` : ""}`);
    console.log(`bench:read took ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    if (server) await server.stop();
    await pg.stop();
    fs.rmSync(compiledDir, { recursive: true, force: true });
  }
}

runMain("bench-read", main);
