import { afterAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConnectorStateError } from "../../src/connector/errors";
import { leavesFile, windowLeaves } from "../../src/connector/leaves";
import { ChallengeStore } from "../../src/keys/http/challenges";
import { HttpError } from "../../src/http/error";
import { keyServiceRoutes, type KeyServiceApi } from "../../src/keys/http/routes";
import { connectorLeavesReader, leavesAnswer } from "../../src/keys/leaves";
import { parseBody } from "../../src/keys/http/validate";
import { LeavesRequest } from "../../src/keys/http/wire";
import { requestsRootOf, summarize, type UsageLine } from "../../src/report";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-leaves-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function commit(window: bigint, stage: string, lines: { sub: bigint; family: string; ids: string[] }[]): void {
  const leaves = lines.map((l) => ({ ids: l.ids, tokens: l.ids.map(() => 10) }));
  const usage: UsageLine[] = lines.map((l, i) => ({ subscriptionId: l.sub, family: l.family, tokens: 10n * BigInt(l.ids.length), requests: BigInt(l.ids.length), requestsRoot: requestsRootOf(leaves[i] ?? { ids: [], tokens: [] }) }));
  const file = leavesFile(path.join(dir, "work"), window);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(windowLeaves(window, usage, leaves)));
  fs.mkdirSync(path.join(dir, "windows"), { recursive: true });
  if (stage !== "uncommitted") fs.writeFileSync(path.join(dir, "windows", `${window}.json`), JSON.stringify(recordOf(window, stage, usage)));
}

/** The window's record as the connector commits it. */
function recordOf(window: bigint, stage: unknown, usage: UsageLine[]): unknown {
  const s = summarize(window, usage);
  return { window: window.toString(), stage, updatedAt: "", summary: { digest: s.digest, lineCount: s.lineCount.toString(), totalTokens: s.totalTokens.toString() }, rows: { count: usage.length, late: 0 } };
}

describe("the key service's leaves", () => {
  commit(100n, "settled", [{ sub: 7n, family: "gpt-4", ids: ["a", "b"] }, { sub: 8n, family: "gpt-4", ids: ["x"] }]);
  commit(101n, "verified", [{ sub: 8n, family: "claude", ids: ["y"] }]);
  commit(102n, "uncommitted", [{ sub: 7n, family: "llama", ids: ["c"] }]);
  commit(103n, "settled", [{ sub: 7n, family: "", ids: ["d"] }]);
  const reader = connectorLeavesReader(dir);

  it("are never written for a line whose ids and token counts differ in length", () => {
    const line: UsageLine = { subscriptionId: 7n, family: "gpt-4", tokens: 10n, requests: 2n, requestsRoot: `0x${"00".repeat(32)}` };
    expect(() => windowLeaves(5n, [line], [{ ids: ["a", "b"], tokens: [10] }])).toThrow("window 5, line 0: 2 request ids but 1 token counts");
    expect(() => windowLeaves(5n, [line], [])).toThrow("window 5: 1 lines but 0 leaf lists");
    expect(windowLeaves(5n, [line], [{ ids: ["a", "b"], tokens: [4, 6] }]).lines[0]?.requests).toEqual([{ requestId: "a", tokens: "4" }, { requestId: "b", tokens: "6" }]);
  });

  it("give a subscription its own lines only, of committed windows in the range", () => {
    const out = reader.leaves("7", 100n, 103n);
    expect(out.map((w) => w.window)).toEqual(["100", "103"]);
    expect(out[0]?.lines.map((l) => [l.subscriptionId, l.requests.map((r) => r.requestId)])).toEqual([["7", ["a", "b"]]]);
    expect(reader.leaves("7", 101n, 102n)).toEqual([]);
    expect(reader.leaves("9", 0n, 1000n)).toEqual([]);
  });

  it("read each record through the connector's schemas: a damaged one is refused with its file, never read as committed", () => {
    const damaged = fs.mkdtempSync(path.join(os.tmpdir(), "ff-leaves-damaged-"));
    try {
      fs.mkdirSync(path.join(damaged, "windows"));
      const leaves = leavesFile(path.join(damaged, "work"), 200n);
      fs.mkdirSync(path.dirname(leaves), { recursive: true });
      fs.copyFileSync(leavesFile(path.join(dir, "work"), 100n), leaves);
      const file = path.join(damaged, "windows", "200.json");
      const damagedReader = connectorLeavesReader(damaged);
      // A stage the connector never writes is not "not skipped": the record is refused whole.
      fs.writeFileSync(file, JSON.stringify(recordOf(200n, "Skipped", [])));
      expect(() => damagedReader.leaves("7", 200n, 200n)).toThrow(new ConnectorStateError(`${file}: stage: expected one of aggregated, published, requested, proved, verified, signed, settled, skipped`));
      fs.writeFileSync(file, JSON.stringify({ ...(recordOf(100n, "settled", []) as object) }));
      expect(() => damagedReader.leaves("7", 200n, 200n)).toThrow(new ConnectorStateError(`${file}: window: 100 is not the window of its file`));
      fs.writeFileSync(file, "{");
      expect(() => damagedReader.leaves("7", 200n, 200n)).toThrow(ConnectorStateError);
    } finally {
      fs.rmSync(damaged, { recursive: true, force: true });
    }
  });

  it("refuse a range that is not two window ids in order (400), and answer 503 without the connector's state", () => {
    const proof = { subscriptionId: "7", nonce: "ab".repeat(32), signatures: [{ addr: "0x01", keyId: 0, signature: "ab" }] };
    for (const body of [{}, { fromWindow: "1" }, { fromWindow: 1, toWindow: 2 }, { fromWindow: "-1", toWindow: "2" }, { fromWindow: "01", toWindow: "2" }, { fromWindow: "1e3", toWindow: "2000" }, { fromWindow: "1", toWindow: "x" }, { fromWindow: "18446744073709551616", toWindow: "1" }, { fromWindow: "5", toWindow: "4" }]) {
      expect(() => parseBody(LeavesRequest, { ...proof, ...body }), JSON.stringify(body)).toThrow(HttpError);
    }
    expect(parseBody(LeavesRequest, { ...proof, fromWindow: "4", toWindow: "5" })).toMatchObject({ fromWindow: 4n, toWindow: 5n });
    expect(() => leavesAnswer(undefined, "7", { from: 0n, to: 1n })).toThrow(/FLAREFLOW_CONNECTOR_STATE/);
  });

  it("check the range before the nonce is spent, and refuse a nonce issued for another action", async () => {
    const challenges = new ChallengeStore(60_000, Date.now, "test");
    const api = { flow: { accessNode: "http://127.0.0.1:1", addresses: {} }, challenges, customerOf: () => "0x01" } as unknown as KeyServiceApi;
    const routes = keyServiceRoutes(api, reader);
    const usage = challenges.issue("7", "usage", "c");
    const signatures = [{ addr: "0x01", keyId: 0, signature: "00" }];
    const bad = routes({ method: "POST", path: "/v1/leaves", body: { subscriptionId: "7", nonce: usage.nonce, signatures, fromWindow: "9", toWindow: "1" }, client: "c" } as never);
    await expect(bad).rejects.toMatchObject({ status: 400 });
    expect(challenges.size).toBe(1);
    const reveal = challenges.issue("7", "reveal", "c");
    const wrong = routes({ method: "POST", path: "/v1/leaves", body: { subscriptionId: "7", nonce: reveal.nonce, signatures, fromWindow: "1", toWindow: "9" }, client: "c" } as never);
    await expect(wrong).rejects.toMatchObject({ status: 401 });
  });
});
