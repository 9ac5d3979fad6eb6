/**
 * Flow settlement benchmark: computation of FlareFDCTriggers.submitReport on the pinned emulator
 * (mainnet execution-effort weights, mainnet's 9,999 transaction limit), for reports of several
 * sizes, beside the naive baseline of one transaction per line, measured in the same run.
 *
 *   npx ts-node --transpile-only scripts/bench-flow-settlement.ts [--max 1000]
 *
 * The emulator's REST API reports computation_used as 0, so computation is read from the
 * emulator's own per-transaction log ("computeUnitsUsed", verbose JSON log).
 * test/emulator/digest-parity.test.ts runs the same harness and asserts the figures.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as fcl from "@onflow/fcl";
import type { ArgFn, CadenceTypes } from "@onflow/fcl";
import { FlowEmulator } from "../src/local/emulator";
import { contractAddresses, emulatorServiceAccount } from "../src/config/flow-json";
import { codec, keyAuthorization, resolveImports, runScript, type ScriptDefinition, type TransactionDefinition } from "../src/flow/runtime";
import { oracleRegisterOracle, oracleSetSource, oracleSetThreshold, triggersSetWindowSeconds, triggersStartChunkedReport, triggersSubmitChunk, triggersSubmitReport } from "../src/flow/generated/transactions";
import { subscriptionsTestingCreateSubscriptions } from "../test/flow-generated/transactions";
import {
  attestationFor,
  encodeAttestation,
  encodeChunkedAttestation,
  lineColumns,
  planChunks,
  oraclePublicKey,
  signEncoding,
  type UsageLine,
  requestsRoot,
} from "../src/report";
import { COSTON2_CHAIN_ID } from "../src/config/networks";
import { parseUFix64 } from "../src/pricing/units";
import { breakdown, computationReport } from "./flow-effort-weights";
import { id } from "ethers";
import { messageOf } from "../src/errors";
import { BenchError, runMain } from "./errors";

/** Mainnet's computation limit per transaction. */
export const MAINNET_COMPUTE_LIMIT = 9_999;

const REPO = path.resolve(__dirname, "..");
const CONTRACTS = ["SimpleUsageSubscriptions", "UsageBasedSubscriptions", "FlareOracleVerifier", "FlareFDCTriggers"];
/** The floor's bench-only contract (cadence/tests/contracts), deployed beside the product's. */
const FLOOR_CONTRACT = "SettlementFloor";
/** The bench's oracles (ids 1, 2, 3 in this order; threshold 2) and Coston2 source. */
export const ORACLE_KEYS: readonly string[] = [1, 2, 3].map((i) => id(`FlareFlow bench oracle ${i}`));
export const VERIFIER = "0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01";

/** An FCL argument list builder (FCL's own callback shape). */
export type Args = (arg: ArgFn, t: CadenceTypes) => unknown[];

export interface TxOutcome {
  id: string;
  computation: number;
  error: string;
  events: { type: string; data: unknown }[];
}

/** One emulator with the four contracts deployed on its service account, oracles registered. */
export class SettlementBench {
  private nextWindow = 1_000_000n;
  private created = 0;
  private used = 0;
  private round = 1n;

  private constructor(
    readonly emulator: FlowEmulator,
    readonly addresses: Record<string, string>,
    /** computeUnitsUsed by transaction id, from the emulator's log. */
    private readonly computation: ReadonlyMap<string, number>,
  ) {}

