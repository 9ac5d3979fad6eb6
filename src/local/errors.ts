import { FlareFlowError, type FlareFlowErrorOptions } from "../errors";

/** The local stack (npm run dev, the demo, the stand-ins it starts) failing to start or answering unlike itself. */
export class LocalStackError extends FlareFlowError {
  override readonly name = "LocalStackError";
  constructor(message: string, options: FlareFlowErrorOptions = {}) {
    super(message, { docs: "README.md#npm-run-dev", ...options });
  }
}
