import type { ContractLanguage, Site } from "../types";
import { findAtDepthZero, matchesOf, matchingClose } from "./scan";

/**
 * Guards removed. Solidity: `require(...)`, `assert(...)` and `if (...) revert ...;` (or
 * `if (...) { revert ...; }`) statements deleted. Cadence: each `pre`/`post` condition made
 * `true` (its message kept, so the block stays valid), `assert(...)` calls and
 * `if ... { panic(...) }` blocks deleted.
 */
export function guardSites(masked: string, language: ContractLanguage): Site[] {
  return language === "solidity" ? solidityGuards(masked) : cadenceGuards(masked);
}

function removal(start: number, end: number, what: string): Site {
  return { start, end, replacement: "", operator: "guard-removal", description: `${what} removed` };
}

function solidityGuards(masked: string): Site[] {
  const sites: Site[] = [];
  for (const m of matchesOf(masked, /\b(require|assert)\s*\(/g)) {
    const close = matchingClose(masked, m.index + m[0].length - 1);
    const semicolon = close === -1 ? -1 : masked.indexOf(";", close);
    if (semicolon === -1 || masked.slice(close + 1, semicolon).trim() !== "") continue;
    sites.push(removal(m.index, semicolon + 1, `\`${m[1]}(...)\``));
  }
  for (const m of matchesOf(masked, /\bif\s*\(/g)) {
    const close = matchingClose(masked, m.index + m[0].length - 1);
    if (close === -1) continue;
    const end = revertStatementEnd(masked, close + 1);
    if (end !== -1) sites.push(removal(m.index, end, "`if (...) revert`"));
  }
  return sites;
}

/** End of `revert ...;` or `{ revert ...; }` starting at `from` (after whitespace), or -1. */
function revertStatementEnd(masked: string, from: number): number {
  const rest = masked.slice(from);
  const lead = rest.length - rest.trimStart().length;
  const at = from + lead;
  if (/^revert\b/.test(masked.slice(at))) {
    const semicolon = masked.indexOf(";", at);
    return semicolon === -1 ? -1 : semicolon + 1;
  }
  if (masked[at] === "{") {
    const close = matchingClose(masked, at);
    if (close === -1) return -1;
    return /^\s*revert\b[^;]*;\s*$/.test(masked.slice(at + 1, close)) ? close + 1 : -1;
  }
  return -1;
}

function cadenceGuards(masked: string): Site[] {
  const sites: Site[] = [];
  for (const m of matchesOf(masked, /\b(pre|post)\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    const close = matchingClose(masked, open);
    if (close === -1) continue;
    for (const condition of conditionsIn(masked, open + 1, close)) {
      sites.push({ ...condition, replacement: "true", operator: "guard-removal", description: `\`${m[1]}\` condition made \`true\`` });
    }
  }
  for (const m of matchesOf(masked, /\bassert\s*\(/g)) {
    const close = matchingClose(masked, m.index + m[0].length - 1);
    if (close !== -1) sites.push(removal(m.index, close + 1, "`assert(...)`"));
  }
  for (const m of matchesOf(masked, /\bif\s/g)) {
    const open = findAtDepthZero(masked, m.index + m[0].length, "{");
    if (open === -1 || masked.slice(m.index, open).includes("\n")) continue;
    const close = matchingClose(masked, open);
    if (close !== -1 && /^\s*panic\s*\([^]*\)\s*$/.test(masked.slice(open + 1, close))) {
      sites.push(removal(m.index, close + 1, "`if ... { panic(...) }`"));
    }
  }
  return sites;
}

/**
 * The condition expressions of a pre/post block body [from, to): each runs from its first
 * character to the `:` at depth 0 that is not a ternary's; the message after it ends at the
 * first newline at depth 0 once it has begun.
 */
export function conditionsIn(masked: string, from: number, to: number): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  let i = from;
  while (i < to) {
    while (i < to && /\s/.test(masked[i] as string)) i++;
    if (i >= to) break;
    const start = i;
    let depth = 0;
    let ternaries = 0;
    let colon = -1;
    for (; i < to; i++) {
      const c = masked[i] as string;
      if ("([{".includes(c)) depth++;
      else if (")]}".includes(c)) depth--;
      else if (depth === 0 && c === "?" && /\s/.test(masked[i - 1] ?? "") && /\s/.test(masked[i + 1] ?? "")) ternaries++;
      else if (depth === 0 && c === ":") {
        if (ternaries > 0) ternaries--;
        else {
          colon = i;
          break;
        }
      }
    }
    if (colon === -1) break;
    found.push({ start, end: trimEndIndex(masked, start, colon) });
    // Skip the message: to the first newline at depth 0 after it has started.
    i = colon + 1;
    while (i < to && /\s/.test(masked[i] as string)) i++;
    depth = 0;
    for (; i < to; i++) {
      const c = masked[i] as string;
      if ("([{".includes(c)) depth++;
      else if (")]}".includes(c)) depth--;
      else if (c === "\n" && depth === 0 && !continues(masked, i, to)) break;
    }
  }
  return found;
}

/** Whether the expression goes on past the newline at `i` (next line starts with `.` or an operator). */
function continues(masked: string, i: number, to: number): boolean {
  const next = masked.slice(i + 1, to).trimStart();
  return /^(\.|\+|&&|\|\|)/.test(next);
}

function trimEndIndex(masked: string, start: number, end: number): number {
  let e = end;
  while (e > start && /\s/.test(masked[e - 1] as string)) e--;
  return e;
}
