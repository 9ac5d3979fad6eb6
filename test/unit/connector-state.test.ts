/**
 * The connector's state files read back through their schemas (src/connector/state.ts): a hand
 * edit, a disk error or a file from another version is refused with the file and the place of the
 * first bad field, the connector stops on it (an integrity error, not one it retries), and nothing
 * in a record reaches a stage but the fields the connector writes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { localConnectorConfig } from "../../src/connector/config";
import type { ConnectorContext } from "../../src/connector/context";
import { ConnectorError } from "../../src/connector/errors";
import { Connector } from "../../src/connector/pipeline";
import { publishDocuments, publishedFiles } from "../../src/connector/publish";
import { ConnectorState, type WindowRecord } from "../../src/connector/state";
import { prove } from "../../src/connector/stages/prove";
import type { Logger } from "../../src/log";

const HASH = `0x${"ab".repeat(32)}`;

/** A settled window as the stages write it, with every optional part present. */
const settled: WindowRecord = {
  window: "5900000",
  stage: "settled",
  updatedAt: "2026-12-03T12:00:00.000Z",
  summary: { digest: HASH, lineCount: "2", totalTokens: "18446744073709551615" },
  rows: { count: 3, late: 1, observed: { "5899999": 1, "5900000": 2 } },
  request: { abiEncodedRequest: "0x0102", fee: "1000000000000000", tx: { hash: HASH, raw: "0x02f8" }, txHash: HASH, votingRound: "1234" },
  proof: { votingRound: "1234", responseHex: "0x00ff", merkleProof: [HASH, HASH] },
  verify: { tx: { hash: HASH, raw: "0x02f9" }, txHash: HASH, foundOnChain: false },
  signatures: { kind: "chunked", votingRound: "1234", chunkCount: "2", chunkChain: HASH, signers: ["0", "2"], signatures: ["cd".repeat(64), "ef".repeat(64)] },
  flow: { transactionIds: ["a1".repeat(32), "b2".repeat(32)] },
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-cstate-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function recordFile(window: string): string {
  return path.join(dir, "windows", `${window}.json`);
}

/** Writes `value` as the record of `window`, as a hand edit or a damaged disk would leave it. */
function writeRecord(window: string, value: unknown): string {
  fs.mkdirSync(path.join(dir, "windows"), { recursive: true });
  const file = recordFile(window);
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
}

/** The refusal of `read`, as what an operator sees and what the runner decides on. */
function refusal(read: () => unknown): { message: string; kind?: string; docs?: string; connector: boolean } {
  try {
    read();
  } catch (error) {
    const e = error as ConnectorError;
    return { message: e.message, kind: e.kind, docs: e.docs, connector: error instanceof ConnectorError };
  }
  throw new Error("read without refusal");
}

describe("a window record", () => {
  it("is read back as the stages wrote it, every part included", () => {
    const state = new ConnectorState(dir);
    state.put(settled);
    const { updatedAt, ...rest } = settled;
    expect(state.get(5900000n)).toMatchObject(rest);
    expect(state.get(5900000n)?.updatedAt).not.toBe(updatedAt);
    const skipped: WindowRecord = { window: "7", stage: "skipped", updatedAt: "", summary: { digest: HASH, lineCount: "0", totalTokens: "0" }, rows: { count: 0, late: 0, observed: {} } };
    state.put(skipped);
    // A row logged before 1970 would count under a negative window (the database path floors its time).
    state.put({ ...skipped, window: "8", rows: { count: 0, late: 0, observed: { "-1": 2 } } });
    expect(state.get(8n)?.rows.observed).toEqual({ "-1": 2 });
    expect(state.all().map((r) => [r.window, r.stage])).toEqual([["7", "skipped"], ["8", "skipped"], ["5900000", "settled"]]);
  });

  it("refuses a damaged field, naming the file and the field's place", () => {
    const cases: [unknown, string][] = [
      [null, "expected a window record (an object)"],
      [[settled], "expected a window record (an object)"],
      [{ ...settled, window: 5900000 }, "window: expected a decimal integer string"],
      [{ ...settled, window: "0x5a0" }, "window: expected a decimal integer string"],
      [{ ...settled, window: "-1" }, "window: expected a decimal integer string"],
      [{ ...settled, stage: "paused" }, "stage: expected one of aggregated, published, requested, proved, verified, signed, settled, skipped"],
      [{ ...settled, stage: "toString" }, "stage: expected one of aggregated, published, requested, proved, verified, signed, settled, skipped"],
      [{ ...settled, updatedAt: 5 }, "updatedAt: expected a string"],
      [{ ...settled, summary: "0x00" }, "summary: expected an object"],
      [{ ...settled, summary: { ...settled.summary, lineCount: 2 } }, "summary.lineCount: expected a decimal integer string"],
      [{ ...settled, summary: { ...settled.summary, totalTokens: "1e3" } }, "summary.totalTokens: expected a decimal integer string"],
      [{ ...settled, summary: { ...settled.summary, digest: "ab".repeat(32) } }, "summary.digest: expected 0x and 32 bytes of hex"],
      [{ ...settled, rows: { ...settled.rows, count: -1 } }, "rows.count: expected a non-negative integer"],
      [{ ...settled, rows: { ...settled.rows, late: 1.5 } }, "rows.late: expected a non-negative integer"],
      [{ ...settled, rows: { count: 1 } }, "rows.late: expected a non-negative integer"],
      [{ ...settled, rows: { ...settled.rows, observed: { "5900000": "2" } } }, "rows.observed.5900000: expected a non-negative integer"],
      [{ ...settled, rows: { ...settled.rows, observed: { w1: 2 } } }, "rows.observed.w1: expected a window id (a decimal integer string)"],
      [{ ...settled, request: { ...settled.request, abiEncodedRequest: 7 } }, "request.abiEncodedRequest: expected 0x and hex"],
      [{ ...settled, request: { ...settled.request, fee: "0.1" } }, "request.fee: expected a decimal integer string"],
      [{ ...settled, request: { ...settled.request, tx: { hash: HASH } } }, "request.tx.raw: expected 0x and hex"],
      [{ ...settled, request: { ...settled.request, votingRound: 1234 } }, "request.votingRound: expected a decimal integer string"],
      [{ ...settled, proof: { ...settled.proof, merkleProof: [HASH, 1] } }, "proof.merkleProof[1]: expected 0x and 32 bytes of hex"],
      [{ ...settled, proof: { ...settled.proof, merkleProof: HASH } }, "proof.merkleProof: expected an array"],
      [{ ...settled, verify: { ...settled.verify, foundOnChain: "no" } }, "verify.foundOnChain: expected a boolean"],
      [{ ...settled, signatures: { ...settled.signatures, kind: "double" } }, "signatures.kind: expected one of single, chunked"],
      [{ ...settled, signatures: { ...settled.signatures, chunkCount: "two" } }, "signatures.chunkCount: expected a decimal integer string"],
      [{ ...settled, signatures: { ...settled.signatures, signers: ["0", "oracle-2"] } }, "signatures.signers[1]: expected a decimal integer string"],
      [{ ...settled, signatures: { ...settled.signatures, signatures: ["cd".repeat(64), 7] } }, "signatures.signatures[1]: expected a string"],
      [{ ...settled, flow: { transactionIds: "a1" } }, "flow.transactionIds: expected an array"],
    ];
    for (const [value, where] of cases) {
      const file = writeRecord("5900000", value);
      const state = new ConnectorState(dir);
      const expected = { message: `${file}: ${where}`, kind: "integrity", docs: "README.md#services", connector: true };
      expect(refusal(() => state.get(5900000n)), where).toEqual(expected);
      // A scan of every record (the first poll, `status`) stops at it too: it is never skipped over.
      expect(refusal(() => state.all()), where).toEqual(expected);
    }
  });

  it("refuses a file that is not JSON and a record that names another window than its file", () => {
    const cut = writeRecord("5900000", JSON.stringify(settled).slice(0, 40));
    expect(refusal(() => new ConnectorState(dir).get(5900000n))).toMatchObject({ message: expect.stringContaining(cut) as string, kind: "integrity", connector: true });
    const moved = writeRecord("5900001", settled);
    expect(refusal(() => new ConnectorState(dir).get(5900001n))).toEqual({ message: `${moved}: window: 5900000 is not the window of its file`, kind: "integrity", docs: "README.md#services", connector: true });
  });

  it("keeps unknown fields and a __proto__ key out of what it returns, and reads without writing", () => {
    const edited = JSON.stringify({ ...settled, extra: 1, rows: { ...settled.rows, more: 2 } }).replace('"stage":', '"__proto__":{"stage":"skipped"},"stage":');
    const file = writeRecord("5900000", edited);
    const read = new ConnectorState(dir).get(5900000n) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read).sort()).toEqual(Object.keys(settled).sort());
    expect(Object.keys(read.rows as object).sort()).toEqual(["count", "late", "observed"]);
    expect(fs.readFileSync(file, "utf8")).toBe(edited);
    // A record hidden in a __proto__ key is no record.
    writeRecord("5900000", `{"__proto__": ${JSON.stringify(settled)}}`);
    expect(refusal(() => new ConnectorState(dir).get(5900000n)).message).toBe(`${file}: window: expected a decimal integer string`);
  });
});

