import { FlareFlowError } from "../errors";

/**
 * Errors the connector reports in words an operator can act on. `kind` lets the runner decide
 * between retrying later (unreachable, not-ready) and stopping (config, fee, integrity).
 */
export type ConnectorErrorKind =
  | "config"
  | "unreachable"
  | "fee"
  | "integrity"
  | "rejected"
  | "crash";

export class ConnectorError extends FlareFlowError {
  override readonly name = "ConnectorError";
  override readonly docs = "README.md#services";
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export { messageOf } from "../errors";
