import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
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

/** `files` narrows `mutate` (a directory becomes dir/**\/*.ts); empty: the config's list. */
export function strykerArgs(files: readonly string[], jobs: number): string[] {
  const args = ["stryker", "run", "stryker.config.json", "--concurrency", String(jobs)];
  if (files.length) args.push("--mutate", files.map((f) => (f.endsWith(".ts") || f.includes("*") ? f : `${f.replace(/\/$/, "")}/**/*.ts`)).join(","));
  return args;
}

/** Runs Stryker in the working tree (it mutates only its own sandbox, .stryker-tmp). */
export function runStryker(root: string, files: readonly string[], jobs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", strykerArgs(files, jobs), { cwd: root, stdio: "inherit" });
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

/** Figures and survivors from Stryker's JSON report (mutation-testing-report-schema). */
export function readStrykerReport(root: string): { figures: Figures; survivors: TsSurvivor[] } {
  const report = JSON.parse(fs.readFileSync(path.join(root, STRYKER_JSON), "utf8")) as { files: Record<string, { mutants: StrykerMutant[] }> };
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
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      const status = map[m.status];
      if (!status) continue;
      statuses.push(status);
      if (m.status === "Survived" || m.status === "NoCoverage") {
        survivors.push({ file: path.relative(root, path.resolve(root, file)), line: m.location.start.line, mutator: m.mutatorName, replacement: m.replacement ?? "", status: m.status });
      }
    }
  }
  return { figures: figuresOf("typescript", statuses), survivors };
}
