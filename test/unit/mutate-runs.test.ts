import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runContracts } from "../../scripts/mutate/contracts";
import { readCadenceProfile, testsFor, type TestProfile } from "../../scripts/mutate/coverage";
import { NO_COVERAGE, runPlan } from "../../scripts/mutate/execute";
import { ResultStore } from "../../scripts/mutate/results";
import type { TestPlan } from "../../scripts/mutate/targets";

// A tiny repository: a "contract" and a "test" (a node script) that fails when the contract's
// guard is gone or its comparison is flipped, so some mutants die and some survive. Every
// command it runs appends to runs.log in the repository (outside the copies), to count runs.
const CONTRACT = ["contract C {", "  function f(uint a) public {", "    if (a < 10) revert TooSmall(a);", "    total = total + 1;", "  }", "}", ""].join("\n");
const TEST = `
const fs = require("fs");
fs.appendFileSync(process.env.RUNS_LOG, "test\\n");
const src = fs.readFileSync("C.sol", "utf8");
if (src.includes("SLEEP")) { const end = Date.now() + 10000; while (Date.now() < end); }
process.exit(src.includes("if (a < 10) revert") ? 0 : 1);
`;
const BUILD = `
const fs = require("fs");
process.exit(fs.readFileSync("C.sol", "utf8").includes("BROKEN") ? 1 : 0);
`;

