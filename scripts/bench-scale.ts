/**
 * Scale: N active subscriptions (10,000 by default) in one usage window, end to end on the local
 * stack (src/local/stack.ts), as DESIGN.md sizes the service:
 *   - the subscriptions opened in bulk (a test-only transaction opening many per transaction), the
 *     key service following their creation (one LiteLLM key each, first keys attached on Flow
 *     up to 200 per issue_keys transaction);
 *   - the window's usage written into LiteLLM's own spend table (`LiteLLM_SpendLogs`, PostgreSQL 15
 *     started here) as LiteLLM's batch writer writes it, several models per subscription, so the
 *     window has more lines than subscriptions; the connector reads it on its database path;
 *   - the window through the connector's seven stages and Flow's settlement, timed from the
 *     connector's stage log lines.
 * Prints the wall time of each stage and in all, the Flow transactions of the window and their
 * computation (the emulator's own per-transaction log), the published report's and summary's
 * sizes, the key service's memory and how far behind the chain it ran.
 *
 *   npx ts-node --transpile-only scripts/bench-scale.ts [--subscriptions 10000] [--rows 4] [--window-seconds 120]
 *
 * `--rows` is spend rows per subscription (random models among LiteLLM deployments of five
 * families). A failed run keeps the stack's logs and says where.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import postgres from "postgres";
import { publishedFiles } from "../src/connector/publish";
import { createSpendLogsTable, insertSpendLogs } from "../src/litellm-server/database";
import { syntheticSpendRows } from "../src/litellm-server/synthetic-rows";
import { keyAuthorization, runScript, sendTransaction } from "../src/flow/runtime";
import { subscriptionsGetSubscription } from "../src/flow/generated/scripts";
import { subscriptionsTestingCreateSubscriptions } from "../test/flow-generated/transactions";
import { createLocalAccount } from "../src/local/accounts";
import { startPostgres } from "../src/local/postgres";
import { freePorts, LocalStack } from "../src/local/stack";
import { messageOf } from "../src/errors";
import { Windows } from "../src/report";
import { BenchError, runMain } from "./errors";

const say = (line: string) => process.stderr.write(`[bench-scale] ${line}\n`);

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

/** Subscriptions per creation transaction: far under the 9,999 computation limit. */
const PER_CREATE_TX = 100;
const DEPOSIT = "10.0";
/** The connector's stages in order, as its log names them (src/connector/log.ts). */
const STAGES = ["aggregated", "published", "requested", "proved", "verified", "signed", "settled"] as const;

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const rssMb = (pid: number | undefined): { rss: number; peak: number } => {
  if (pid === undefined) return { rss: NaN, peak: NaN };
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
};

type KeyHealth = { subscriptions: number; pending: string[]; lagBlocks: number | null };

/** A log line of src/log.ts as an object; null for any other line (a stack trace, a child's output). */
function logRecord(text: string): Record<string, unknown> | null {
  if (!text.startsWith("{")) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Follows a growing log file: each new line with the time it was first seen. */
class LogFollower {
  private offset = 0;
  private rest = "";
  readonly lines: { at: number; text: string }[] = [];
  constructor(private readonly file: string) {}
  poll(): void {
    if (!fs.existsSync(this.file)) return;
    const size = fs.statSync(this.file).size;
    if (size <= this.offset) return;
    const fd = fs.openSync(this.file, "r");
    const buffer = Buffer.alloc(size - this.offset);
    fs.readSync(fd, buffer, 0, buffer.length, this.offset);
    fs.closeSync(fd);
    this.offset = size;
    const parts = (this.rest + buffer.toString("utf8")).split("\n");
    this.rest = parts.pop() ?? "";
    const at = Date.now();
    for (const text of parts) this.lines.push({ at, text });
  }
}

/** computeUnitsUsed of each transaction, from the emulator's verbose JSON log. */
function computationOf(emulatorLog: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of fs.readFileSync(emulatorLog, "utf8").split("\n")) {
    if (!line.includes("computeUnitsUsed")) continue;
    try {
      const entry = JSON.parse(line) as { txID?: unknown; computeUnitsUsed?: unknown };
      if (typeof entry.txID === "string" && typeof entry.computeUnitsUsed === "number") out.set(entry.txID, entry.computeUnitsUsed);
    } catch {
      // not a JSON line
    }
  }
  return out;
}

