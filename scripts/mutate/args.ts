import { MutateError } from "../errors";
export type Language = "solidity" | "cadence" | "ts";

export interface MutateArgs {
  only: Language[];
  jobs: number;
  /** Substrings of contract paths, or TypeScript paths/globs for Stryker's `mutate`. */
  files: string[];
  /** Forget stored results and run every mutant again. */
  fresh: boolean;
  /** Run only the mutants that survived last time (after adding tests); see contracts.ts. */
  survivors: boolean;
  /** Cadence: also the test files of the contracts importing the mutated one. */
  deep: boolean;
  /** Contracts: only the mutants on these lines (inclusive), to spend a short run on one function. */
  lines?: { from: number; to: number };
  /** TypeScript: also the static mutants (module-level constants; each runs every unit test). */
  statics: boolean;
}

const LANGUAGES: readonly Language[] = ["solidity", "cadence", "ts"];

/** The command line of `npm run mutate`; a clear error for anything else. */
export function parseArgs(argv: readonly string[]): MutateArgs {
  const args: MutateArgs = { only: [...LANGUAGES], jobs: 2, files: [], fresh: false, survivors: false, deep: false, statics: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new MutateError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--only") {
      const only = value().split(",");
      for (const l of only) if (!LANGUAGES.includes(l as Language)) throw new MutateError(`--only: "${l}" is not one of ${LANGUAGES.join(", ")}`);
      args.only = only as Language[];
    } else if (flag === "--jobs") {
      const jobs = Number(value());
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new MutateError("--jobs must be a whole number from 1 to 16");
      args.jobs = jobs;
    } else if (flag === "--files") {
      args.files = value().split(",").filter(Boolean);
    } else if (flag === "--fresh") {
      args.fresh = true;
    } else if (flag === "--survivors") {
      args.survivors = true;
    } else if (flag === "--deep") {
      args.deep = true;
    } else if (flag === "--static") {
      args.statics = true;
    } else if (flag === "--lines") {
      const match = /^(\d+)-(\d+)$/.exec(value());
      if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2])) throw new MutateError("--lines must be FROM-TO, line numbers with FROM <= TO");
      args.lines = { from: Number(match[1]), to: Number(match[2]) };
    } else {
      throw new MutateError(`unknown option ${flag} (expected --only cadence|solidity|ts, --jobs N, --files a,b, --fresh, --survivors, --deep, --static, --lines FROM-TO)`);
    }
  }
  return args;
}