describe("the state's meta.json", () => {
  const expectMeta = { network: "local", windowSeconds: 300 };
  const meta = { version: 1, network: "local", windowSeconds: 300, startWindow: "5899990" };

  function writeMeta(value: unknown): string {
    const file = path.join(dir, "meta.json");
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  }

  it("is created once and read back", () => {
    expect(new ConnectorState(dir).meta(expectMeta, () => 5899990n)).toEqual(meta);
    expect(new ConnectorState(dir).meta(expectMeta, () => 1n)).toEqual(meta);
  });

  it("refuses a meta.json of another version or with a damaged field, and leaves it as it was", () => {
    const cases: [unknown, string][] = [
      [{ ...meta, version: 2 }, "version: expected 1 (this connector reads state version 1)"],
      [{ ...meta, version: "1" }, "version: expected 1 (this connector reads state version 1)"],
      [{ ...meta, network: 114 }, "network: expected a string"],
      [{ ...meta, windowSeconds: "300" }, "windowSeconds: expected a non-negative integer"],
      [{ ...meta, startWindow: 5899990 }, "startWindow: expected a decimal integer string"],
      [[meta], "expected the state's meta (an object)"],
    ];
    for (const [value, where] of cases) {
      const file = writeMeta(value);
      expect(refusal(() => new ConnectorState(dir).meta(expectMeta, () => 1n)), where).toEqual({ message: `${file}: ${where}`, kind: "integrity", docs: "README.md#services", connector: true });
      expect(fs.readFileSync(file, "utf8")).toBe(JSON.stringify(value));
    }
  });

  it("still refuses a state of another network or window length, as a configuration error", () => {
    writeMeta(meta);
    expect(refusal(() => new ConnectorState(dir).meta({ network: "coston2", windowSeconds: 300 }, () => 1n))).toMatchObject({ kind: "config", connector: true, message: expect.stringMatching(/holds the state of network local with 300-s windows/) as string });
  });
});

