import type { ContractLanguage } from "./types";

/**
 * The source with the contents of comments and string literals replaced by spaces (newlines
 * kept, quotes kept), at the same offsets: operators search this text, so nothing inside a
 * comment, a NatSpec line or an error message is ever mutated.
 */
export function maskSource(source: string, language: ContractLanguage): string {
  const out = source.split("");
  const blank = (i: number) => {
    if (out[i] !== "\n") out[i] = " ";
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") blank(i++);
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      while (i < stop) blank(i++);
    } else if (c === '"' || (c === "'" && language === "solidity")) {
      i = skipString(source, i, c, blank);
    } else {
      i++;
    }
  }
  return out.join("");
}

/** Blanks a string literal's contents (escapes included); returns the index after its closing quote. */
function skipString(source: string, open: number, quote: string, blank: (i: number) => void): number {
  let i = open + 1;
  while (i < source.length && source[i] !== quote && source[i] !== "\n") {
    if (source[i] === "\\") blank(i++);
    blank(i++);
  }
  return i + 1;
}

/** 1-based line and column of an offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (source[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
