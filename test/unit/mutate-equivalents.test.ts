import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { equivalentFor, loadEquivalents } from "../../scripts/mutate/equivalents";
import { mutantsOf } from "../../scripts/mutate/mutants";
import { classify, figuresOf } from "../../scripts/mutate/summary";
import { parseArgs } from "../../scripts/mutate/args";
import { STRYKER_INCREMENTAL, strykerArgs } from "../../scripts/mutate/stryker";
import { readStrykerReport, STRYKER_JSON } from "../../scripts/mutate/stryker";
import type { MutantResult } from "../../scripts/mutate/types";

const SOURCE = "contract C {\n  uint256 private constant N = 6;\n  function f() public { emit Done(); }\n}\n";

function resultOf(source: string, description: string, status: MutantResult["status"]): MutantResult {
  const m = mutantsOf("C.sol", source, "solidity").find((x) => x.description === description);
  if (!m) throw new Error(`no mutant ${description}`);
  return { ...m, status, durationMs: 1, at: "2026-01-01T00:00:00Z" };
}

describe("equivalent mutants list", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-equiv-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (data: unknown) => {
    const file = path.join(dir, "equivalent.json");
    fs.writeFileSync(file, typeof data === "string" ? data : JSON.stringify(data));
    return file;
  };
  const entry = {
    file: "C.sol",
    operator: "access-widening",
    line: "uint256 private constant N = 6;",
    mutated: "uint256 public constant N = 6;",
    reason: "a public getter of a constant changes no state and reveals nothing the bytecode does not",
  };

  it("marks a listed survivor equivalent, with its reason, even after unrelated edits moved it", () => {
    const entries = loadEquivalents(write([entry]));
    const moved = `// header\n\n${SOURCE}`;
    const survivor = resultOf(moved, "`private` → `public`", "survived");
    expect(survivor.line).toBe(4);
    expect(classify(survivor, entries)).toMatchObject({ status: "equivalent", reason: entry.reason });
    // Not listed: stays a survivor.
    expect(classify(resultOf(moved, "`emit Done` removed", "survived"), entries).status).toBe("survived");
    // An edit of the listed line itself drops the match: the mutant must be judged again.
    const edited = resultOf(SOURCE.replace("N = 6", "N = 7"), "`private` → `public`", "survived");
    expect(equivalentFor(edited, entries)).toBeUndefined();
  });

  it("flags a listed mutant that is killed (the entry is stale) and leaves equivalents out of the kill rate", () => {
    const entries = loadEquivalents(write([entry]));
    const killed = classify(resultOf(SOURCE, "`private` → `public`", "killed"), entries);
    expect(killed).toMatchObject({ status: "killed", staleEquivalent: true });
    const figures = figuresOf("solidity", ["killed", "killed", "killed", "survived", "equivalent", "compile-error", "timeout"]);
    expect(figures).toMatchObject({ total: 7, killed: 3, timeout: 1, survived: 1, equivalent: 1, compileError: 1 });
    expect(figures.killRate).toBeCloseTo(4 / 5);
  });

  it("refuses a malformed list with a clear error", () => {
    expect(loadEquivalents(path.join(dir, "absent.json"))).toEqual([]);
    expect(() => loadEquivalents(write("{oops"))).toThrow(/not JSON/);
    expect(() => loadEquivalents(write({ file: "x" }))).toThrow(/expected an array/);
    expect(() => loadEquivalents(write([{ ...entry, operator: 3 }]))).toThrow(/"operator" must be a string/);
    expect(() => loadEquivalents(write([{ ...entry, reason: "same" }]))).toThrow(/give the reason/);
  });
});

describe("npm run mutate's command line", () => {
  it("runs Stryker without static mutants and on the last run's results unless asked otherwise", () => {
    expect(strykerArgs(["src/report"], 2)).toEqual(["stryker", "run", "stryker.config.json", "--concurrency", "2", "--mutate", "src/report/**/*.ts", "--ignoreStatic", "--incremental", "--incrementalFile", STRYKER_INCREMENTAL]);
    expect(strykerArgs([], 1, { statics: true, fresh: true })).toEqual(["stryker", "run", "stryker.config.json", "--concurrency", "1"]);
  });

  it("reads --only, --jobs, --files, --fresh and --survivors, and refuses anything else", () => {
    expect(parseArgs([])).toEqual({ only: ["solidity", "cadence", "ts"], jobs: 2, files: [], fresh: false, survivors: false, deep: false, statics: false });
    expect(parseArgs(["--only", "cadence", "--jobs", "1", "--files", "FlareOracleVerifier,X", "--fresh", "--survivors", "--deep", "--static"])).toEqual({
      only: ["cadence"],
      jobs: 1,
      files: ["FlareOracleVerifier", "X"],
      fresh: true,
      survivors: true,
      deep: true,
      statics: true,
    });
    expect(() => parseArgs(["--only", "rust"])).toThrow(/"rust" is not one of/);
    expect(() => parseArgs(["--jobs", "0"])).toThrow(/--jobs/);
    expect(() => parseArgs(["--jobs"])).toThrow(/needs a value/);
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown option/);
  });

  it("reads --lines FROM-TO and refuses a range that is not one", () => {
    expect(parseArgs(["--lines", "200-345"]).lines).toEqual({ from: 200, to: 345 });
    expect(parseArgs(["--lines", "7-7"]).lines).toEqual({ from: 7, to: 7 });
    for (const bad of ["345-200", "0-3", "12", "a-b", "-3", "1-2-3"]) {
      expect(() => parseArgs(["--lines", bad]), bad).toThrow(/--lines/);
    }
  });
});

describe("TypeScript equivalents (Stryker's report read against equivalent.json)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mutate-ts-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts a listed survivor as equivalent with its reason, and leaves the others survivors", () => {
    const source = "export function f(a: number) {\n  return a >= 0 ? a : -a;\n}\n";
    const mutant = (id: string, mutatorName: string, replacement: string, status: string) => ({ id, mutatorName, replacement, status, location: { start: { line: 2, column: 9 }, end: { line: 2, column: 15 } } });
    const report = {
      schemaVersion: "2",
      thresholds: { high: 80, low: 60 },
      files: {
        "src/f.ts": {
          language: "typescript",
          source,
          mutants: [
            mutant("1", "EqualityOperator", "a > 0", "Survived"),
            mutant("2", "EqualityOperator", "a < 0", "Killed"),
            mutant("3", "ConditionalExpression", "true", "Survived"),
          ],
        },
      },
    };
    fs.mkdirSync(path.join(dir, path.dirname(STRYKER_JSON)), { recursive: true });
    fs.writeFileSync(path.join(dir, STRYKER_JSON), JSON.stringify(report));
    const entry = { file: "src/f.ts", operator: "EqualityOperator", line: "return a >= 0 ? a : -a;", mutated: "a > 0", reason: "at 0 both branches return 0 (-0 is not observable here)" };
    const { figures, survivors, equivalent } = readStrykerReport(dir, [entry]);
    expect(equivalent).toEqual([{ file: "src/f.ts", line: 2, mutator: "EqualityOperator", replacement: "a > 0", reason: entry.reason }]);
    expect(survivors.map((s) => s.replacement)).toEqual(["true"]);
    expect([figures.killed, figures.survived, figures.equivalent]).toEqual([1, 1, 1]);
    // the same entry for another file or another replacement matches nothing
    expect(readStrykerReport(dir, [{ ...entry, file: "src/g.ts" }]).equivalent).toEqual([]);
    expect(readStrykerReport(dir, [{ ...entry, mutated: "a < 0" }]).survivors).toHaveLength(2);
  });
});
