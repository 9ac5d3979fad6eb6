/** Formatting for people: FLOW amounts stay exact (bigint units), everything else is locale text. */
import { formatFlow, formatUFix64, parseUFix64 } from "../../src/pricing/units";
import { messageOf } from "../../src/errors";

/** "12.5 FLOW" from a UFix64 string ("12.50000000"). */
export function flowText(ufix64: string): string {
  return `${formatFlow(parseUFix64(ufix64))} FLOW`;
}

/** "12.5 FLOW" from units of 1e-8 FLOW. */
export function flowUnitsText(units: bigint): string {
  return `${formatFlow(units)} FLOW`;
}

export function tokensText(tokens: bigint | number): string {
  return `${tokens.toLocaleString("en-US")} tokens`;
}

export function bytesText(bytes: bigint): string {
  const n = Number(bytes);
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A UFix64 timestamp (seconds) as a short local date and time. */
export function timeText(ufix64Seconds: string): string {
  const ms = Number(ufix64Seconds) * 1000;
  return new Date(ms).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** A timestamp held in units of 1e-8 s (a UFix64 as an integer) as a short local date and time. */
export function unitsTimeText(units: bigint): string {
  return timeText(formatUFix64(units));
}

/** A length of time in seconds as people say it: "7 days", "36 hours", "1 hour 30 minutes". */
export function durationText(seconds: bigint): string {
  const plural = (n: bigint, word: string) => `${n} ${word}${n === 1n ? "" : "s"}`;
  if (seconds >= 86_400n && seconds % 86_400n === 0n) return plural(seconds / 86_400n, "day");
  if (seconds >= 3_600n) {
    const minutes = (seconds % 3_600n) / 60n;
    return `${plural(seconds / 3_600n, "hour")}${minutes > 0n ? ` ${plural(minutes, "minute")}` : ""}`;
  }
  if (seconds >= 60n) return plural(seconds / 60n, "minute");
  return plural(seconds, "second");
}

/** A subscription id as people read it. */
export function idText(id: bigint): string {
  return `#${id.toString()}`;
}

/**
 * A failed transaction or request in words: Cadence's panic or pre-condition message without
 * the node's error-code wrapping, or the wallet's refusal said plainly.
 */
export function errorText(error: unknown): string {
  const raw = messageOf(error);
  // Cadence's own words first: a refusal may mention anything, and the transaction's name in
  // "<name> failed:" (admin_cancel_pricing_changes) must not read as a wallet's refusal.
  const panic = /panic: ([^\n]+)/.exec(raw) ?? /pre-condition failed: ([^\n]+)/.exec(raw) ?? /assertion failed: ([^\n]+)/.exec(raw);
  if (panic?.[1]) return sentence(panic[1]);
  if (/declined|halted|rejected|cancel/i.test(raw.replace(/^\w+ failed: /, ""))) return "You declined the request in your wallet; nothing was sent.";
  if (/failed to fetch|networkerror|ECONNREFUSED|network request failed/i.test(raw)) {
    return "The Flow access node could not be reached. Is the emulator running?";
  }
  const insufficient = /insufficient|Amount withdrawn must be less than or equal than the balance/i.test(raw);
  if (insufficient) return "Your account does not hold that much FLOW. Lower the amount or fund the account.";
  const storage = /storage (capacity|used)/i.test(raw);
  if (storage) return "Your account lacks the FLOW its storage needs. Add FLOW to the account, then try again.";
  const firstLine = raw.split("\n").find((l) => l.trim() !== "") ?? raw;
  return sentence(firstLine.replace(/^\w+ failed: /, "").replace(/\[Error Code: \d+\]\s*/g, ""));
}

function sentence(text: string): string {
  const trimmed = text.trim().replace(/^"|"$/g, "");
  const unprefixed = trimmed.replace(/^(SimpleUsageSubscriptions|UsageBasedSubscriptions|[a-z_]+): /, "");
  const capital = unprefixed.charAt(0).toUpperCase() + unprefixed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
