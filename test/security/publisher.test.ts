/**
 * Attacks on the report publisher, the internet-facing part of the connector (issue 15, item 5):
 * it must run with no secret at all, and a report file changed or cut short on disk must be
 * refused (5xx, logged) instead of being served as immutable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConnectorState } from "../../src/connector/state";
import { publishDocuments, publishedFiles } from "../../src/connector/publish";
import { reportDocument, serializeDocument, summaryDocument } from "../../src/connector/report-doc";
import { summarize } from "../../src/report";
import { repoRoot } from "../../src/local/flow-binary";
import { freePort } from "../../src/local/ports";
import { basicEnv, ManagedProcess } from "../../src/local/process";
import { publisherProcess } from "../../src/local/stack";
import { rootOf } from "../unit/fixtures/request-roots";

const lines = [
  { subscriptionId: 4n, family: "gpt-4", tokens: 1234n, requests: 2n, requestsRoot: rootOf(1) },
  { subscriptionId: 9n, family: "llama", tokens: 99n, requests: 1n, requestsRoot: rootOf(2) },
];

/** A connector state directory holding the published documents and records of `windows`. */
function stateWith(dir: string, windows: bigint[]): ConnectorState {
  const state = new ConnectorState(dir);
  for (const w of windows) {
    const doc = reportDocument(w, lines);
    state.put({ window: w.toString(), stage: "published", updatedAt: "", summary: { digest: doc.digest, lineCount: doc.lineCount, totalTokens: doc.totalTokens }, rows: { count: 3, late: 0 } });
    publishDocuments(state.publishedDir, w, serializeDocument(doc), serializeDocument(summaryDocument(summarize(w, lines))));
  }
  return state;
}