  /**
   * Starts an emulator (verbose, to log computation), deploys, registers 3 oracles, threshold 2,
   * and sets the usage window length if asked (before anything is settled).
   */
  static async start(options: { windowSeconds?: number; computationReporting?: boolean } = {}): Promise<SettlementBench> {
    const service = emulatorServiceAccount();
    const previous = process.env.FLOW_VERBOSE;
    process.env.FLOW_VERBOSE = "true";
    const seen = new Map<string, number>();
    let emulator: FlowEmulator;
    try {
      emulator = await FlowEmulator.start({
        computationReporting: options.computationReporting,
        onLog: (line) => {
          if (!line.includes("computeUnitsUsed")) return;
          try {
            const entry = JSON.parse(line) as { txID?: unknown; computeUnitsUsed?: unknown };
            if (typeof entry.txID === "string" && typeof entry.computeUnitsUsed === "number") seen.set(entry.txID, entry.computeUnitsUsed);
          } catch {
            // not a JSON log line
          }
        },
      });
    } finally {
      if (previous === undefined) delete process.env.FLOW_VERBOSE;
      else process.env.FLOW_VERBOSE = previous;
    }
    fcl.config().put("accessNode.api", emulator.restUrl).put("flow.network", "emulator");
    const bench = new SettlementBench(emulator, contractAddresses("emulator", service.address), seen);
    const sources = [...CONTRACTS.map((name) => [name, `cadence/contracts/${name}.cdc`]), [FLOOR_CONTRACT, `cadence/tests/contracts/${FLOOR_CONTRACT}.cdc`]];
    for (const [name, file] of sources) {
      const code = resolveImports(fs.readFileSync(path.join(REPO, file), "utf8"), bench.addresses);
      await bench.mutateOk(
        `transaction(name: String, code: String) { prepare(s: auth(AddContract) &Account) { s.contracts.add(name: name, code: code.decodeHex()) } }`,
        (arg, t) => [arg(name, t.String), arg(Buffer.from(code, "utf8").toString("hex"), t.String)],
      );
    }
    for (const key of ORACLE_KEYS) {
      await bench.sendOk(oracleRegisterOracle, { publicKey: oraclePublicKey(key) });
    }
    await bench.sendOk(oracleSetThreshold, { threshold: 2n });
    await bench.sendOk(oracleSetSource, { coston2ChainId: COSTON2_CHAIN_ID, verifier: VERIFIER });
    if (options.windowSeconds !== undefined) {
      await bench.sendOk(triggersSetWindowSeconds, { seconds: options.windowSeconds });
    }
    return bench;
  }

  /** The latest sealed block's time in whole seconds (Cadence's getCurrentBlock().timestamp). */
  async sealedTime(): Promise<bigint> {
    const res = await fetch(`${this.emulator.restUrl}/v1/blocks?height=sealed`);
    const [block] = (await res.json()) as Array<{ header: { timestamp: string } }>;
    return BigInt(Math.floor(Date.parse(block.header.timestamp) / 1000));
  }

  /** A Cadence file of the project with its imports resolved for this emulator. */
  file(relative: string): string {
    return resolveImports(fs.readFileSync(path.join(REPO, "cadence", `${relative}.cdc`), "utf8"), this.addresses);
  }

  async query(cadence: string, args: Args): Promise<unknown> {
    return fcl.query({ cadence: resolveImports(cadence, this.addresses), args });
  }

  /** Runs a generated script binding on this emulator. */
  async run<A, R>(script: ScriptDefinition<A, R>, args: A): Promise<R> {
    return runScript({ accessNode: this.emulator.restUrl, addresses: this.addresses }, script, args);
  }

  /** Sends a generated transaction binding, its arguments encoded as the connector encodes them. */
  async send<A>(tx: TransactionDefinition<A>, args: A, limit = MAINNET_COMPUTE_LIMIT): Promise<TxOutcome> {
    return this.mutate(tx.cadence, codec.fclArgs(tx.params, args as Record<string, unknown>), limit);
  }

  async sendOk<A>(tx: TransactionDefinition<A>, args: A): Promise<TxOutcome> {
    const outcome = await this.send(tx, args);
    if (outcome.error) throw new BenchError(`${tx.name} failed: ${outcome.error}`);
    return outcome;
  }

