import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runContracts } from "../../scripts/mutate/contracts";
import { runPlan } from "../../scripts/mutate/execute";
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
});
