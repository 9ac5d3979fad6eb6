import * as fs from "node:fs";
import * as path from "node:path";
import { readJsonFile, removeTempFiles, writeFileDurable } from "./durable";
import type { UsageLine, UsageSummary } from "../report";
import { parseReportDocument } from "./report-doc";

/**
 * The connector's durable state: one JSON record per window, replaced atomically at every step
 * (see durable.ts for why files and not SQLite). A stage is recorded only after its effect is
 * done; an effect that cannot be repeated safely (an EVM transaction) is recorded as a signed
 * raw transaction *before* it is broadcast, so a restart re-broadcasts the same transaction
 * instead of sending a second one.
 */

export const STAGES = ["aggregated", "published", "requested", "proved", "verified", "signed", "settled"] as const;
export type Stage = (typeof STAGES)[number] | "skipped";

/** A signed EVM transaction recorded before broadcast. */
export type PendingTx = { hash: string; raw: string };

export type WindowRecord = {
  window: string;
  stage: Stage;
  updatedAt: string;
  summary: { digest: string; lineCount: string; totalTokens: string };
  /**
   * Rows reported, of which late; `observed`: rows of every status and key the read saw in each
   * window of its range (by window id), so that a later read can tell whether a window gained
   * late rows without comparing request ids (spend-source.ts).
   */
  rows: { count: number; late: number; observed?: Record<string, number> };
  request?: { abiEncodedRequest: string; fee?: string; tx?: PendingTx; txHash?: string; votingRound?: string };
  proof?: { votingRound: string; responseHex: string; merkleProof: string[] };
  verify?: { tx?: PendingTx; txHash?: string; foundOnChain?: boolean };
  signatures?: {
    kind: "single" | "chunked";
    votingRound: string;
    chunkCount: string;
    chunkChain?: string;
    signers: string[];
    signatures: string[];
  };
  flow?: { transactionIds: string[] };
};

export type StateMeta = { version: 1; network: string; windowSeconds: number; startWindow: string };

export function isTerminal(stage: Stage): boolean {
  return stage === "settled" || stage === "skipped";
}

export function stageIndex(stage: Stage): number {
  return stage === "skipped" ? STAGES.length : STAGES.indexOf(stage);
}

/** The summary stage 1 computed and committed: later stages take it from here, not from the lines again. */
export function summaryOf(record: WindowRecord): UsageSummary {
  const s = record.summary;
  return { window: BigInt(record.window), digest: s.digest, lineCount: BigInt(s.lineCount), totalTokens: BigInt(s.totalTokens) };
}

/** A field an earlier stage recorded; its absence means the record is damaged. */
export function recorded<K extends "request" | "proof" | "signatures">(record: WindowRecord, field: K): NonNullable<WindowRecord[K]> {
  const value = record[field];
  if (value === undefined) throw new Error(`window ${record.window}: stage ${record.stage} but no ${field} recorded`);
  return value as NonNullable<WindowRecord[K]>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkRecord(value: unknown, file: string): WindowRecord {
  if (!isRecord(value) || typeof value.window !== "string" || typeof value.stage !== "string" || !isRecord(value.summary)) {
    throw new Error(`${file}: not a window record`);
  }
  if (value.stage !== "skipped" && !(STAGES as readonly string[]).includes(value.stage)) {
    throw new Error(`${file}: unknown stage ${value.stage}`);
  }
  return value as unknown as WindowRecord;
}

export class ConnectorState {
  readonly windowsDir: string;
  readonly workDir: string;
  /** What the publisher serves (`<publishedDir>/reports/<w>` and `.../<w>/summary`). */
  readonly publishedDir: string;

  constructor(readonly dir: string) {
    this.windowsDir = path.join(dir, "windows");
    this.workDir = path.join(dir, "work");
    this.publishedDir = path.join(dir, "published");
    for (const d of [this.windowsDir, this.workDir, this.publishedDir]) {
      fs.mkdirSync(d, { recursive: true });
      removeTempFiles(d);
    }
  }

  /**
   * The state's identity. Created on first use; later runs must agree on network and window
   * length, since window ids mean nothing under another length.
   */
  meta(expect: Omit<StateMeta, "version" | "startWindow">, startWindow: () => bigint): StateMeta {
    const file = path.join(this.dir, "meta.json");
    const current = readJsonFile(file);
    if (current === undefined) {
      const meta: StateMeta = { version: 1, ...expect, startWindow: startWindow().toString() };
      writeFileDurable(file, `${JSON.stringify(meta, null, 2)}\n`);
      return meta;
    }
    if (!isRecord(current) || current.version !== 1 || typeof current.startWindow !== "string") {
      throw new Error(`${file}: not a connector state`);
    }
    const meta = current as unknown as StateMeta;
    if (meta.network !== expect.network || meta.windowSeconds !== expect.windowSeconds) {
      throw new Error(
        `${this.dir} holds the state of network ${meta.network} with ${meta.windowSeconds}-s windows; ` +
          `this run is ${expect.network} with ${expect.windowSeconds}-s windows: use another FLAREFLOW_CONNECTOR_STATE`,
      );
    }
    return meta;
  }

  private recordFile(window: bigint): string {
    return path.join(this.windowsDir, `${window.toString()}.json`);
  }

  get(window: bigint): WindowRecord | undefined {
    const file = this.recordFile(window);
    const value = readJsonFile(file);
    return value === undefined ? undefined : checkRecord(value, file);
  }

  put(record: WindowRecord): void {
    writeFileDurable(this.recordFile(BigInt(record.window)), `${JSON.stringify({ ...record, updatedAt: new Date().toISOString() }, null, 2)}\n`);
  }

  /** Every recorded window, oldest first. */
  all(): WindowRecord[] {
    return fs
      .readdirSync(this.windowsDir)
      .filter((n) => /^[0-9]+\.json$/.test(n))
      .map((n) => BigInt(n.slice(0, -5)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((w) => this.get(w))
      .filter((r): r is WindowRecord => r !== undefined);
  }

  /** Working files of a window's aggregation (written before its record commits them). */
  reportFile(window: bigint): string {
    return path.join(this.workDir, window.toString(), "report.json");
  }

  requestIdsFile(window: bigint): string {
    return path.join(this.workDir, window.toString(), "request-ids.json");
  }

  /** The lines of an aggregated window, from its report file (validated again on read). */
  lines(window: bigint): UsageLine[] {
    const body = readJsonFile(this.reportFile(window));
    if (body === undefined) throw new Error(`window ${window}: its report file is missing`);
    return parseReportDocument(body).lines;
  }

  /** The request ids a committed window reported. */
  requestIds(window: bigint): string[] {
    const body = readJsonFile(this.requestIdsFile(window));
    if (!Array.isArray(body) || body.some((x) => typeof x !== "string")) throw new Error(`window ${window}: request id list is missing or malformed`);
    return body as string[];
  }
}
