import type { Site } from "../types";
import { matchesOf } from "./scan";

/** `&&` ↔ `||` (a condition's parts joined the other way). */
export function logicalSites(masked: string): Site[] {
  return matchesOf(masked, /&&|\|\|/g).map((m) => {
    const op = m[0];
    const replacement = op === "&&" ? "||" : "&&";
    return { start: m.index, end: m.index + 2, replacement, operator: "logical-operator", description: `\`${op}\` → \`${replacement}\`` };
  });
}

/** `true` ↔ `false`. */
export function booleanLiteralSites(masked: string): Site[] {
  return matchesOf(masked, /\b(true|false)\b/g).map((m) => {
    const word = m[1] as string;
    const replacement = word === "true" ? "false" : "true";
    return { start: m.index, end: m.index + word.length, replacement, operator: "boolean-literal", description: `\`${word}\` → \`${replacement}\`` };
  });
}
