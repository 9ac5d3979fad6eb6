/** Scanning helpers over masked source (comments and strings blanked). */

import { MutateError } from "../../errors";

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const CLOSE = new Set([")", "]", "}"]);

/** Index of the bracket closing the one at `open`, or -1. */
export function matchingClose(masked: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < masked.length; i++) {
    const c = masked[i] as string;
    const closer = OPEN[c];
    if (closer) stack.push(closer);
    else if (CLOSE.has(c)) {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** Index of the first `char` at bracket depth 0 from `from` (brackets opened after `from`), or -1. */
export function findAtDepthZero(masked: string, from: number, char: string): number {
  let depth = 0;
  for (let i = from; i < masked.length; i++) {
    const c = masked[i] as string;
    if (depth === 0 && c === char) return i;
    if (c in OPEN) depth++;
    else if (CLOSE.has(c)) {
      if (depth === 0) return -1;
      depth--;
    }
  }
  return -1;
}

/** Every match of a global regex over the masked text. */
export function matchesOf(masked: string, pattern: RegExp): RegExpExecArray[] {
  if (!pattern.global) throw new MutateError(`matchesOf: ${pattern} must be global`);
  const found: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let m = pattern.exec(masked); m; m = pattern.exec(masked)) found.push(m);
  return found;
}

/** Start of the line holding `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** End (exclusive, before the newline) of the line holding `offset`. */
export function lineEndOf(text: string, offset: number): number {
  const end = text.indexOf("\n", offset);
  return end === -1 ? text.length : end;
}

/** Whether the line holding `offset` starts (after indentation) with one of the words. */
export function lineStartsWith(text: string, offset: number, words: readonly string[]): boolean {
  const line = text.slice(lineStartOf(text, offset), lineEndOf(text, offset)).trimStart();
  return words.some((w) => line.startsWith(w));
}
