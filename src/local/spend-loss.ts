/**
 * Measures what a LiteLLM crash costs in spend rows: LiteLLM answers a call at once but writes
 * its spend-log row in a batch (every PROXY_BATCH_WRITE_AT seconds, 10 by default), so a proxy
 * killed between two batch writes has answered calls that no spend log, and so no bill, will
 * ever show. This drives the local LiteLLM-compatible server as its own process: calls at a
 * steady pace, SIGKILL, restart on the same state, then counts the answered calls whose rows
 * never appear.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { LiteLLMAdminClient } from "../litellm";
import { repoRoot } from "./flow-binary";
import { freePort } from "./ports";
import { ManagedProcess } from "./process";

/** A batch is on disk a little after its interval ends (the write itself). */
const WRITE_LATENCY_MS = 500;

export interface SpendLossRun {
  /** The server's batch delay (LiteLLM's PROXY_BATCH_WRITE_AT), ms. */
  batchMs: number;
  /** Calls answered 200 before the crash. */
  answered: number;
  /** Of those, calls whose spend row was found after the restart. */
  logged: number;
  /** answered - logged. */
  lost: number;
  /** Calls answered per second while the traffic ran. */
  callsPerSecond: number;
  /** Age at the crash of the oldest answered call whose row is lost, ms (0 when none is lost). */
  oldestLostAgeMs: number;
  /** Answered calls older than one batch interval (and the write's own latency) at the crash, yet lost: 0 when only the queue is lost. */
  lostOlderThanBatch: number;
}

function litellmProcess(port: number, stateFile: string, batchMs: number, masterKey: string, logFile: string): ManagedProcess {
  return new ManagedProcess({
    name: "litellm-crash-probe",
    command: process.execPath,
    args: [
      path.join(repoRoot(), "node_modules/ts-node/dist/bin.js"),
      "--transpile-only",
      path.join(repoRoot(), "scripts/litellm-server.ts"),
      "--port",
      String(port),
      "--state-file",
      stateFile,
      "--spend-log-delay-ms",
      String(batchMs),
    ],
    cwd: repoRoot(),
    env: { LITELLM_MASTER_KEY: masterKey },
    inheritEnv: false,
    logFile,
    ready: async () => (await fetch(`http://127.0.0.1:${port}/health/liveliness`)).ok,
  });
}

/**
 * One crash: `trafficMs` of calls (`concurrency` at a time), SIGKILL, restart, count. With
 * `stop: "clean"` the server is stopped with SIGTERM instead (it drains its queue, as LiteLLM
 * does on shutdown).
 */
export async function crashOnce(options: { batchMs: number; trafficMs: number; concurrency?: number; stop?: "crash" | "clean" }): Promise<SpendLossRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-spend-loss-"));
  const masterKey = `sk-probe-${randomBytes(12).toString("hex")}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = litellmProcess(port, path.join(dir, "state.json"), options.batchMs, masterKey, path.join(dir, "litellm.log"));
  try {
    await proc.start();
    const admin = new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: masterKey }, baseUrl: url });
    const { key } = await admin.generateKey({ key_alias: "crash-probe", metadata: { subscription_id: "crash-probe", customer: "", provider: "" } });
    const answered: { id: string; at: number }[] = [];
    const started = Date.now();
    const until = started + options.trafficMs;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: "gpt-4", messages: [{ role: "user", content: "count this call" }] }),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status === 200 && typeof body.id === "string") answered.push({ id: body.id, at: Date.now() });
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    const crashedAt = Date.now();
    if (options.stop === "clean") await proc.stop();
    else await proc.kill();
    await proc.start();
    // Everything that survived is visible one batch delay after the restart at the latest.
    await new Promise((r) => setTimeout(r, options.batchMs + 500));
    const rows = new Set<string>();
    for await (const row of admin.iterateSpendLogs({ startDate: new Date(started - 2000), endDate: new Date(), apiKey: key })) rows.add(row.request_id);
    const lostCalls = answered.filter((a) => !rows.has(a.id));
    return {
      batchMs: options.batchMs,
      answered: answered.length,
      logged: answered.length - lostCalls.length,
      lost: lostCalls.length,
      callsPerSecond: answered.length / ((crashedAt - started) / 1000),
      oldestLostAgeMs: lostCalls.reduce((m, a) => Math.max(m, crashedAt - a.at), 0),
      lostOlderThanBatch: lostCalls.filter((a) => crashedAt - a.at > options.batchMs + WRITE_LATENCY_MS).length,
    };
  } finally {
    await proc.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

