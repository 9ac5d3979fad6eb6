import * as fs from "node:fs";
import * as path from "node:path";
import type { TestProfile } from "./coverage";
import { runCommand } from "./process";
import { createSandbox, removeSandbox } from "./sandbox";
import type { Command, TestPlan } from "./targets";
import type { Mutant, MutantResult } from "./types";

/** Where a profiled run's coverage profiles go, inside its copy of the tree. */
const PROFILE_DIR = ".mutate-coverage";

export interface PlanOutcome {
  status: MutantResult["status"];
  decidedBy?: string;
  tail: string;
  durationMs: number;
  /** With `profile`: each test's time and, where the plan measures coverage, its line hits. */
  profiles?: Map<string, TestProfile>;
}

/**
 * Runs one source (a mutant's, or the original) through the plan: build, then the tests in
 * order (`tests`, default the plan's). With `profile` (the unmutated run), each test also writes
 * the coverage the plan knows how to ask for.
 */
export async function runPlan(
  root: string,
  plan: TestPlan,
  source: string,
  timeoutMs: number,
  options: { tests?: readonly Command[]; profile?: boolean } = {},
): Promise<PlanOutcome> {
  const started = Date.now();
  const dir = createSandbox(root, plan, source);
  const profiles = options.profile ? new Map<string, TestProfile>() : undefined;
  try {
    const built = await runCommand(plan.compile, dir, timeoutMs);
    if (!built.ok) {
      return { status: built.timedOut ? "timeout" : "compile-error", decidedBy: plan.compile.label, tail: built.tail, durationMs: Date.now() - started };
    }
    const tests = options.tests ?? plan.tests;
    for (const [index, test] of tests.entries()) {
      const profileFile = profiles && plan.coverage ? path.join(dir, PROFILE_DIR, `${index}.json`) : undefined;
      if (profileFile) fs.mkdirSync(path.dirname(profileFile), { recursive: true });
      const command = profileFile && plan.coverage ? { ...test, args: [...test.args, ...plan.coverage.args(profileFile)] } : test;
      const ran = await runCommand(command, dir, timeoutMs);
      if (!ran.ok) return { status: ran.timedOut ? "timeout" : "killed", decidedBy: test.label, tail: ran.tail, durationMs: Date.now() - started };
      if (profiles) {
        const lines = profileFile && fs.existsSync(profileFile) ? plan.coverage?.read(fs.readFileSync(profileFile, "utf8"), plan.file) : undefined;
        profiles.set(test.label, { durationMs: ran.durationMs, ...(lines ? { lines } : {}) });
      }
    }
    if (tests.length === 0) return { status: "survived", decidedBy: NO_COVERAGE, tail: "", durationMs: Date.now() - started };
    return { status: "survived", tail: "", durationMs: Date.now() - started, ...(profiles ? { profiles } : {}) };
  } finally {
    removeSandbox(dir);
  }
}

/** Why a mutant that no test ran survived. */
export const NO_COVERAGE = "no test executes the mutated lines (coverage of the unmutated run)";

export async function runMutant(root: string, plan: TestPlan, mutant: Mutant, timeoutMs: number, tests?: readonly Command[]): Promise<MutantResult> {
  const outcome = await runPlan(root, plan, mutant.mutatedSource, timeoutMs, tests ? { tests } : {});
  return {
    file: mutant.file,
    language: mutant.language,
    line: mutant.line,
    operator: mutant.operator,
    description: mutant.description,
    originalLine: mutant.originalLine,
    mutatedLine: mutant.mutatedLine,
    status: outcome.status,
    identity: mutant.identity,
    ...(outcome.decidedBy ? { decidedBy: outcome.decidedBy } : {}),
    durationMs: outcome.durationMs,
    at: new Date().toISOString(),
  };
}
