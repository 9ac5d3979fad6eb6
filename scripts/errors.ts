import { FlareFlowError } from "../src/errors";

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
