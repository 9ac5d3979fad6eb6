import { equivalentFor, type EquivalentEntry } from "./equivalents";
import type { MutantResult, Status } from "./types";

/** A result as reported: a survivor listed in equivalent.json is `equivalent`, with its reason. */
export interface Reported extends Omit<MutantResult, "status"> {
  status: Status;
  reason?: string;
  /** Listed as equivalent but killed: the list entry is stale. */
  staleEquivalent?: boolean;
}

export function classify(result: MutantResult, entries: readonly EquivalentEntry[]): Reported {
  const entry = equivalentFor(result, entries);
  if (!entry) return result;
  if (result.status === "survived") return { ...result, status: "equivalent", reason: entry.reason };
  return { ...result, staleEquivalent: result.status === "killed" || result.status === "timeout" };
}

export interface Figures {
  language: string;
  total: number;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  equivalent: number;
  compileError: number;
  /** (killed + timeout) / (killed + timeout + survived + no coverage); equivalents and compile errors left out. */
  killRate: number;
  /** Mutants of today's source with no stored result (a partial or older run); not in the figures. */
  notRun?: number;
  /** Figures read back from an earlier run, not run now. */
  earlier?: boolean;
}

export function figuresOf(language: string, statuses: readonly (Status | "no-coverage")[]): Figures {
  const count = (s: Status | "no-coverage") => statuses.filter((x) => x === s).length;
  const killed = count("killed");
  const timeout = count("timeout");
  const survived = count("survived");
  const noCoverage = count("no-coverage");
  const judged = killed + timeout + survived + noCoverage;
  return {
    language,
    total: statuses.length,
    killed,
    timeout,
    survived,
    noCoverage,
    equivalent: count("equivalent"),
    compileError: count("compile-error"),
    killRate: judged === 0 ? 1 : (killed + timeout) / judged,
  };
}

export const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;

export function figuresLine(f: Figures): string {
  return (
    `${f.language}: kill rate ${percent(f.killRate)} — ${f.killed} killed, ${f.timeout} timed out, ${f.survived} survived` +
    (f.noCoverage ? `, ${f.noCoverage} without coverage` : "") +
    `, ${f.equivalent} equivalent, ${f.compileError} compile errors (${f.total} mutants` +
    (f.notRun ? `; ${f.notRun} more not run yet` : "") +
    `)${f.earlier ? " [from an earlier run]" : ""}`
  );
}
