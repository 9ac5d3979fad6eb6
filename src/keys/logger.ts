/**
 * The key service's logger. Every line passes through redactSecrets before it
 * reaches the sink, so a key that slipped into an error message from any
 * library still never reaches a log.
 */
import { redactSecrets } from "../litellm";

export interface KeyServiceLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogSink = (level: "info" | "warn" | "error", line: string) => void;

export const consoleSink: LogSink = (level, line) => {
  const out = `[key-service] ${level}: ${line}`;
  if (level === "info") console.log(out);
  else console.error(out);
};

export function redactingKeyServiceLogger(sink: LogSink = consoleSink, extraSecrets: readonly string[] = []): KeyServiceLogger {
  return {
    info: (m) => sink("info", redactSecrets(m, extraSecrets)),
    warn: (m) => sink("warn", redactSecrets(m, extraSecrets)),
    error: (m) => sink("error", redactSecrets(m, extraSecrets)),
  };
}

/** A one-line description of any thrown value, for logs and the health endpoint. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redactSecrets(`${error.name}: ${error.message}`);
  return redactSecrets(String(error));
}
