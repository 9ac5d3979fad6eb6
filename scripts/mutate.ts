/**
 * npm run mutate [-- --only cadence|solidity|ts] [--jobs N] [--files a,b] [--fresh] [--survivors] [--deep] [--static] [--lines FROM-TO]
 *
 * Mutation testing of the money and access code. Solidity and Cadence: the project's own
 * operator catalogue (scripts/mutate/operators), each mutant built and tested in its own copy of
 * the tree under the system's temp directory (the working tree is only read), results kept in
 * test-artifacts/mutation/results-<language>.json so a re-run resumes where it stopped. TypeScript: Stryker
 * (stryker.config.json). Prints the kill rate per language and every survivor; writes
 * test-artifacts/mutation/report.md (and Stryker's HTML under test-artifacts/mutation/ts/).
 * Not part of `npm test`: it takes long (see README, "Mutation testing").
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { runContracts } from "./mutate/contracts";
import { loadEquivalents } from "./mutate/equivalents";
import { writeMarkdown } from "./mutate/markdown";
import { killAll } from "./mutate/process";
import { ResultStore } from "./mutate/results";
import { removeAllSandboxes } from "./mutate/sandbox";
import { readStrykerReport, runStryker, STRYKER_JSON, type TsEquivalent, type TsSurvivor } from "./mutate/stryker";
import { classify, figuresLine, figuresOf, type Figures, type Reported } from "./mutate/summary";
import { cadenceContracts, cadencePlan, solidityPlan, SOLIDITY_FILES, type TestPlan } from "./mutate/targets";
import { parseArgs, type Language } from "./mutate/args";
import { formatError } from "../src/errors";
import { MutateError } from "./errors";

const root = path.resolve(__dirname, "..");
const OUT = path.join(root, "test-artifacts", "mutation");
const log = (line: string) => console.log(`[mutate] ${line}`);

/** The plan of a file when nothing will run (only its inputs matter, for the result keys). */
function planFor(root: string, language: "solidity" | "cadence", file: string, args: { deep: boolean }): TestPlan {
  return language === "solidity" ? solidityPlan(root, file) : cadencePlan(root, file, "flow", args.deep);
}

function selected(files: readonly string[], filter: readonly string[]): string[] {
  return filter.length === 0 ? [...files] : files.filter((f) => filter.some((x) => f.includes(x)));
}

function flowBinary(): string {
  const out = spawnSync("bash", [path.join(root, "scripts/install-flow.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const bin = out.stdout.trim().split("\n").pop();
  if (out.status !== 0 || !bin) throw new MutateError("the Flow toolchain could not be installed (bash scripts/install-flow.sh)");
  return bin;
}

/** The mutants' copies start from the working tree's Hardhat build (only the mutated file recompiles). */
function compileWorkingTree(): void {
  const out = spawnSync("npx", ["hardhat", "compile", "--quiet"], { cwd: root, stdio: "inherit" });
  if (out.status !== 0) throw new MutateError("hardhat compile failed on the working tree");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const equivalents = loadEquivalents(path.join(root, "scripts/mutate/equivalent.json"));
  const figures: Figures[] = [];
  const reported: Reported[] = [];
  let tsSurvivors: TsSurvivor[] = [];
  let tsEquivalents: TsEquivalent[] = [];
  const durations: Record<string, number> = {};

  const contractRun = async (language: Exclude<Language, "ts">, files: string[], collectOnly = false) => {
    if (files.length === 0) return;
    const started = Date.now();
    const resultsFile = path.join(OUT, `results-${language}.json`);
    if (collectOnly && !fs.existsSync(resultsFile)) return;
    if (args.fresh && !collectOnly) fs.rmSync(resultsFile, { force: true });
    const store = new ResultStore(resultsFile);
    if (language === "solidity" && !collectOnly) compileWorkingTree();
    const { results, notRun } = await runContracts({
      root,
      files,
      language,
      jobs: args.jobs,
      store,
      survivorsOnly: args.survivors,
      deep: args.deep,
      lines: args.lines,
      collectOnly,
      flowBinary: language === "cadence" && !collectOnly ? flowBinary() : undefined,
      plan: collectOnly ? (file) => planFor(root, language, file, args) : undefined,
      log,
    });
    const classified = results.map((r) => classify(r, equivalents));
    reported.push(...classified);
    if (classified.length === 0) return;
    figures.push({ ...figuresOf(language, classified.map((r) => r.status)), notRun, earlier: collectOnly });
    if (!collectOnly) durations[language] = Date.now() - started;
  };

  for (const language of args.only) {
    if (language === "solidity") await contractRun("solidity", selected(SOLIDITY_FILES, args.files));
    else if (language === "cadence") await contractRun("cadence", selected(cadenceContracts(root), args.files));
    else {
      const started = Date.now();
      // src/fdc imports the TypeChain bindings, which `hardhat compile` generates (a clean clone has none).
      compileWorkingTree();
      await runStryker(root, args.files.filter((f) => f.startsWith("src/")), args.jobs, { statics: args.statics, fresh: args.fresh });
      const ts = readStrykerReport(root, equivalents);
      figures.push(ts.figures);
      tsSurvivors = ts.survivors;
      tsEquivalents = ts.equivalent;
      durations.typescript = Date.now() - started;
    }
  }

  // The report covers every language: those not run now are read back from their last run.
  if (!args.only.includes("solidity")) await contractRun("solidity", [...SOLIDITY_FILES], true);
  if (!args.only.includes("cadence")) await contractRun("cadence", cadenceContracts(root), true);
  if (!args.only.includes("ts") && fs.existsSync(path.join(root, STRYKER_JSON))) {
    const ts = readStrykerReport(root, equivalents);
    figures.push({ ...ts.figures, earlier: true });
    tsSurvivors = ts.survivors;
    tsEquivalents = ts.equivalent;
  }

  writeMarkdown(path.join(OUT, "report.md"), figures, reported, tsSurvivors, durations, tsEquivalents);
  console.log("");
  for (const r of reported.filter((x) => x.status === "survived")) console.log(`survived: ${r.file}:${r.line} ${r.operator}: ${r.description} — ${r.mutatedLine || "(line removed)"}`);
  for (const s of tsSurvivors) console.log(`survived: ${s.file}:${s.line} ${s.mutator} (${s.status}): ${s.replacement}`);
  for (const r of reported.filter((x) => x.staleEquivalent)) console.log(`listed as equivalent but killed (remove it): ${r.file}:${r.line} ${r.description}`);
  for (const f of figures) {
    const took = durations[f.language];
    console.log(took === undefined ? figuresLine(f) : `${figuresLine(f)}, ${Math.round(took / 1000)} s`);
  }
  console.log(`report: ${path.relative(root, path.join(OUT, "report.md"))}`);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
    removeAllSandboxes();
    console.error("[mutate] interrupted: results so far are kept; run again to resume");
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  killAll();
  removeAllSandboxes();
  console.error(`[mutate] ${formatError(error)}`);
  process.exitCode = 1;
});
