import * as fs from "node:fs";
import * as path from "node:path";
import { testsFor, type TestProfile } from "./coverage";
import { runMutant, runPlan } from "./execute";
import { mutantsOf } from "./mutants";
import { pool } from "../../src/pool";
import { inputsHash, resultKey, type ResultStore } from "./results";
import { cadencePlan, solidityPlan, type TestPlan } from "./targets";
import type { ContractLanguage, MutantResult } from "./types";
import { MutateError } from "../errors";

export interface ContractRunOptions {
  root: string;
  files: readonly string[];
  language: ContractLanguage;
  jobs: number;
  store: ResultStore;
  /** Needed for Cadence: the pinned Flow toolchain's binary. */
  flowBinary?: string;
  /** Cadence: also run the test files of contracts that import the mutated one. */
  deep?: boolean;
  /**
   * Quick re-check after adding tests: run only mutants whose newest result (under any test
   * sources) survived; the others are reported from that earlier run. A full run re-checks all.
   */
  survivorsOnly?: boolean;
  /** Run nothing: report what the results file holds for today's mutants (for the report of languages not run now). */
  collectOnly?: boolean;
  /** Run only the mutants on these lines; the others count as not run. */
  lines?: { from: number; to: number };
  /** The build and tests per file; default: solidityPlan / cadencePlan (tests give their own). */
  plan?: (file: string) => TestPlan;
  log: (line: string) => void;
}

/** A mutant takes at most this many times the unmutated run, plus a margin. */
const TIMEOUT_FACTOR = 3;
const TIMEOUT_MARGIN_MS = 60_000;

/**
 * Every mutant of the given contract files, run (or read back from the store) in parallel
 * copies of the tree. Before a file's first new mutant, the unmutated file goes through the
 * same plan: it must pass, and its time sets the mutants' timeout.
 */
export async function runContracts(options: ContractRunOptions): Promise<{ results: MutantResult[]; notRun: number }> {
  const { root, store, log } = options;
  const all: MutantResult[] = [];
  let notRun = 0;
  for (const file of options.files) {
    const plan = options.plan ? options.plan(file) : planFor(options, file);
    const source = fs.readFileSync(path.join(root, file), "utf8");
    const mutants = mutantsOf(file, source, options.language);
    // Which tests run is part of the key too (a `--deep` result is not a shallow one).
    const inputs = `${inputsHash(root, plan.inputs)}:${plan.tests.map((t) => t.label).join(",")}`;
    const keyed = mutants.map((m) => ({ mutant: m, key: resultKey(m, inputs) }));
    const earlier = (identity: string) => (options.survivorsOnly ? store.latestByIdentity(identity) : undefined);
    const pending = keyed.filter((k) => {
      if (store.get(k.key)) return false;
      const last = earlier(k.mutant.identity);
      return !last || last.status === "survived";
    });
    const inLines = (line: number) => !options.lines || (line >= options.lines.from && line <= options.lines.to);
    const todo = options.collectOnly ? [] : pending.filter((k) => inLines(k.mutant.line));
    notRun += pending.length - todo.length;
    if (!options.collectOnly) log(`${file}: ${mutants.length} mutants, ${mutants.length - pending.length} already run, ${todo.length} to run${options.lines ? ` (lines ${options.lines.from}-${options.lines.to} only; ${pending.length - todo.length} left for another run)` : ""}`);
    let timeoutMs = TIMEOUT_MARGIN_MS;
    let profiles: Map<string, TestProfile> | undefined;
    if (todo.length > 0) {
      const baseline = await runPlan(root, plan, source, 30 * 60_000, { profile: true });
      if (baseline.status !== "survived") {
        throw new MutateError(`${file}: the unmutated tree does not pass (${baseline.status} at ${baseline.decidedBy}):\n${baseline.tail}`);
      }
      timeoutMs = baseline.durationMs * TIMEOUT_FACTOR + TIMEOUT_MARGIN_MS;
      profiles = plan.coverage ? baseline.profiles : undefined;
      const profiled = profiles ? [...profiles.values()].filter((p) => p.lines).length : 0;
      log(`${file}: unmutated run passes in ${(baseline.durationMs / 1000).toFixed(0)} s; timeout per mutant ${(timeoutMs / 1000).toFixed(0)} s${plan.coverage ? `; ${profiled} of ${plan.tests.length} test files profiled` : ""}`);
    }
    let done = 0;
    await pool(todo, options.jobs, async ({ mutant, key }) => {
      const result = await runMutant(root, plan, mutant, timeoutMs, testsFor(plan.tests, profiles, mutant.line, mutant.endLine));
      store.put(key, result);
      done++;
      log(`[${done}/${todo.length}] ${result.status.padEnd(13)} ${file}:${mutant.line} ${mutant.description} (${(result.durationMs / 1000).toFixed(0)} s${result.decidedBy ? `, ${result.decidedBy}` : ""})`);
    });
    for (const { key, mutant } of keyed) {
      const result = store.get(key);
      const last = result ? undefined : earlier(mutant.identity);
      if (result) all.push(result);
      else if (last) all.push({ ...last, line: mutant.line, earlier: true });
    }
  }
  return { results: all, notRun };
}

function planFor(options: ContractRunOptions, file: string): TestPlan {
  if (options.language === "solidity") return solidityPlan(options.root, file);
  if (!options.flowBinary) throw new MutateError("cadence mutants need the Flow toolchain's binary");
  return cadencePlan(options.root, file, options.flowBinary, options.deep);
}
