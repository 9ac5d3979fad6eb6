import * as fs from "node:fs";
import { normalize } from "./identity";
import type { MutantResult } from "./types";
import { messageOf } from "../../src/errors";
import { MutateError } from "../errors";

/**
 * A mutant judged equivalent (no test can tell it from the original because the behaviour is
 * the same), with the reason. Matched by file, operator and the original and mutated line, so
 * an entry survives edits elsewhere in the file.
 */
export interface EquivalentEntry {
  file: string;
  operator: string;
  line: string;
  mutated: string;
  reason: string;
}

const FIELDS = ["file", "operator", "line", "mutated", "reason"] as const;

export function loadEquivalents(file: string): EquivalentEntry[] {
  if (!fs.existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new MutateError(`${file}: not JSON (${messageOf(error)})`, { cause: error });
  }
  if (!Array.isArray(data)) throw new MutateError(`${file}: expected an array of {file, operator, line, mutated, reason}`);
  return data.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null) throw new MutateError(`${file}[${i}]: not an object`);
    const record = entry as Record<string, unknown>;
    for (const field of FIELDS) {
      if (typeof record[field] !== "string") throw new MutateError(`${file}[${i}]: "${field}" must be a string`);
    }
    if ((record.reason as string).trim().length < 10) throw new MutateError(`${file}[${i}]: give the reason the mutant is equivalent`);
    return { file: record.file as string, operator: record.operator as string, line: record.line as string, mutated: record.mutated as string, reason: record.reason as string };
  });
}

/** The entry that lists this mutant as equivalent, if any. */
export function equivalentFor(result: Pick<MutantResult, "file" | "operator" | "originalLine" | "mutatedLine">, entries: readonly EquivalentEntry[]): EquivalentEntry | undefined {
  return entries.find(
    (e) => e.file === result.file && e.operator === result.operator && normalize(e.line) === normalize(result.originalLine) && normalize(e.mutated) === normalize(result.mutatedLine),
  );
}
