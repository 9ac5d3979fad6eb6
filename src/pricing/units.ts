/**
 * FLOW amounts as integers in units of 1e-8 FLOW: exactly Cadence's UFix64 (8 decimals, unsigned,
 * 64-bit). No floating point anywhere in pricing.
 */

/** 1 FLOW in units. */
export const UNITS_PER_FLOW = 100_000_000n;
/** 1 s in units: times on Flow are UFix64 seconds, on the same 1e-8 scale. */
export const UNITS_PER_SECOND = UNITS_PER_FLOW;
/** The largest UInt64 (and Solidity uint64). */
export const UINT64_MAX = (1n << 64n) - 1n;
/** The largest UFix64 (184467440737.09551615) in units: a UFix64 is a UInt64 of units. */
export const UFIX64_MAX_UNITS = UINT64_MAX;

const UFIX64_PATTERN = /^(\d+)(?:\.(\d{1,8}))?$/;

/** Parses a UFix64 decimal string ("4.125", "4.12500000") into units; throws on anything else. */
export function parseUFix64(text: string): bigint {
  const match = UFIX64_PATTERN.exec(text.trim());
  if (!match) {
    throw new RangeError(`not a UFix64: ${JSON.stringify(text)}`);
  }
  const units = BigInt(match[1]) * UNITS_PER_FLOW + BigInt((match[2] ?? "").padEnd(8, "0"));
  if (units > UFIX64_MAX_UNITS) {
    throw new RangeError(`UFix64 out of range: ${text}`);
  }
  return units;
}

/** Formats units as Cadence prints a UFix64 in JSON-Cadence: always 8 decimals ("4.12500000"). */
export function formatUFix64(units: bigint): string {
  if (units < 0n || units > UFIX64_MAX_UNITS) {
    throw new RangeError(`UFix64 out of range: ${units} units`);
  }
  const whole = units / UNITS_PER_FLOW;
  const fraction = (units % UNITS_PER_FLOW).toString().padStart(8, "0");
  return `${whole}.${fraction}`;
}

/** A value in a contract message's words: as Cadence prints a UFix64, or (outside UFix64, which no
 * contract argument can be) its units. */
export function ufix64Text(units: bigint): string {
  return units >= 0n && units <= UFIX64_MAX_UNITS ? formatUFix64(units) : `${units} units`;
}

/** Formats units for people: trailing zeros dropped, at least one decimal ("4.125", "2.0"). */
export function formatFlow(units: bigint): string {
  const [whole, fraction] = formatUFix64(units).split(".");
  const trimmed = fraction.replace(/0+$/, "");
  return `${whole}.${trimmed === "" ? "0" : trimmed}`;
}

/** Parses a UInt64 decimal string (JSON-Cadence carries UInt64 as strings). */
export function parseUInt64(text: string | number | bigint): bigint {
  const value = typeof text === "bigint" ? text : BigInt(text);
  if (value < 0n || value > UINT64_MAX) {
    throw new RangeError(`UInt64 out of range: ${text}`);
  }
  return value;
}