describe("npm run mutate: copies, verdicts and resume", () => {
  let repo: string;
  let log: string;
  const runs = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0);
  const plan = (file: string): TestPlan => ({
    file,
    language: "solidity",
    copy: ["C.sol", "test.js", "build.js"],
    link: [],
    compile: { label: "build", command: process.execPath, args: ["build.js"] },
    tests: [{ label: "test", command: process.execPath, args: ["test.js"] }],
    inputs: ["test.js"],
  });

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "ff-mutate-repo-"));
    log = path.join(repo, "runs.log");
    process.env.RUNS_LOG = log;
    fs.writeFileSync(path.join(repo, "C.sol"), CONTRACT);
    fs.writeFileSync(path.join(repo, "test.js"), TEST);
    fs.writeFileSync(path.join(repo, "build.js"), BUILD);
  });
  afterEach(() => {
    fs.rmSync(repo, { recursive: true, force: true });
    delete process.env.RUNS_LOG;
  });

  it("decides killed, survived, compile-error and timeout in a copy, never touching the working tree", async () => {
    const p = plan("C.sol");
    const tmpBefore = fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("flareflow-mutant-")).length;
    expect((await runPlan(repo, p, CONTRACT.replace("a < 10", "a <= 10"), 20_000)).status).toBe("killed");
    expect((await runPlan(repo, p, CONTRACT.replace("total + 1", "total + 2"), 20_000)).status).toBe("survived");
    expect((await runPlan(repo, p, `${CONTRACT}BROKEN`, 20_000))).toMatchObject({ status: "compile-error", decidedBy: "build" });
    expect((await runPlan(repo, p, `${CONTRACT}//SLEEP`, 1_000)).status).toBe("timeout");
    expect(fs.readFileSync(path.join(repo, "C.sol"), "utf8")).toBe(CONTRACT);
    expect(fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith("flareflow-mutant-")).length).toBe(tmpBefore);
  }, 60_000);

  it("resumes from the results file: a second run runs nothing; an unrelated edit re-runs only the new mutants; a changed test re-runs all", async () => {
    const results = path.join(repo, "out", "results.json");
    const options = { root: repo, files: ["C.sol"], language: "solidity" as const, jobs: 2, plan, log: () => undefined };
    const run = async () => (await runContracts({ ...options, store: new ResultStore(results) })).results;

    const first = await run();
    const mutants = first.length;
    expect(mutants).toBeGreaterThan(5);
    const firstRuns = runs();
    expect(first.filter((r) => r.status === "survived").map((r) => r.description)).toContain("`1` → `2`");
    expect(first.find((r) => r.description === "`<` → `<=`")?.status).toBe("killed");

    const second = await run();
    expect(runs()).toBe(firstRuns);
    expect(second.map((r) => [r.identity, r.status])).toEqual(first.map((r) => [r.identity, r.status]));

    // A new line elsewhere: its mutants (and nothing else) run.
    fs.writeFileSync(path.join(repo, "C.sol"), CONTRACT.replace("    total = total + 1;", "    total = total + 1;\n    count = count + 5;"));
    const third = await run();
    expect(third.length).toBe(mutants + 2);
    // The unmutated baseline plus the two mutants of `5`.
    expect(runs() - firstRuns).toBe(3);

    fs.appendFileSync(path.join(repo, "test.js"), "\n// changed\n");
    // Reading back without running: nothing matches the changed test, so every mutant is "not run".
    const collected = await runContracts({ ...options, store: new ResultStore(results), collectOnly: true });
    expect(collected).toEqual({ results: [], notRun: third.length });
    expect(runs() - firstRuns).toBe(3);
    await run();
    expect(runs() - firstRuns - 3).toBe(third.length + 1);
  }, 120_000);

  it("refuses a corrupt results file with a clear error and drops malformed entries", () => {
    const file = path.join(repo, "results.json");
    fs.writeFileSync(file, "{not json");
    expect(() => new ResultStore(file)).toThrow(/not JSON.*delete it/);
    fs.writeFileSync(file, JSON.stringify({ version: 2, results: {} }));
    expect(() => new ResultStore(file)).toThrow(/not a mutation results file/);
    fs.writeFileSync(file, JSON.stringify({ version: 1, results: { a: { status: "killed", file: "C.sol" }, b: { status: "bogus", file: "C.sol" }, c: 7 } }));
    const store = new ResultStore(file);
    expect(store.get("a")?.status).toBe("killed");
    expect(store.get("b")).toBeUndefined();
    expect(store.get("c")).toBeUndefined();
  });

  it("runs each mutant only through the tests whose unmutated run executed its lines", async () => {
    // Two tests that write a coverage profile when asked (as `flow test --cover --coverprofile`):
    // both execute the guard (line 3), neither the counter (line 4); only A checks the guard.
    const coveringTest = (name: string, strict: boolean) => `
const fs = require("fs");
fs.appendFileSync(process.env.RUNS_LOG, "${name}\\n");
const at = process.argv.indexOf("--coverprofile");
if (at > 0) fs.writeFileSync(process.argv[at + 1], JSON.stringify({ coverage: { "C.sol": { line_hits: { "3": 2, "4": 0 } } } }));
const src = fs.readFileSync("C.sol", "utf8");
process.exit(${strict} && !src.includes("if (a < 10) revert") ? 1 : 0);
`;
    fs.writeFileSync(path.join(repo, "a.js"), coveringTest("A", true));
    fs.writeFileSync(path.join(repo, "b.js"), coveringTest("B", false));
    const covered = (file: string): TestPlan => ({
      ...plan(file),
      copy: ["C.sol", "a.js", "b.js", "build.js"],
      tests: [
        { label: "A", command: process.execPath, args: ["a.js"] },
        { label: "B", command: process.execPath, args: ["b.js"] },
      ],
      inputs: ["a.js", "b.js"],
      coverage: { args: (profile) => ["--coverprofile", profile], read: readCadenceProfile },
    });
    const store = new ResultStore(path.join(repo, "out", "results.json"));
    const { results } = await runContracts({ root: repo, files: ["C.sol"], language: "solidity", jobs: 1, store, plan: covered, log: () => undefined });
    const ran = fs.readFileSync(log, "utf8").split("\n").filter(Boolean);
    const onLine = (line: number) => results.filter((r) => r.line === line && r.status !== "compile-error");
    expect(onLine(3).length).toBeGreaterThan(0);
    expect(onLine(4).length).toBeGreaterThan(0);
    // The guard's mutants are killed by A; the counter's survive with no test run for them.
    expect(onLine(3).find((r) => r.description === "`<` → `<=`")).toMatchObject({ status: "killed", decidedBy: "A" });
    for (const r of onLine(4)) expect(r).toMatchObject({ status: "survived", decidedBy: NO_COVERAGE });
    // Test runs: the baseline's two, then per guard mutant at most A and B (B only when A passes first).
    const guardSurvivors = onLine(3).filter((r) => r.status === "survived").length;
    expect(ran.length).toBeLessThanOrEqual(2 + onLine(3).length * 2);
    expect(ran.length).toBeGreaterThanOrEqual(2 + onLine(3).length + guardSurvivors);
  }, 120_000);
});

