import { FlareFlowError, formatError } from "../src/errors";

/** A benchmark that cannot produce its figure: a step failed, or two measurements disagree. */
export class BenchError extends FlareFlowError {
  override readonly name = "BenchError";
  override readonly docs = "README.md#figures";
}

/** npm run mutate refusing its options, its lists or a tree that does not pass unmutated. */
export class MutateError extends FlareFlowError {
  override readonly name = "MutateError";
  override readonly docs = "README.md#mutation-testing";
}

/**
 * Runs a script's main and, if it fails, prints what failed the way every command of the project
 * does (message, causes, the README section) instead of a bare stack, and exits non-zero.
 */
export function runMain(name: string, main: () => void | Promise<void>): void {
  const fail = (error: unknown) => {
    console.error(`${name} failed: ${formatError(error)}`);
    process.exit(1);
  };
  try {
    Promise.resolve(main()).catch(fail);
  } catch (error) {
    fail(error);
  }
}
