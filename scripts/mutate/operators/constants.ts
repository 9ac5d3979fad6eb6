import type { Site } from "../types";
import { lineStartsWith, matchesOf } from "./scan";

/**
 * Numeric constants ±1: an integer (decimal or hex) gets n + 1 and, when positive, n - 1; a
 * fixed-point literal (Cadence UFix64) moves by one unit of its last written digit (`0.5` →
 * `0.6`, `0.4`). Left alone: version pragmas and imports; array sizes in Cadence types
 * (`[UInt8; 32]`: every such change is a type error); all but the first element of a list of
 * numbers (a byte-array literal gets one mutant, not twenty alike).
 */
export function constantSites(masked: string): Site[] {
  const sites: Site[] = [];
  const pattern = /(?<![\w.])(0x[0-9a-fA-F_]+|\d[\d_]*\.\d[\d_]*|\d[\d_]*)(?![\w.])/g;
  for (const m of matchesOf(masked, pattern)) {
    if (lineStartsWith(masked, m.index, ["pragma", "import"])) continue;
    if (isLaterListElement(masked, m.index, m.index + m[0].length)) continue;
    if (/;\s*$/.test(masked.slice(Math.max(0, m.index - 8), m.index))) continue;
    const text = m[1] as string;
    for (const delta of [1n, -1n]) {
      const replacement = shifted(text, delta);
      if (replacement === undefined) continue;
      sites.push({
        start: m.index,
        end: m.index + text.length,
        replacement,
        operator: "constant",
        description: `\`${text}\` → \`${replacement}\``,
      });
    }
  }
  return sites;
}

/** The literal moved by `delta` units of its last digit; undefined if it would go negative. */
export function shifted(text: string, delta: bigint): string | undefined {
  const clean = text.replace(/_/g, "");
  if (/^0x/i.test(clean)) {
    const value = BigInt(clean) + delta;
    return value < 0n ? undefined : `0x${value.toString(16)}`;
  }
  const dot = clean.indexOf(".");
  if (dot === -1) {
    const value = BigInt(clean) + delta;
    return value < 0n ? undefined : value.toString();
  }
  const decimals = clean.length - dot - 1;
  const units = BigInt(clean.replace(".", "")) + delta;
  if (units < 0n) return undefined;
  const digits = units.toString().padStart(decimals + 1, "0");
  return `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
}

/** Whether the number at [start, end) is the second or later element of a list of plain numbers. */
function isLaterListElement(masked: string, start: number, end: number): boolean {
  const before = masked.slice(0, start).trimEnd();
  const after = masked.slice(end).trimStart();
  if (!before.endsWith(",") || !(after.startsWith(",") || after.startsWith("]"))) return false;
  const previous = before.slice(0, -1).trimEnd();
  return /(?:^|[\s,[])(?:0x[0-9a-fA-F_]+|\d[\d_]*)$/.test(previous);
}