  /** Sends a transaction signed by the service account with mainnet's limit; never throws on a Cadence error. */
  async mutate(cadence: string, args: Args, limit = MAINNET_COMPUTE_LIMIT): Promise<TxOutcome> {
    const authz = keyAuthorization({ ...emulatorServiceAccount(), keyIndex: 0 });
    // A relayed transaction (no prepare block) has no authorizer.
    const authorizations = /\bprepare\s*\(/.test(cadence) ? [authz] : [];
    const txId = await fcl.mutate({ cadence: resolveImports(cadence, this.addresses), args, proposer: authz, payer: authz, authorizations, limit });
    let error = "";
    let events: { type: string; data: unknown }[] = [];
    try {
      const status = await fcl.tx(txId).onceSealed();
      error = status.errorMessage;
      events = status.events.map((e) => ({ type: e.type, data: e.data }));
    } catch (failure) {
      error = messageOf(failure);
    }
    const computation = this.computation.get(txId);
    if (computation === undefined) throw new BenchError(`no computeUnitsUsed logged for ${txId}`);
    return { id: txId, computation, error, events };
  }

  async mutateOk(cadence: string, args: Args, limit = MAINNET_COMPUTE_LIMIT): Promise<TxOutcome> {
    const outcome = await this.mutate(cadence, args, limit);
    if (outcome.error) throw new BenchError(`transaction failed: ${outcome.error}`);
    return outcome;
  }

  /** Lines for `count` subscriptions never billed before (opened as needed). */
  async freshLines(count: number): Promise<UsageLine[]> {
    if (this.created < this.used + count) await this.createSubscriptions(this.used + count - this.created);
    const lines = benchLines(this.used + 1, count);
    this.used += count;
    return lines;
  }

  /** Lines for `count` subscriptions opened now with `deposit` each. */
  async freshLinesWithDeposit(count: number, deposit: string): Promise<UsageLine[]> {
    const first = this.created + 1;
    await this.createSubscriptions(count, deposit);
    this.used = this.created;
    return benchLines(first, count);
  }

  /** Opens `count` subscriptions (service account is customer and provider), in batches. */
  async createSubscriptions(count: number, deposit = "10.0"): Promise<void> {
    const provider = emulatorServiceAccount().address;
    for (let done = 0; done < count; done += 100) {
      const batch = Math.min(100, count - done);
      await this.sendOk(subscriptionsTestingCreateSubscriptions, { provider, count: batch, deposit });
    }
    this.created += count;
  }

  /** Signs and submits `lines` as the report of `window` (default: the next of the bench's own). */
  async submitReport(lines: UsageLine[], limit = MAINNET_COMPUTE_LIMIT, window = this.nextWindow++): Promise<TxOutcome> {
    const votingRound = this.round++;
    const attestation = attestationFor({ chainId: BigInt(COSTON2_CHAIN_ID), verifier: VERIFIER }, window, lines, votingRound);
    const encoding = encodeAttestation(attestation);
    const signatures = ORACLE_KEYS.slice(0, 2).map((key) => signEncoding(key, encoding));
    return this.send(triggersSubmitReport, { window, votingRound, ...lineColumns(lines), signers: [1n, 2n], signatures }, limit);
  }

  /** Signs and submits `lines` as the next window's report in chunks of at most `maxLines`. */
  async submitChunked(lines: UsageLine[], maxLines: number): Promise<TxOutcome[]> {
    const window = this.nextWindow++;
    const votingRound = this.round++;
    const plan = planChunks(window, lines, maxLines);
    const attestation = { ...attestationFor({ chainId: BigInt(COSTON2_CHAIN_ID), verifier: VERIFIER }, window, lines, votingRound), chunkCount: plan.chunkCount, chunkChain: plan.chunkChain };
    const encoding = encodeChunkedAttestation(attestation);
    const signatures = ORACLE_KEYS.slice(0, 2).map((key) => signEncoding(key, encoding));
    const outcomes: TxOutcome[] = [];
    outcomes.push(
      await this.send(triggersStartChunkedReport, {
        window,
        votingRound,
        digest: attestation.digest.slice(2),
        chunkCount: plan.chunkCount,
        chunkChain: plan.chunkChain.slice(2),
        signers: [1n, 2n],
        signatures,
      }),
    );
    for (const chunk of plan.chunks) {
      outcomes.push(await this.send(triggersSubmitChunk, { window, index: chunk.index, ...lineColumns(chunk.lines), nextLink: chunk.nextLink.slice(2) }));
    }
    return outcomes;
  }

  /**
   * The floor (cadence/tests/contracts/SettlementFloor.cdc): `lines` moved on records opened
   * for them, each by its `amounts` entry (the product's charge of that line), with or without
   * a per-line event. Checks the floor did its work: the last record's balance and counter moved.
   */
  async floorCharge(lines: UsageLine[], amounts: string[], withEvents: boolean): Promise<TxOutcome> {
    if (amounts.length !== lines.length) throw new BenchError("one amount per line");
    const deposit = "1000000.0";
    await this.mutateOk(this.file("tests/transactions/floor_open"), (arg, t) => [arg(String(lines.length), t.Int), arg(deposit, t.UFix64)]);
    const first = BigInt(String(await this.query(`import "SettlementFloor"\naccess(all) fun main(): UInt64 { return SettlementFloor.nextId }`, () => []))) - BigInt(lines.length);
    const ids = lines.map((_, i) => String(first + BigInt(i)));
    const outcome = await this.mutate(this.file("tests/transactions/floor_charge"), (arg, t) => [
      arg((this.nextWindow++).toString(), t.UInt64),
      arg(ids, t.Array(t.UInt64)),
      arg(lines.map((l) => l.family), t.Array(t.String)),
      arg(lines.map((l) => l.tokens.toString()), t.Array(t.UInt64)),
      arg(amounts, t.Array(t.UFix64)),
      arg(withEvents, t.Bool),
    ]);
    if (outcome.error) return outcome;
    const last = lines.length - 1;
    const [balance, counter] = (await this.query(`import "SettlementFloor"\naccess(all) fun main(id: UInt64): [AnyStruct] { return SettlementFloor.record(id) }`, (arg, t) => [arg(ids[last], t.UInt64)])) as [string, string];
    if (parseUFix64(balance) !== parseUFix64(deposit) - parseUFix64(amounts[last]) || BigInt(counter) !== lines[last].tokens) {
      throw new BenchError(`the floor did not move line ${last}: balance ${balance}, counter ${counter}`);
    }
    return outcome;
  }

  /** The report digest alone (FlareFDCTriggers.reportDigest in a transaction): no signature, no charge. */
  async digestOnly(lines: UsageLine[]): Promise<TxOutcome> {
    const cols = lineColumns(lines);
    return this.mutateOk(this.file("tests/transactions/report_digest_only"), (arg, t) => [
      arg((this.nextWindow++).toString(), t.UInt64),
      arg(cols.subscriptionIds.map(String), t.Array(t.UInt64)),
      arg(cols.families, t.Array(t.String)),
      arg(cols.tokens.map(String), t.Array(t.UInt64)),
      arg(cols.requests.map(String), t.Array(t.UInt64)),
      arg(cols.requestRoots.map(String), t.Array(t.UInt256)),
    ]);
  }

  async stop(): Promise<void> {
    await this.emulator.stop();
  }
}

/** `count` lines for subscriptions first..first+count-1, cycling through the priced families. */
export function benchLines(first: number, count: number): UsageLine[] {
  const families = ["gpt-4", "claude", "", "llama", "gpt-3.5"];
  // Each root is a real one (of one request): 32 bytes that look random, as live roots do.
  return Array.from({ length: count }, (_, i) => ({
    subscriptionId: BigInt(first + i),
    family: families[i % families.length],
    tokens: 1_000n + BigInt(i),
    requests: 1n,
    requestsRoot: requestsRoot([{ requestId: `chatcmpl-bench-${first + i}`, tokens: 1_000n + BigInt(i) }]),
  }));
}

export interface BenchFigures {
  /** Computation of one report of n lines, by n, with the lines' lines and charged amounts. */
  perReport: { lines: number; computation: number; id?: string; charged?: { lines: UsageLine[]; amounts: string[] } }[];
  /** One transaction per line: computation of each single-line report. */
  singleLineTx: number;
  /** Marginal computation per line: (C(max) - C(1)) / (max - 1). */
  perLine: number;
  /** Lines that fit in 9,999 by the marginal cost; and the largest report measured under the limit. */
  linesPerTransaction: number;
  largestMeasured: number;
}

/** Measures reports of the given sizes (each on fresh subscriptions) and the 1-line baseline. */
export async function measure(bench: SettlementBench, sizes: number[], baselineRuns = 5): Promise<BenchFigures> {
  const perReport: BenchFigures["perReport"] = [];
  let largestMeasured = 0;
  for (const n of sizes) {
    const lines = await bench.freshLines(n);
    const outcome = await bench.submitReport(lines);
    if (outcome.error) {
      if (!/computation|limit/i.test(outcome.error)) throw new BenchError(`report of ${n} lines failed: ${outcome.error}`);
      perReport.push({ lines: n, computation: Number.NaN });
      continue;
    }
    perReport.push({ lines: n, computation: outcome.computation, id: outcome.id, charged: { lines, amounts: chargedAmounts(lines, outcome) } });
    largestMeasured = Math.max(largestMeasured, n);
  }
  const singles: number[] = [];
  for (let i = 0; i < baselineRuns; i++) {
    const outcome = await bench.submitReport(await bench.freshLines(1));
    if (outcome.error) throw new BenchError(`one-line report failed: ${outcome.error}`);
    singles.push(outcome.computation);
  }
  const singleLineTx = singles.reduce((a, b) => a + b, 0) / singles.length;
  const measured = perReport.filter((r) => Number.isFinite(r.computation));
  const big = measured[measured.length - 1];
  const perLine = (big.computation - singleLineTx) / (big.lines - 1);
  const linesPerTransaction = 1 + Math.floor((MAINNET_COMPUTE_LIMIT - singleLineTx) / perLine);
  return { perReport, singleLineTx, perLine, linesPerTransaction, largestMeasured };
}

/** Each line's charged amount, from the report's SubscriptionCharged events (by subscription id). */
function chargedAmounts(lines: UsageLine[], outcome: TxOutcome): string[] {
  const byId = new Map<string, string>();
  for (const e of outcome.events) {
    if (!e.type.endsWith("FlareFDCTriggers.SubscriptionCharged")) continue;
    const data = e.data as { id: string; charged: string };
    byId.set(String(data.id), data.charged);
  }
  return lines.map((l) => {
    const amount = byId.get(l.subscriptionId.toString());
    if (amount === undefined) throw new BenchError(`line of subscription ${l.subscriptionId} was not charged`);
    return amount;
  });
}

export interface FloorFigures {
  /** By report size: ours, the floor, the floor with one event per line, the digest alone. */
  rows: { lines: number; ours: number; floor: number; floorEvents: number; digest: number; ids: { ours: string; floor: string; floorEvents: string; digest: string } }[];
  /** Marginal computation per line of each, between the smallest and largest size. */
  perLine: { ours: number; floor: number; floorEvents: number; digest: number };
}

/**
 * The floor beside ours (issue 20, item 2), on the same lines and the amounts ours charged them:
 * the floor moves each amount on a record of the product's layout and advances its period
 * counter (cadence/tests/contracts/SettlementFloor.cdc); the event variant adds the per-line
 * event a readable bill needs; the digest row is FlareFDCTriggers' report digest alone.
 */
export async function measureFloor(bench: SettlementBench, figures: BenchFigures): Promise<FloorFigures> {
  const rows: FloorFigures["rows"] = [];
  for (const r of figures.perReport) {
    if (!r.charged) continue;
    const floor = await bench.floorCharge(r.charged.lines, r.charged.amounts, false);
    const floorEvents = await bench.floorCharge(r.charged.lines, r.charged.amounts, true);
    for (const o of [floor, floorEvents]) if (o.error) throw new BenchError(`the floor of ${r.lines} lines failed: ${o.error}`);
    const digest = await bench.digestOnly(r.charged.lines);
    const ids = { ours: r.id ?? "", floor: floor.id, floorEvents: floorEvents.id, digest: digest.id };
    rows.push({ lines: r.lines, ours: r.computation, floor: floor.computation, floorEvents: floorEvents.computation, digest: digest.computation, ids });
  }
  if (rows.length < 2) throw new BenchError("the floor needs two report sizes");
  const [small, big] = [rows[0], rows[rows.length - 1]];
  const slope = (k: "ours" | "floor" | "floorEvents" | "digest") => (big[k] - small[k]) / (big.lines - small.lines);
  return { rows, perLine: { ours: slope("ours"), floor: slope("floor"), floorEvents: slope("floorEvents"), digest: slope("digest") } };
}

/**
 * Marginal computation per line by kind (mainnet weights) of each variant, between the smallest
 * and largest report of `floor`: where ours spends what the floor does not.
 */
async function perLineByKind(bench: SettlementBench, floor: FloorFigures): Promise<void> {
  const [small, big] = [floor.rows[0], floor.rows[floor.rows.length - 1]];
  const variants = ["ours", "floor", "floorEvents", "digest"] as const;
  const perKind = new Map<string, Record<(typeof variants)[number], number>>();
  for (const v of variants) {
    const [a, b] = [breakdown(await computationReport(bench.emulator.adminUrl, small.ids[v])), breakdown(await computationReport(bench.emulator.adminUrl, big.ids[v]))];
    for (const [sign, parts] of [[-1, a], [1, b]] as const) {
      for (const p of parts) {
        const row = perKind.get(p.kind) ?? { ours: 0, floor: 0, floorEvents: 0, digest: 0 };
        row[v] += (sign * p.computation) / (big.lines - small.lines);
        perKind.set(p.kind, row);
      }
    }
  }
  console.log(`per line by kind (mainnet weights, ${small.lines} to ${big.lines} lines)   ours   floor  +event  digest`);
  for (const [kind, row] of [...perKind].sort((x, y) => y[1].ours - x[1].ours)) {
    if (Math.max(...variants.map((v) => Math.abs(row[v]))) < 0.005) continue;
    console.log(`  ${kind.padEnd(52)}${variants.map((v) => row[v].toFixed(2).padStart(8)).join("")}`);
  }
}

async function main(): Promise<void> {
  const maxFlag = process.argv.indexOf("--max");
  const max = maxFlag >= 0 ? Number(process.argv[maxFlag + 1]) : 1_000;
  const sizes = [1, 10, 100, 250, 500, max].filter((n, i, all) => all.indexOf(n) === i && n <= max);
  const bench = await SettlementBench.start({ computationReporting: true });
  try {
    const f = await measure(bench, sizes);
    console.log("FlareFDCTriggers.submitReport on the pinned emulator (mainnet weights, limit 9,999)");
    console.log("lines  computation  per line");
    for (const r of f.perReport) {
      const per = Number.isFinite(r.computation) ? (r.computation / r.lines).toFixed(2) : "-";
      console.log(`${String(r.lines).padStart(5)}  ${Number.isFinite(r.computation) ? String(r.computation).padStart(11) : "  over limit"}  ${per.padStart(8)}`);
    }
    console.log(`one transaction per line: ${f.singleLineTx.toFixed(1)} per transaction (= per line)`);
    console.log(`marginal per line in one report: ${f.perLine.toFixed(2)} (${(f.singleLineTx / f.perLine).toFixed(1)}x cheaper than a transaction per line)`);
    console.log(`lines per transaction within 9,999: ~${f.linesPerTransaction} (largest measured under the limit: ${f.largestMeasured})`);
    const floor = await measureFloor(bench, f);
    console.log("the floor beside ours, same lines and amounts (floor: move the amount, advance the period counter; + event: and one event per line; digest: the report digest alone)");
    console.log("lines       ours      floor  floor+event     digest  ours/floor");
    for (const r of floor.rows) {
      console.log(`${String(r.lines).padStart(5)}  ${String(r.ours).padStart(9)}  ${String(r.floor).padStart(9)}  ${String(r.floorEvents).padStart(11)}  ${String(r.digest).padStart(9)}  ${(r.ours / r.floor).toFixed(2).padStart(10)}`);
    }
    const p = floor.perLine;
    console.log(`per line (marginal): ours ${p.ours.toFixed(2)}, floor ${p.floor.toFixed(2)}, floor with an event ${p.floorEvents.toFixed(2)}, digest ${p.digest.toFixed(2)}`);
    console.log(`floor per line: ${p.floor.toFixed(2)}; with an event: ${p.floorEvents.toFixed(2)}; ours/floor: ${(p.ours / p.floor).toFixed(2)}; ours/(floor with an event): ${(p.ours / p.floorEvents).toFixed(2)}`);
    await perLineByKind(bench, floor);
    const chunked = await bench.submitChunked(await bench.freshLines(1_500), 500);
    const failed = chunked.find((o) => o.error);
    if (failed) throw new BenchError(`chunked report failed: ${failed.error}`);
    console.log(`1,500 lines in 3 chunks of 500: start ${chunked[0].computation}, chunks ${chunked.slice(1).map((o) => o.computation).join(", ")}`);
  } finally {
    await bench.stop();
  }
}

if (require.main === module) {
  runMain("bench-flow-settlement", main);
}
