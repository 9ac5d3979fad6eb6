import { FlareFlowError, type FlareFlowErrorOptions } from "../errors";

/** A network name, flow.json or a deployment record the commands cannot work from. */
export class ConfigError extends FlareFlowError {
  override readonly name = "ConfigError";
  constructor(message: string, options: FlareFlowErrorOptions = {}) {
    super(message, { docs: "README.md#deploying", ...options });
  }
}
