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

export class ConnectorError extends Error {
  override readonly name = "ConnectorError";
  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
