import * as fs from "node:fs";
import * as path from "node:path";
import { readJsonFile, removeTempFiles, writeFileDurable } from "./durable";
import type { UsageLine, UsageSummary } from "../report";
import { parseReportDocument } from "./report-doc";
import { ConnectorError, ConnectorStateError, messageOf } from "./errors";
import * as z from "zod/mini";

/**
 * The connector's durable state: one JSON record per window, replaced atomically at every step
 * (see durable.ts for why files and not SQLite). A stage is recorded only after its effect is
 * done; an effect that cannot be repeated safely (an EVM transaction) is recorded as a signed
 * raw transaction *before* it is broadcast, so a restart re-broadcasts the same transaction
 * instead of sending a second one.
 */

export const STAGES = ["aggregated", "published", "requested", "proved", "verified", "signed", "settled"] as const;

/*
 * The state files' shapes: schemas (every record, meta.json and request id list is read back
 * through them: a hand edit, a disk error or a file of another version is external input like any
 * other) and the types inferred from them. Exactly as strict as what the stages write, so every
 * record a run writes reads back. Each message completes "<file>: <where in it>: ".
 */
const OBJECT = { error: "expected an object" };
const ARRAY = { error: "expected an array" };
const STRING = { error: "expected a string" };
const DECIMAL = "expected a decimal integer string";
/** A bigint written by toString(): later stages BigInt() it. */
const Decimal = z.string({ error: DECIMAL }).check(z.regex(/^(0|[1-9][0-9]*)$/, { error: DECIMAL }));
const Natural = z.int({ error: "expected a non-negative integer" }).check(z.nonnegative({ error: "expected a non-negative integer" }));
/** What ethers and the verifier server hand over: 0x and hex. */
const Hex = z.string({ error: "expected 0x and hex" }).check(z.regex(/^0x[0-9a-fA-F]*$/, { error: "expected 0x and hex" }));
/** A keccak hash, a transaction hash, a Merkle node. */
const Bytes32 = z.string({ error: "expected 0x and 32 bytes of hex" }).check(z.regex(/^0x[0-9a-fA-F]{64}$/, { error: "expected 0x and 32 bytes of hex" }));
const Strings = z.array(z.string(STRING), ARRAY);
function oneOf<const T extends readonly [string, ...string[]]>(options: T) {
  return z.enum(options, { error: `expected one of ${options.join(", ")}` });
}

export const Stage = oneOf([...STAGES, "skipped"]);
export type Stage = z.infer<typeof Stage>;

/** A signed EVM transaction recorded before broadcast. */
export const PendingTx = z.object({ hash: Bytes32, raw: Hex }, OBJECT);
export type PendingTx = z.infer<typeof PendingTx>;

export const WindowRecord = z.object(
  {
    window: Decimal,
    stage: Stage,
    updatedAt: z.string(STRING),
    summary: z.object({ digest: Bytes32, lineCount: Decimal, totalTokens: Decimal }, OBJECT),
    /**
     * Rows reported, of which late; `observed`: rows of every status and key the read saw in each
     * window of its range (by window id), so that a later read can tell whether a window gained
     * late rows without comparing request ids (spend-source.ts).
     */
    rows: z.object(
      {
        count: Natural,
        late: Natural,
        // Keyed as the readers write them: a row's window, floor(time / length), below 0 before 1970.
        observed: z.optional(
          z.record(z.string().check(z.regex(/^(0|-?[1-9][0-9]*)$/)), Natural, {
            error: (issue) => (issue.code === "invalid_key" ? "expected a window id (a decimal integer string)" : "expected an object"),
          }),
        ),
      },
      OBJECT,
    ),
    request: z.optional(
      z.object(
        { abiEncodedRequest: Hex, fee: z.optional(Decimal), tx: z.optional(PendingTx), txHash: z.optional(Bytes32), votingRound: z.optional(Decimal) },
        OBJECT,
      ),
    ),
    proof: z.optional(z.object({ votingRound: Decimal, responseHex: Hex, merkleProof: z.array(Bytes32, ARRAY) }, OBJECT)),
    verify: z.optional(z.object({ tx: z.optional(PendingTx), txHash: z.optional(Bytes32), foundOnChain: z.optional(z.boolean({ error: "expected a boolean" })) }, OBJECT)),
    signatures: z.optional(
      z.object(
        {
          kind: oneOf(["single", "chunked"]),
          votingRound: Decimal,
          chunkCount: Decimal,
          chunkChain: z.optional(Bytes32),
          /** Oracle ids. */
          signers: z.array(Decimal, ARRAY),
          /** r and s, without 0x (report/oracle.ts signEncoding). */
          signatures: Strings,
        },
        OBJECT,
      ),
    ),
    flow: z.optional(z.object({ transactionIds: Strings }, OBJECT)),
  },
  { error: "expected a window record (an object)" },
);
export type WindowRecord = z.infer<typeof WindowRecord>;

export const StateMeta = z.object(
  {
    version: z.literal(1, { error: "expected 1 (this connector reads state version 1)" }),
    network: z.string(STRING),
    windowSeconds: Natural,
    startWindow: Decimal,
  },
  { error: "expected the state's meta (an object)" },
);
export type StateMeta = z.infer<typeof StateMeta>;

const RequestIds = z.array(z.string(STRING), { error: "expected the window's request ids (an array)" });

/** `file` read by `schema`; a ConnectorStateError naming the file and the first refused field otherwise. */
function readStateFile<T>(schema: z.ZodMiniType<T>, file: string): T | undefined {
  let value: unknown;
  try {
    value = readJsonFile(file);
  } catch (error) {
    throw new ConnectorStateError(messageOf(error), { cause: error });
  }
  if (value === undefined) return undefined;
  const r = z.safeParse(schema, value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = (issue?.path ?? []).map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
  throw new ConnectorStateError(`${file}: ${where === "" ? "" : `${where}: `}${issue?.message ?? "malformed"}`);
}

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
  if (value === undefined) throw new ConnectorStateError(`window ${record.window}: stage ${record.stage} but no ${field} recorded`);
  return value as NonNullable<WindowRecord[K]>;
}

/** The record of `window` in `file` (undefined when there is none), for every reader of the state. */
export function readWindowRecord(file: string, window: bigint): WindowRecord | undefined {
  const record = readStateFile(WindowRecord, file);
  if (record !== undefined && BigInt(record.window) !== window) throw new ConnectorStateError(`${file}: window: ${record.window} is not the window of its file`);
  return record;
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
    const meta = readStateFile(StateMeta, file);
    if (meta === undefined) {
      const created: StateMeta = { version: 1, ...expect, startWindow: startWindow().toString() };
      writeFileDurable(file, `${JSON.stringify(created, null, 2)}\n`);
      return created;
    }
    if (meta.network !== expect.network || meta.windowSeconds !== expect.windowSeconds) {
      throw new ConnectorError(
        "config",
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
    return readWindowRecord(this.recordFile(window), window);
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
    if (body === undefined) throw new ConnectorStateError(`window ${window}: its report file is missing`);
    return parseReportDocument(body).lines;
  }

  /** The request ids a committed window reported. */
  requestIds(window: bigint): string[] {
    const file = this.requestIdsFile(window);
    const ids = readStateFile(RequestIds, file);
    if (ids === undefined) throw new ConnectorStateError(`${file}: missing`);
    return ids;
  }
}
