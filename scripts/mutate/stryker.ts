import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { normalize } from "./identity";
import type { EquivalentEntry } from "./equivalents";
import { figuresOf, type Figures } from "./summary";

/** Where stryker.config.json sends the JSON report (the HTML one is beside it). */
export const STRYKER_JSON = "test-artifacts/mutation/ts/mutation.json";

export interface TsSurvivor {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  status: "Survived" | "NoCoverage";
}

/** A TypeScript survivor that equivalent.json lists (operator: Stryker's mutator name; line: the
 * source line the mutant starts on; mutated: Stryker's replacement), with the reason. */
export interface TsEquivalent extends Omit<TsSurvivor, "status"> {
  reason: string;
}

/** Stryker's record of earlier results, so a run after new tests re-tests only what they touch. */
export const STRYKER_INCREMENTAL = "test-artifacts/mutation/ts/incremental.json";

/**
 * `files` narrows `mutate` (a directory becomes dir/**\/*.ts); empty: the config's list. Static
 * mutants (module-level constants) run every unit test each, about 94 % of a run's time: only with
 * `statics`. Results are reused from the last run (`--incremental`) unless `fresh`.
 */
export function strykerArgs(files: readonly string[], jobs: number, options: { statics?: boolean; fresh?: boolean } = {}): string[] {
  const args = ["stryker", "run", "stryker.config.json", "--concurrency", String(jobs)];
  if (files.length) args.push("--mutate", files.map((f) => (f.endsWith(".ts") || f.includes("*") ? f : `${f.replace(/\/$/, "")}/**/*.ts`)).join(","));
  if (!options.statics) args.push("--ignoreStatic");
  if (!options.fresh) args.push("--incremental", "--incrementalFile", STRYKER_INCREMENTAL);
  return args;
}

/** Runs Stryker in the working tree (it mutates only its own sandbox, .stryker-tmp). */
export function runStryker(root: string, files: readonly string[], jobs: number, options: { statics?: boolean; fresh?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", strykerArgs(files, jobs, options), { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`stryker exited with ${code}`))));
  });
}

interface StrykerMutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number } };
}

/** The entry listing this TypeScript mutant as equivalent, if any (matched like the contracts':
 * file, operator, the original line and the mutation, whitespace-insensitive). */
export function tsEquivalentFor(
  mutant: { file: string; mutator: string; originalLine: string; replacement: string },
  entries: readonly EquivalentEntry[],
): EquivalentEntry | undefined {
  return entries.find(
    (e) => e.file === mutant.file && e.operator === mutant.mutator && normalize(e.line) === normalize(mutant.originalLine) && normalize(e.mutated) === normalize(mutant.replacement),
  );
}

/** Figures and survivors from Stryker's JSON report (mutation-testing-report-schema). */
export function readStrykerReport(
  root: string,
  equivalents: readonly EquivalentEntry[] = [],
): { figures: Figures; survivors: TsSurvivor[]; equivalent: TsEquivalent[] } {
  const report = JSON.parse(fs.readFileSync(path.join(root, STRYKER_JSON), "utf8")) as { files: Record<string, { source: string; mutants: StrykerMutant[] }> };
  const equivalent: TsEquivalent[] = [];
  const statuses: Array<"killed" | "timeout" | "survived" | "no-coverage" | "compile-error" | "equivalent"> = [];
  const survivors: TsSurvivor[] = [];
  const map: Record<string, (typeof statuses)[number] | undefined> = {
    Killed: "killed",
    Timeout: "timeout",
    Survived: "survived",
    NoCoverage: "no-coverage",
    CompileError: "compile-error",
    // Invalid mutants: Stryker leaves them out of the score, as the contracts leave out compile errors.
    RuntimeError: "compile-error",
    Ignored: undefined,
  };
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const relative = path.relative(root, path.resolve(root, file));
    const sourceLines = source.split("\n");
    for (const m of mutants) {
      const status = map[m.status];
      if (!status) continue;
      if (m.status === "Survived" || m.status === "NoCoverage") {
        const line = m.location.start.line;
        const replacement = m.replacement ?? "";
        const entry = tsEquivalentFor({ file: relative, mutator: m.mutatorName, originalLine: sourceLines[line - 1] ?? "", replacement }, equivalents);
        if (entry) {
          statuses.push("equivalent");
          equivalent.push({ file: relative, line, mutator: m.mutatorName, replacement, reason: entry.reason });
          continue;
        }
        survivors.push({ file: relative, line, mutator: m.mutatorName, replacement, status: m.status });
      }
      statuses.push(status);
    }
  }
  return { figures: figuresOf("typescript", statuses), survivors, equivalent };
}
