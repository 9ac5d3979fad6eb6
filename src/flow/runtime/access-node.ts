/** Access nodes refuse event queries over more than 250 blocks. */
export const MAX_EVENT_RANGE = 250;

/**
 * A height, index or count as an access node sends it (a JSON number, or a decimal string in
 * the REST API), or the error `fail` makes of why not. A string must be plain digits:
 * `Number()` alone would read "" as 0 and "0x10" or "1e3" as numbers.
 */
export function accessNodeNumber(value: unknown, what: string, fail: (message: string) => Error): number {
  const n = typeof value === "string" ? (/^(0|[1-9][0-9]*)$/.test(value) ? Number(value) : Number.NaN) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw fail(`the access node returned a bad ${what}: ${JSON.stringify(value)?.slice(0, 80)}`);
  return n;
}
