import { FlareFlowError } from "../../src/errors";

/** The page's own failures: its configuration, its wiring, the wallet's answers. */
export class PageError extends FlareFlowError {
  override readonly name = "PageError";
  override readonly docs = "README.md#the-page";
}