describe("npm run mutate: tests chosen from coverage", () => {
  const test = (label: string) => ({ label, command: "flow", args: ["test", label] });
  const profile = (durationMs: number, lines?: Record<number, number>): TestProfile => ({
    durationMs,
    ...(lines ? { lines: new Map(Object.entries(lines).map(([l, h]) => [Number(l), h])) } : {}),
  });

  it("keeps the tests that executed a line of the range, quickest first", () => {
    const profiles = new Map([
      ["slow", profile(900, { 10: 1, 11: 0 })],
      ["quick", profile(100, { 10: 0, 11: 4 })],
      ["never", profile(50, { 10: 0, 11: 0 })],
    ]);
    const tests = [test("slow"), test("quick"), test("never")];
    expect(testsFor(tests, profiles, 10, 11).map((t) => t.label)).toEqual(["quick", "slow"]);
    expect(testsFor(tests, profiles, 10, 10).map((t) => t.label)).toEqual(["slow"]);
    expect(testsFor(tests, profiles, 11, 11).map((t) => t.label)).toEqual(["quick"]);
  });

  it("runs a test whenever its profile cannot say: no profile, no run measured, or no listed line in the range", () => {
    const tests = [test("profiled"), test("unprofiled")];
    const profiles = new Map([
      ["profiled", profile(10, { 10: 0 })],
      ["unprofiled", profile(5)],
    ]);
    expect(testsFor(tests, undefined, 10, 10)).toEqual(tests);
    expect(testsFor(tests, profiles, 10, 10).map((t) => t.label)).toEqual(["unprofiled"]);
    // Line 12 is a declaration or a statement's continuation: no profile lists it.
    expect(testsFor(tests, profiles, 12, 12).map((t) => t.label)).toEqual(["unprofiled", "profiled"]);
    expect(testsFor([test("profiled")], profiles, 10, 10)).toEqual([]);
  });

  it("reads flow test's JSON profile for one file and refuses anything malformed", () => {
    const good = JSON.stringify({ coverage: { "c/A.cdc": { line_hits: { "3": 0, "7": 12 } }, "c/B.cdc": { line_hits: { "1": 1 } } } });
    expect([...(readCadenceProfile(good, "c/A.cdc") ?? [])]).toEqual([
      [3, 0],
      [7, 12],
    ]);
    expect(readCadenceProfile(good, "c/C.cdc")).toBeUndefined();
    for (const bad of ["{", "[]", JSON.stringify({ coverage: { "c/A.cdc": { line_hits: { x: 1 } } } }), JSON.stringify({ coverage: { "c/A.cdc": { line_hits: { "3": -1 } } } }), JSON.stringify({ coverage: { "c/A.cdc": { line_hits: { "3": "1" } } } }), JSON.stringify({ coverage: { "c/A.cdc": { line_hits: { "0": 1 } } } }), JSON.stringify({ coverage: { "c/A.cdc": [] } })]) {
      expect(readCadenceProfile(bad, "c/A.cdc")).toBeUndefined();
    }
  });
});
