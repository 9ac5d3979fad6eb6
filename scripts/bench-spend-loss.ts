/**
 * `npx ts-node --transpile-only scripts/bench-spend-loss.ts [--batch-ms 10000] [--crashes 3] [--concurrency 4]`:
 * the spend rows a LiteLLM crash loses (src/local/spend-loss.ts), per crash, at a batch interval.
 * Prints one line per crash and a summary line `rows lost per crash: <mean> (<per second of traffic>...)`.
 */
import { crashOnce } from "../src/local/spend-loss";
import { BenchError, runMain } from "./errors";

function intArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isSafeInteger(n) || n <= 0) throw new BenchError(`--${name} must be a positive integer`);
  return n;
}

async function main(): Promise<void> {
  const batchMs = intArg("batch-ms", 10_000);
  const crashes = intArg("crashes", 3);
  const concurrency = intArg("concurrency", 4);
  const runs = [];
  for (let i = 0; i < crashes; i++) {
    // Crash at a different point of the batch cycle each time: traffic for 1.5 to 2.5 intervals.
    const trafficMs = Math.round(batchMs * (1.5 + i / Math.max(1, crashes - 1)));
    const r = await crashOnce({ batchMs, trafficMs, concurrency });
    runs.push(r);
    console.log(
      `crash ${i + 1}: ${r.answered} calls answered at ${r.callsPerSecond.toFixed(1)}/s, ${r.lost} rows lost ` +
        `(${(r.lost / r.callsPerSecond).toFixed(1)} s of traffic; oldest lost call ${(r.oldestLostAgeMs / 1000).toFixed(1)} s before the crash; ` +
        `${r.lostOlderThanBatch} lost older than one batch interval)`,
    );
  }
  const lost = runs.reduce((s, r) => s + r.lost, 0) / runs.length;
  const seconds = runs.reduce((s, r) => s + r.lost / r.callsPerSecond, 0) / runs.length;
  console.log(`rows lost per crash: ${lost.toFixed(0)} (${seconds.toFixed(1)} s of traffic at a ${batchMs / 1000}-s batch interval)`);
}

runMain("bench-spend-loss", main);
