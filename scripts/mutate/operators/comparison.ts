import type { Site } from "../types";
import { matchesOf } from "./scan";

/**
 * Comparison flips: the boundary moved (`<` ↔ `<=`, `>` ↔ `>=`) and equality negated
 * (`==` ↔ `!=`). Only operators with whitespace on both sides are binary comparisons: that
 * leaves out Cadence's type arguments (`borrow<&T>()`), moves (`<-`) and Solidity's `=>`.
 */
const FLIPS: Record<string, string> = { "<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==" };

export function comparisonSites(masked: string): Site[] {
  return matchesOf(masked, /(?<=\s)(<=|>=|==|!=|<|>)(?=\s)/g).map((m) => {
    const op = m[1] as string;
    const replacement = FLIPS[op] as string;
    return { start: m.index, end: m.index + op.length, replacement, operator: "comparison", description: `\`${op}\` → \`${replacement}\`` };
  });
}
