import { FlareFlowError, type FlareFlowErrorOptions } from "../errors";

/** deploy:evm, deploy:flow and configure:flow refusing to go on: a missing key, a wrong chain, an earlier step not run. */
export class DeployError extends FlareFlowError {
  override readonly name = "DeployError";
  constructor(message: string, options: FlareFlowErrorOptions = {}) {
    super(message, { docs: "README.md#deploying", ...options });
  }
}
