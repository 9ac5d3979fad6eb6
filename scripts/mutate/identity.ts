import { createHash } from "node:crypto";

/** Whitespace runs collapsed, ends trimmed: a re-indented line keeps its identity. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A mutant's identity: file, operator, the original text of the lines it touches and the
 * same lines mutated, and which occurrence of that (file, operator, lines) it is. It does not
 * move when unrelated lines are added or removed, so equivalent.json entries and stored
 * results survive edits elsewhere in the file.
 */
export function mutantIdentity(parts: { file: string; operator: string; original: string; mutated: string }, occurrence: number): string {
  return [parts.file, parts.operator, normalize(parts.original), normalize(parts.mutated), String(occurrence)].join("\u0000");
}