function environOf(pid: number): Map<string, string> {
  const raw = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
  return new Map(raw.split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

describe("the report publisher holds no secret and serves only what the connector recorded", () => {
  let dir: string;
  let state: ConnectorState;
  let publisher: ManagedProcess;
  let url: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-publisher-attack-"));
    state = stateWith(path.join(dir, "state"), [10n, 11n, 12n, 13n, 14n]);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Exactly what a live operator would run, with nothing in the environment but the basics,
    // the state directory and the port: no LiteLLM, EVM, verifier or Flow key.
    publisher = new ManagedProcess({
      name: "publisher",
      command: process.execPath,
      args: [path.join(repoRoot(), "node_modules/ts-node/dist/bin.js"), "--transpile-only", path.join(repoRoot(), "scripts/connector.ts"), "publish", "--network", "coston2"],
      cwd: repoRoot(),
      env: { FLAREFLOW_CONNECTOR_STATE: state.dir, FLAREFLOW_PUBLISHER_PORT: String(port) },
      inheritEnv: false,
      logFile: path.join(dir, "publisher.log"),
      ready: async () => (await fetch(`${url}/reports/0`)).status === 404,
      readyTimeoutMs: 60_000,
    });
    await publisher.start();
  }, 90_000);

  afterAll(async () => {
    await publisher?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("`connector -- publish --network coston2` starts with no secret in its environment and serves the reports", async () => {
    const env = environOf(publisher.pid as number);
    expect([...env.keys()].filter((k) => /KEY|SECRET|TOKEN|PASSWORD/i.test(k))).toEqual([]);
    const summary = await fetch(`${url}/reports/10/summary`);
    expect(summary.status).toBe(200);
    expect(summary.headers.get("cache-control")).toContain("immutable");
    expect(await summary.text()).toBe(serializeDocument(summaryDocument(summarize(10n, lines))));
    const report = await fetch(`${url}/reports/10`, { headers: { origin: "https://any-customer-page.example" } });
    expect(report.status).toBe(200);
    expect(await report.text()).toBe(serializeDocument(reportDocument(10n, lines)));
    // Public documents: any page may read them (a customer's browser verifies bills), never with credentials.
    expect(report.headers.get("access-control-allow-origin")).toBe("*");
    expect(report.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("a report changed on disk (same length, one token count) is refused with a 5xx and logged", async () => {
    const files = publishedFiles(state.publishedDir, 11n);
    fs.writeFileSync(files.report, fs.readFileSync(files.report, "utf8").replace('"tokens":"1234"', '"tokens":"1235"'));
    const res = await fetch(`${url}/reports/11`);
    expect(res.status).toBe(500);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).not.toContain("1235");
    expect(fs.readFileSync(path.join(dir, "publisher.log"), "utf8")).toMatch(/refusing \/reports\/11: .*11\.json does not match window 11's record/);
  });

  it("a report served once and changed on disk afterwards is refused: what was checked is its bytes, not its name", async () => {
    // The publisher remembers reports it has checked (a 30,000-line report takes seconds to hash):
    // a change after the first answer must not ride on that.
    const first = await fetch(`${url}/reports/14`);
    expect(first.status).toBe(200);
    const files = publishedFiles(state.publishedDir, 14n);
    fs.writeFileSync(files.report, fs.readFileSync(files.report, "utf8").replace('"tokens":"1234"', '"tokens":"1233"'));
    const again = await fetch(`${url}/reports/14`);
    expect(again.status).toBe(500);
    expect(await again.text()).not.toContain("1233");
  });

  it("a summary cut short on disk is refused with a 5xx and logged", async () => {
    const files = publishedFiles(state.publishedDir, 12n);
    const text = fs.readFileSync(files.summary, "utf8");
    fs.writeFileSync(files.summary, text.slice(0, text.length - 20));
    expect((await fetch(`${url}/reports/12/summary`)).status).toBe(500);
    expect(fs.readFileSync(path.join(dir, "publisher.log"), "utf8")).toMatch(/refusing \/reports\/12\/summary: .*12\.summary\.json does not match/);
  });

  it("a report whose lines and digest were both rewritten consistently still differs from the recorded digest: refused", async () => {
    const files = publishedFiles(state.publishedDir, 13n);
    const forged = [{ ...lines[0]!, tokens: 1n }, lines[1]!];
    fs.writeFileSync(files.report, serializeDocument(reportDocument(13n, forged)));
    fs.writeFileSync(files.summary, serializeDocument(summaryDocument(summarize(13n, forged))));
    expect((await fetch(`${url}/reports/13`)).status).toBe(500);
    expect((await fetch(`${url}/reports/13/summary`)).status).toBe(500);
  });

  it("a report planted without a window record is refused, a window never published is 404", async () => {
    const files = publishedFiles(state.publishedDir, 20n);
    fs.writeFileSync(files.summary, serializeDocument(summaryDocument(summarize(20n, lines))));
    expect((await fetch(`${url}/reports/20/summary`)).status).toBe(500);
    expect((await fetch(`${url}/reports/21/summary`)).status).toBe(404);
    expect((await fetch(`${url}/reports/10`, { method: "POST" })).status).toBe(405);
  });

  it("the local stack's publisher process inherits no secret from the stack's environment", async () => {
    const secret = "sk-a-master-key-the-publisher-must-not-see";
    const before = process.env.LITELLM_MASTER_KEY;
    process.env.LITELLM_MASTER_KEY = secret;
    const stackDir = path.join(dir, "stack");
    stateWith(path.join(stackDir, "connector"), [10n]);
    const port = await freePort();
    const proc = publisherProcess(stackDir, port);
    try {
      await proc.start();
      const env = environOf(proc.pid as number);
      expect(env.has("LITELLM_MASTER_KEY")).toBe(false);
      expect([...env.values()].some((v) => v.includes(secret))).toBe(false);
      expect([...env.keys()].sort()).toEqual([...Object.keys(basicEnv()), "FLAREFLOW_CONNECTOR_STATE", "FLAREFLOW_PUBLISHER_PORT"].sort());
      expect((await fetch(`http://127.0.0.1:${port}/reports/10/summary`)).status).toBe(200);
    } finally {
      if (before === undefined) delete process.env.LITELLM_MASTER_KEY;
      else process.env.LITELLM_MASTER_KEY = before;
      await proc.stop();
    }
  }, 90_000);
});
