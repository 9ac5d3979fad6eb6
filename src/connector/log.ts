/**
 * One line per stage: `connector window=<w> stage=<stage> key=value ...`. Values are ids, counts
 * and hashes; never keys or request bodies.
 */
export type ConnectorLog = (line: string) => void;

export function stageLine(window: bigint, stage: string, fields: Record<string, string | number | bigint | undefined> = {}): string {
  const parts = [`connector window=${window}`, `stage=${stage}`];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${String(v)}`);
  return parts.join(" ");
}
