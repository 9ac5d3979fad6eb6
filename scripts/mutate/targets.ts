import * as fs from "node:fs";
import * as path from "node:path";
import { readCadenceProfile, type LineHits } from "./coverage";
import type { ContractLanguage } from "./types";

/** A command run inside a mutant's copy of the tree. */
export interface Command {
  label: string;
  command: string;
  args: string[];
}

/** How one contract file's mutants are built and tested. */
export interface TestPlan {
  file: string;
  language: ContractLanguage;
  /** Paths (repository-relative) copied into each mutant's tree. */
  copy: string[];
  /** Paths symlinked instead (read-only inputs too large to copy). */
  link: string[];
  /** Adjusts the copy before anything runs (e.g. Hardhat's cache paths). */
  prepare?: (root: string, copyRoot: string) => void;
  /** Fails on a mutant that does not build: compile-error. */
  compile: Command;
  /** Run in order; the first to fail kills the mutant. */
  tests: Command[];
  /** Files whose content the results depend on besides the mutant itself (test sources, the other contracts). */
  inputs: string[];
  /**
   * How a test command reports which lines of the mutated file it executed: the unmutated run
   * asks each test for a profile, and each mutant then runs only the tests reaching its lines.
   */
  coverage?: {
    args: (profileFile: string) => string[];
    read: (profileText: string, file: string) => LineHits | undefined;
  };
}

export const SOLIDITY_FILES = ["solidity/contracts/UsageReportVerifier.sol", "solidity/contracts/UsageReport.sol"] as const;
export const CADENCE_DIR = "cadence/contracts";
/** A file outside cadence/ that the Cadence tests read (Test.readFile in test_helpers.cdc). */
const CADENCE_SHARED_FIXTURE = "test/unit/pricing-vectors.json";

/** Every file under `dir` (repository-relative, sorted). */
export function filesUnder(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [dir];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(root, path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

export function cadenceContracts(root: string): string[] {
  return filesUnder(root, CADENCE_DIR).filter((f) => f.endsWith(".cdc"));
}

/**
 * Solidity: `hardhat compile` then `hardhat test --bail` (every file of test/evm covers the
 * verifier). The copy takes the working tree's artifacts and cache, with the cache's absolute
 * paths moved to the copy, so Hardhat recompiles only the mutated file and what imports it.
 */
export function solidityPlan(root: string, file: string): TestPlan {
  const hardhat = (label: string, ...args: string[]): Command => ({ label, command: "npx", args: ["hardhat", ...args] });
  const others = SOLIDITY_FILES.filter((f) => f !== file);
  return {
    file,
    language: "solidity",
    copy: ["solidity", "test/evm", "src", "hardhat.config.ts", "tsconfig.json", "package.json", "artifacts", "cache"],
    link: ["node_modules"],
    prepare: rewriteHardhatCache,
    compile: hardhat("hardhat compile", "compile", "--quiet"),
    // The verifier's own spec first: it kills most mutants, and --bail stops at its first failure.
    tests: [hardhat("hardhat test", "test", "--no-compile", "--bail", ...evmSpecsVerifierFirst(root))],
    inputs: [
      ...others,
      ...filesUnder(root, "test/evm"),
      ...filesUnder(root, "solidity/contracts/testing"),
      ...filesUnder(root, "src/report"),
      ...filesUnder(root, "src/fdc"),
      "src/deploy/evm-deploy.ts",
      "src/config/networks/evm.ts",
      "src/config/networks/window-length.ts",
      "src/pricing/units.ts",
      "hardhat.config.ts",
    ],
  };
}

/**
 * The specs that deploy the verifier, its own first (fdc-harness.spec.ts tests only the local FDC
 * stand-in, which no mutant touches).
 */
function evmSpecsVerifierFirst(root: string): string[] {
  const specs = filesUnder(root, "test/evm").filter((f) => f.endsWith(".spec.ts") && f !== "test/evm/fdc-harness.spec.ts");
  const first = "test/evm/usage-report-verifier.spec.ts";
  return specs.includes(first) ? [first, ...specs.filter((s) => s !== first)] : specs;
}

function rewriteHardhatCache(root: string, copyRoot: string): void {
  const cacheFile = path.join(copyRoot, "cache", "solidity-files-cache.json");
  if (!fs.existsSync(cacheFile)) return;
  const from = `"${root}/`;
  const text = fs.readFileSync(cacheFile, "utf8").split(from).join(`"${copyRoot}/`);
  // Library sources resolve through the node_modules symlink to the working tree's real path.
  fs.writeFileSync(cacheFile, text.split(`"${copyRoot}/node_modules/`).join(`"${root}/node_modules/`));
}

/**
 * Cadence: `flow lint` of every contract (a type error anywhere is a compile error), then the
 * test files that import the contract and, with `deep`, those that import a contract importing
 * it (slower: FlareOracleVerifier's survivors then also face the three triggers test files); the
 * first failing file kills the mutant, so most killed mutants cost one file.
 */
export function cadencePlan(root: string, file: string, flowBinary: string, deep = false): TestPlan {
  const contracts = cadenceContracts(root);
  const name = path.basename(file, ".cdc");
  const tests = filesUnder(root, "cadence/tests").filter((f) => f.endsWith("_test.cdc"));
  const importers = (contract: string) => tests.filter((t) => importsContract(root, t, contract));
  const direct = importers(name);
  const dependents = contracts.filter((c) => c !== file && importsContract(root, c, name)).map((c) => path.basename(c, ".cdc"));
  const transitive = deep ? dependents.flatMap(importers).filter((t, i, all) => !direct.includes(t) && all.indexOf(t) === i) : [];
  return {
    file,
    language: "cadence",
    // The tests also read the pricing vectors shared with the TypeScript mirror (test_helpers.cdc).
    copy: ["cadence", "flow.json", CADENCE_SHARED_FIXTURE],
    link: [],
    compile: { label: "flow lint", command: flowBinary, args: ["lint", ...contracts] },
    tests: [...direct, ...transitive].map((t) => ({ label: `flow test ${path.basename(t)}`, command: flowBinary, args: ["test", t] })),
    coverage: { args: (profileFile) => ["--cover", "--coverprofile", profileFile], read: readCadenceProfile },
    inputs: [
      ...contracts.filter((c) => c !== file),
      ...filesUnder(root, "cadence/tests"),
      ...filesUnder(root, "cadence/transactions"),
      ...filesUnder(root, "cadence/scripts"),
      "flow.json",
      CADENCE_SHARED_FIXTURE,
    ],
  };
}

/** Whether a Cadence file imports the contract by name (`import "Name"` or `import Name from ...`). */
export function importsContract(root: string, file: string, name: string): boolean {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return new RegExp(`^\\s*import\\s+(?:"${name}"|${name}\\s+from\\b)`, "m").test(text);
}
