import { runCommand } from "./process";
import { createSandbox, removeSandbox } from "./sandbox";
import type { TestPlan } from "./targets";
import type { Mutant, MutantResult } from "./types";

/** Runs one source (a mutant's, or the original) through the plan: build, then the tests in order. */
export async function runPlan(
  root: string,
  plan: TestPlan,
  source: string,
  timeoutMs: number,
): Promise<{ status: MutantResult["status"]; decidedBy?: string; tail: string; durationMs: number }> {
  const started = Date.now();
  const dir = createSandbox(root, plan, source);
  try {
    const built = await runCommand(plan.compile, dir, timeoutMs);
    if (!built.ok) {
      return { status: built.timedOut ? "timeout" : "compile-error", decidedBy: plan.compile.label, tail: built.tail, durationMs: Date.now() - started };
    }
    for (const test of plan.tests) {
      const ran = await runCommand(test, dir, timeoutMs);
      if (!ran.ok) return { status: ran.timedOut ? "timeout" : "killed", decidedBy: test.label, tail: ran.tail, durationMs: Date.now() - started };
    }
    return { status: "survived", tail: "", durationMs: Date.now() - started };
  } finally {
    removeSandbox(dir);
  }
}

export async function runMutant(root: string, plan: TestPlan, mutant: Mutant, timeoutMs: number): Promise<MutantResult> {
  const outcome = await runPlan(root, plan, mutant.mutatedSource, timeoutMs);
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
