/** A logger from src/log.ts whose lines stay in memory, for tests that read what was logged. */
import { createLogger, type LogOptions, type Logger } from "../src/log";

export type LogRecord = { level: string; service: string; msg?: string } & Record<string, unknown>;

export interface CapturedLog {
  logger: Logger;
  /** Every line as written (after redaction). */
  lines: string[];
  records(): LogRecord[];
}

export function captureLog(service = "test", options: Omit<LogOptions, "destination"> = {}): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger(service, { ...options, destination: { write: (line: string) => void lines.push(line.trimEnd()) } });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as LogRecord) };
}
