import type { ContractLanguage, Site } from "../types";
import { findAtDepthZero, matchesOf, matchingClose } from "./scan";

/**
 * Boolean conditions negated: `if`/`while` conditions become `!(condition)`. Cadence's optional
 * binding (`if let`, `if var`) has no boolean to negate and is left alone.
 */
export function conditionSites(source: string, masked: string, language: ContractLanguage): Site[] {
  const sites: Site[] = [];
  for (const m of matchesOf(masked, /\b(if|while)\b/g)) {
    const keyword = m[1] as string;
    const range = language === "solidity" ? solidityCondition(masked, m.index + keyword.length) : cadenceCondition(masked, m.index + keyword.length);
    if (!range) continue;
    const condition = source.slice(range.start, range.end);
    sites.push({
      start: range.start,
      end: range.end,
      replacement: `!(${condition})`,
      operator: "condition-negation",
      description: `\`${keyword}\` condition negated`,
    });
  }
  return sites;
}

function solidityCondition(masked: string, after: number): { start: number; end: number } | undefined {
  const open = masked.indexOf("(", after);
  if (open === -1 || masked.slice(after, open).trim() !== "") return undefined;
  const close = matchingClose(masked, open);
  return close === -1 ? undefined : { start: open + 1, end: close };
}

function cadenceCondition(masked: string, after: number): { start: number; end: number } | undefined {
  const rest = masked.slice(after);
  if (!/^\s/.test(rest) || /^\s+(let|var)\b/.test(rest)) return undefined;
  const start = after + (rest.length - rest.trimStart().length);
  const brace = findAtDepthZero(masked, start, "{");
  if (brace === -1 || masked.slice(start, brace).includes("\n")) return undefined;
  let end = brace;
  while (end > start && /\s/.test(masked[end - 1] as string)) end--;
  return end > start ? { start, end } : undefined;
}
