import type { Logger } from "../log";

type StageField = string | number | bigint | readonly string[] | undefined;

/**
 * One line per stage: `window` (decimal string), `stage`, and the stage's ids, counts and hashes as
 * fields; never keys or request bodies. scripts/bench-scale.ts times windows by these lines.
 */
export function logStage(log: Logger, window: bigint, stage: string, fields: Record<string, StageField> = {}): void {
  const defined: Record<string, string | number | readonly string[]> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) defined[k] = typeof v === "bigint" ? v.toString() : v;
  log.info({ ...defined, window: window.toString(), stage }, `window ${window}: ${stage}`);
}