describe("a window's request ids", () => {
  function writeIds(window: bigint, value: unknown): string {
    const state = new ConnectorState(dir);
    const file = state.requestIdsFile(window);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(value));
    return file;
  }

  it("are read as written", () => {
    writeIds(5n, ["req-1", "req-2"]);
    expect(new ConnectorState(dir).requestIds(5n)).toEqual(["req-1", "req-2"]);
  });

  it("refuses a list with a number in it, or no list, naming the file and the place", () => {
    const withNumber = writeIds(5n, ["req-1", 2]);
    expect(refusal(() => new ConnectorState(dir).requestIds(5n))).toEqual({ message: `${withNumber}: [1]: expected a string`, kind: "integrity", docs: "README.md#services", connector: true });
    const object = writeIds(6n, { ids: [] });
    expect(refusal(() => new ConnectorState(dir).requestIds(6n)).message).toBe(`${object}: expected the window's request ids (an array)`);
    const missing = new ConnectorState(dir).requestIdsFile(8n);
    expect(refusal(() => new ConnectorState(dir).requestIds(8n))).toMatchObject({ message: `${missing}: missing`, kind: "integrity" });
  });
});

describe("the connector stops on what it cannot trust", () => {
  it("a published report that would change: refused as integrity, the published bytes kept", () => {
    const state = new ConnectorState(dir);
    publishDocuments(state.publishedDir, 7n, '{"report":1}', '{"summary":1}');
    const files = publishedFiles(state.publishedDir, 7n);
    expect(refusal(() => publishDocuments(state.publishedDir, 7n, '{"report":2}', '{"summary":1}'))).toEqual({
      message: `${files.report} exists with other content: a published report never changes`,
      kind: "integrity",
      docs: "README.md#services",
      connector: true,
    });
    expect(fs.readFileSync(files.report, "utf8")).toBe('{"report":1}');
    // The same bytes again (a stage re-run after a crash) are not a change.
    expect(() => publishDocuments(state.publishedDir, 7n, '{"report":1}', '{"summary":1}')).not.toThrow();
  });

  it("a window's report file that is not JSON, or missing: refused as integrity, naming the file", () => {
    const state = new ConnectorState(dir);
    const file = state.reportFile(7n);
    expect(refusal(() => state.lines(7n))).toMatchObject({ message: "window 7: its report file is missing", kind: "integrity", connector: true });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"window": "7", "lines": [');
    const refused = refusal(() => state.lines(7n));
    expect(refused).toMatchObject({ kind: "integrity", connector: true });
    expect(refused.message.startsWith(`${file}: not valid JSON (`), refused.message).toBe(true);
  });

  it("a window at stage requested without its voting round: the prove stage refuses it before asking any chain", async () => {
    const record = { ...settled, stage: "requested", request: { abiEncodedRequest: "0x0102", txHash: HASH } } as WindowRecord;
    // Every chain call would throw on this empty context: the refusal comes first.
    const ctx = { config: {}, contracts: {}, proving: { misses: new Map(), lastWaitLog: 0 } } as unknown as ConnectorContext;
    const refused = await prove(ctx, record).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConnectorError);
    expect(refused).toMatchObject({ kind: "integrity", message: "window 5900000: stage requested but no voting round recorded" });
  });

  it("the runner stops on integrity, configuration and fee errors, and retries anything else at the next poll", async () => {
    const config = { ...localConnectorConfig({ FLAREFLOW_VERIFIER_ADDRESS: "0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01" }), stateDir: dir, pollIntervalMs: 1 };
    for (const kind of ["integrity", "config", "fee"] as const) {
      const connector = new Connector(config);
      const stop = new ConnectorError(kind, `a ${kind} error`);
      const tick = vi.spyOn(connector, "tick").mockRejectedValue(stop);
      await expect(connector.run(new AbortController().signal)).rejects.toBe(stop);
      expect(tick).toHaveBeenCalledTimes(1);
    }
    for (const retried of [new ConnectorError("unreachable", "LiteLLM down"), new ConnectorError("rejected", "a reverted transaction"), new Error("anything else")]) {
      const warn = vi.fn();
      const log = { warn, info: vi.fn(), error: vi.fn(), debug: vi.fn(), child: () => log } as unknown as Logger;
      const connector = new Connector(config, { log });
      const aborted = new AbortController();
      const tick = vi
        .spyOn(connector, "tick")
        .mockRejectedValueOnce(retried)
        .mockImplementationOnce(() => {
          aborted.abort();
          return Promise.resolve({ progressed: false });
        });
      await expect(connector.run(aborted.signal)).resolves.toBeUndefined();
      expect(tick).toHaveBeenCalledTimes(2);
      expect(warn).toHaveBeenCalledWith(`connector error (will retry): ${retried.message}`);
    }
  });
});
