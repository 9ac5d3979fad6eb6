/** The languages `npm run mutate` covers with the project's own operator catalogue. */
export type ContractLanguage = "cadence" | "solidity";

/** One place an operator changes: replace source[start, end) with `replacement`. */
export interface Site {
  start: number;
  end: number;
  replacement: string;
  operator: OperatorName;
  /** Human-readable change, e.g. "`<` → `<=`". */
  description: string;
}

export type OperatorName =
  | "comparison"
  | "guard-removal"
  | "emit-removal"
  | "constant"
  | "condition-negation"
  | "logical-operator"
  | "boolean-literal"
  | "access-widening";

/** A site applied to one file: everything needed to run it, report it and recognise it later. */
export interface Mutant {
  /** Repository-relative path of the mutated file. */
  file: string;
  language: ContractLanguage;
  /** 1-based line and column of the change in the original file. */
  line: number;
  column: number;
  /** The last line of the original text the change replaces. */
  endLine: number;
  operator: OperatorName;
  description: string;
  /** The original line (trimmed) and the same line after the change (trimmed; first line if multi-line). */
  originalLine: string;
  mutatedLine: string;
  /** The whole mutated file. */
  mutatedSource: string;
  /** Stable across unrelated edits: file, operator, the changed text and its line (see identity.ts). */
  identity: string;
}

/** What running a mutant found. */
export type Status = "killed" | "timeout" | "survived" | "equivalent" | "compile-error";

export interface MutantResult {
  file: string;
  language: ContractLanguage;
  line: number;
  operator: OperatorName;
  description: string;
  originalLine: string;
  mutatedLine: string;
  /** As run: survived, killed, timeout or compile-error (an equivalent is a survivor listed in equivalent.json). */
  status: Exclude<Status, "equivalent">;
  /** The mutant's identity (see identity.ts), to find its last result after the tests changed. */
  identity: string;
  /** Set when reported from a run against other test sources (`--survivors`). */
  earlier?: boolean;
  /** The test command (or compile step) that decided it, for killed and compile-error. */
  decidedBy?: string;
  durationMs: number;
  /** ISO time of the run. */
  at: string;
}
