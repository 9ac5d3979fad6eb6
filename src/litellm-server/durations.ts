/**
 * LiteLLM duration strings ("30s", "30m", "30h", "30d", "1mo"), as accepted by
 * duration and budget_duration. Returns null for an unparsable string.
 */
export function addDuration(fromMs: number, duration: string): number | null {
  const m = /^(\d+)(s|m|h|d|w|mo)$/.exec(duration.trim());
  if (!m || m[1] === undefined) return null;
  const n = Number(m[1]);
  switch (m[2]) {
    case "s":
      return fromMs + n * 1000;
    case "m":
      return fromMs + n * 60_000;
    case "h":
      return fromMs + n * 3_600_000;
    case "d":
      return fromMs + n * 86_400_000;
    case "w":
      return fromMs + n * 7 * 86_400_000;
    case "mo": {
      const d = new Date(fromMs);
      d.setUTCMonth(d.getUTCMonth() + n);
      return d.getTime();
    }
    default:
      return null;
  }
}