async function main(): Promise<void> {
  const subscriptions = Number(argValue("--subscriptions", "10000"));
  const rowsPer = Number(argValue("--rows", "4"));
  const windowSeconds = Number(argValue("--window-seconds", "120"));
  if (!Number.isInteger(subscriptions) || subscriptions < 1 || !Number.isInteger(rowsPer) || rowsPer < 1) throw new BenchError("--subscriptions and --rows take positive integers");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-bench-scale-"));
  let failed = true;
  const started = Date.now();

  const pg = await startPostgres({ settings: { wal_level: "minimal", max_wal_senders: "0" } });
  const admin = postgres(pg.url(), { max: 1, onnotice: () => undefined });
  await createSpendLogsTable(admin);
  await admin.unsafe(`CREATE ROLE bench_reader LOGIN PASSWORD 'bench-reader'`);
  await admin.unsafe(`GRANT SELECT ON "LiteLLM_SpendLogs" TO bench_reader`);

  // Computation per transaction is in the emulator's verbose log only (its REST API says 0).
  process.env.FLOW_VERBOSE = "true";
  const stack = await LocalStack.start({
    ports: await freePorts(),
    windowSeconds,
    stateDir: dir,
    spendLogDelaySeconds: 1,
    web: false,
    litellmDatabaseUrl: `postgres://bench_reader:bench-reader@127.0.0.1:${pg.port}/postgres?sslmode=disable`,
    log: () => undefined,
  });
  // Ctrl-C or a kill stops what this run started (the stack's processes run in their own groups).
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the stack; logs kept in ${dir}`);
      void stack.stop().then(() => pg.stop()).finally(() => process.exit(130));
    });
  }
  const keyServicePid = stack.processes.get("key-service")?.pid;
  // The key service may be too busy to answer while it takes in a burst of events: that is a
  // figure (its longest silence), not a failure of the run.
  const keyHealth = async (): Promise<KeyHealth | string> => {
    try {
      return (await (await fetch(`${stack.info.keyServiceUrl}/health`, { signal: AbortSignal.timeout(5000) })).json()) as KeyHealth;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      return `${messageOf(error)}${cause}`;
    }
  };
  try {
    say(`stack up in ${seconds(Date.now() - started)} s; key service pid ${keyServicePid ?? "?"}`);
    const flow = stack.info.flow;
    const customer = await createLocalAccount(flow, String(subscriptions * Number(DEPOSIT) + 100) + ".0");

    // 1. The subscriptions, in bulk.
    const createStart = Date.now();
    let firstId: bigint | undefined;
    let lastId = 0n;
    for (let made = 0; made < subscriptions; made += PER_CREATE_TX) {
      const count = Math.min(PER_CREATE_TX, subscriptions - made);
      const sealed = await sendTransaction(flow, subscriptionsTestingCreateSubscriptions, { provider: stack.info.provider.address, count: BigInt(count), deposit: DEPOSIT }, keyAuthorization(customer), { computeLimit: 9999 });
      for (const e of sealed.events) {
        if (!e.type.endsWith("SimpleUsageSubscriptions.SubscriptionCreated")) continue;
        const id = BigInt((e.data as { id: string }).id);
        firstId ??= id;
        lastId = id;
      }
      if ((made / PER_CREATE_TX) % 10 === 9 || made + count === subscriptions) say(`Flow: ${made + count}/${subscriptions} subscriptions opened`);
    }
    const createdMs = Date.now() - createStart;
    if (firstId !== 1n || lastId !== BigInt(subscriptions)) throw new BenchError(`expected subscriptions 1..${subscriptions}, got ${firstId}..${lastId}`);
    if ((await runScript(flow, subscriptionsGetSubscription, { id: BigInt(subscriptions) })) === null) throw new BenchError(`subscription ${subscriptions} is not on Flow`);

    // 2. The window's usage, in LiteLLM's spend table: the window after the one running now, so
    // every row is written before the window starts and none arrives late.
    const windows = new Windows(windowSeconds);
    const window = windows.of(Date.now()) + 1n;
    const rows = subscriptions * rowsPer;
    const inserted = await insertSpendLogs(admin, syntheticSpendRows({ rows, startMs: windows.startMs(window), spanMs: windowSeconds * 1000, subscriptions, idPrefix: `scale${window}`, seed: 20 }));
    await admin`ANALYZE "LiteLLM_SpendLogs"`;
    say(`LiteLLM_SpendLogs: ${inserted.toLocaleString("en")} rows in window ${window}`);

    // 3. The key service keeps following while the window runs; sampled every second.
    let silentSince: number | undefined;
    let longestSilence = 0;
    let silenceWhy = "";
    let caughtUpAt: number | undefined;
    let keysDoneAt: number | undefined;
    const connectorLog = new LogFollower(path.join(dir, "logs", "connector.log"));
    const windowEnd = windows.endMs(window);
    say(`waiting for window ${window} to end (${seconds(windowEnd - Date.now())} s) and settle`);
    const stageAt = new Map<string, number>();
    const flowTxs: string[] = [];
    const deadline = windowEnd + 30 * 60_000;
    let lastSample = 0;
    while (!stageAt.has("settled")) {
      if (Date.now() > deadline) throw new BenchError(`window ${window} did not settle within 30 minutes of its end; reached: ${[...stageAt.keys()].join(", ") || "nothing"}`);
      await new Promise((r) => setTimeout(r, 250));
      connectorLog.poll();
      for (const { at, text } of connectorLog.lines.splice(0)) {
        // logStage's lines (src/connector/log.ts): window, stage, and the stage's fields.
        const r = logRecord(text);
        if (r === null || typeof r.stage !== "string" || r.window !== window.toString()) continue;
        const stage = r.stage;
        if (stage === "flow-tx") flowTxs.push(typeof r.tx === "string" ? r.tx : "");
        else if (!stageAt.has(stage)) stageAt.set(stage, at);
        if ((STAGES as readonly string[]).includes(stage)) say(`window ${window}: ${stage} at +${seconds(at - windowEnd)} s after its end`);
      }
      if (Date.now() - lastSample >= 1000) {
        lastSample = Date.now();
        const health = await keyHealth();
        if (typeof health === "string") {
          silentSince ??= lastSample;
          silenceWhy = health;
          continue;
        }
        if (silentSince !== undefined) {
          longestSilence = Math.max(longestSilence, Date.now() - silentSince);
          say(`key service answered again after ${seconds(Date.now() - silentSince)} s without an answer (${silenceWhy})`);
          silentSince = undefined;
        }
        if (caughtUpAt === undefined && health.subscriptions >= subscriptions && (health.lagBlocks ?? 1) === 0) caughtUpAt = Date.now();
        if (keysDoneAt === undefined && health.subscriptions >= subscriptions && health.pending.length === 0) keysDoneAt = Date.now();
      }
    }

    // 4. Figures.
    const emulatorLog = path.join(dir, "logs", "flow-emulator.log");
    const computation = computationOf(emulatorLog);
    const txComputation = flowTxs.map((tx) => computation.get(tx));
    const known = txComputation.filter((c): c is number => c !== undefined);
    const files = publishedFiles(path.join(dir, "connector", "published"), window);
    const reportBytes = fs.statSync(files.report).size;
    const summaryBytes = fs.statSync(files.summary).size;
    const lines = Number((JSON.parse(fs.readFileSync(files.report, "utf8")) as { lineCount: string }).lineCount);
    let health = await keyHealth();
    for (let i = 0; typeof health === "string" && i < 60; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      health = await keyHealth();
    }
    if (typeof health === "string") throw new BenchError(`the key service did not answer /health for a minute after the window settled: ${health}`);
    const memory = rssMb(keyServicePid);
    // The key service's batches: "<n> of <m> first keys attached on Flow in transaction <id>".
    const batches = fs
      .readFileSync(path.join(dir, "logs", "key-service.log"), "utf8")
      .split("\n")
      .map((line) => /^(\d+) of (\d+) first keys attached on Flow in transaction ([0-9a-f]{64})$/.exec(String(logRecord(line)?.msg ?? "")))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({
        keys: Number(m[1]),
        computation: computation.get(m[3] as string),
      }));
    const batchKeys = batches.reduce((n, b) => n + b.keys, 0);
    const batchComputation = batches.map((b) => b.computation).filter((c): c is number => c !== undefined);
    // Keys issued: of the subscriptions the key service has seen so far, those with nothing left to do.
    const issued = health.subscriptions - health.pending.length;
    const keyRate = issued / (((keysDoneAt ?? Date.now()) - createStart) / 1000);
    const createdEnd = createStart + createdMs;

    console.log(`scale: ${subscriptions.toLocaleString("en")} subscriptions, ${inserted.toLocaleString("en")} spend rows, ${lines.toLocaleString("en")} report lines in one ${windowSeconds}-s window; load ${(os.loadavg()[0] ?? 0).toFixed(1)}`);
    // The connector reads a window only after LiteLLM's batch delay (the stack's close delay).
    const closeDelayMs = Number(stack.connectorEnv().FLAREFLOW_CLOSE_DELAY_SECONDS) * 1000;
    let previous = windowEnd + closeDelayMs;
    const stageRows: string[] = [];
    for (const stage of STAGES) {
      const at = stageAt.get(stage);
      if (at === undefined) continue;
      stageRows.push(`${stage} ${seconds(at - previous)} s`);
      previous = at;
    }
    const total = (stageAt.get("settled") ?? NaN) - windowEnd;
    console.log(`stages (from the window's end and a ${seconds(closeDelayMs)}-s close delay): ${stageRows.join(", ")}; total ${seconds(total)} s after the window's end (its length: ${windowSeconds} s)`);
    console.log(`flow: ${flowTxs.length} transaction(s), computation ${known.reduce((a, b) => a + b, 0).toLocaleString("en")} in all (${(known.reduce((a, b) => a + b, 0) / lines).toFixed(2)} per line; ${known.length} of ${flowTxs.length} read from the emulator's log)`);
    console.log(`report: ${reportBytes.toLocaleString("en")} bytes (${(reportBytes / lines).toFixed(0)} per line); summary ${summaryBytes.toLocaleString("en")} bytes`);
    console.log(`subscriptions opened in ${seconds(createdMs)} s (${PER_CREATE_TX} per transaction)`);
    console.log(
      `key service: RSS ${memory.rss.toFixed(0)} MB (peak ${memory.peak.toFixed(0)} MB); events followed to the head ${caughtUpAt === undefined ? "not yet" : `${seconds(caughtUpAt - createdEnd)} s`} after the last subscription opened; its HTTP API's longest silence ${seconds(longestSilence)} s; keys issued for all ${keysDoneAt === undefined ? `not yet (${issued.toLocaleString("en")} issued of ${health.subscriptions.toLocaleString("en")} seen at the end)` : `${seconds(keysDoneAt - createdEnd)} s after`}; ${keyRate.toFixed(1)} keys issued per second from the first subscription opened`,
    );
    console.log(
      `key service's issue_keys: ${batches.length} transaction(s) for ${batchKeys.toLocaleString("en")} first keys; computation ${batchComputation.length === 0 ? "not in the emulator's log" : `at most ${Math.max(...batchComputation).toLocaleString("en")} per transaction, ${(batchComputation.reduce((a, b) => a + b, 0) / batchKeys).toFixed(1)} per key`}`,
    );
    failed = false;
  } finally {
    await stack.stop();
    await admin.end();
    await pg.stop();
    if (failed) say(`logs kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain("bench-scale", main);
