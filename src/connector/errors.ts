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
  override readonly name: string = "ConnectorError";
  override readonly docs = "README.md#services";
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A state file (a window record, meta.json, a window's request ids) that is not what the connector
 * writes: a hand edit, a disk error, a file of another version. The connector stops on it rather
 * than act on a guess; nothing is written.
 */
export class ConnectorStateError extends ConnectorError {
  override readonly name: string = "ConnectorStateError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("integrity", message, options);
  }
}

export { messageOf } from "../errors";
