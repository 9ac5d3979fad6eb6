import type { Command } from "./targets";

/** Hits per line of the mutated file, as one test command executed it in the unmutated run. */
export type LineHits = ReadonlyMap<number, number>;

/** What the unmutated run measured per test command (by label): its lines and its time. */
export interface TestProfile {
  durationMs: number;
  /** Undefined when the command wrote no readable profile: it then runs for every mutant. */
  lines?: LineHits;
}

/**
 * The line hits of `file` in a coverage profile written by `flow test --coverprofile x.json`
 * (`{"coverage": {"<file>": {"line_hits": {"<line>": hits}}}}`). Anything else is no profile
 * (undefined), never a guess: a test without a profile runs for every mutant.
 */
export function readCadenceProfile(text: string, file: string): LineHits | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const coverage = field(data, "coverage");
  const hits = field(field(coverage, file), "line_hits");
  if (!isRecord(hits)) return undefined;
  const lines = new Map<number, number>();
  for (const [line, count] of Object.entries(hits)) {
    const n = Number(line);
    if (!Number.isSafeInteger(n) || n < 1 || typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return undefined;
    lines.set(n, count);
  }
  return lines;
}

/**
 * The tests worth running on a mutant of lines [from, to]: those that executed one of those lines
 * in the unmutated run, quickest first (the first failure ends the mutant). A test that cannot
 * have reached the mutant cannot tell it apart, so leaving it out changes no verdict. Lines the
 * profile does not list (declarations, a continuation of a statement begun above) say nothing, so
 * a test whose profile lists none of the range runs too, as does a test without a profile. An
 * empty answer: no test executes the mutated code, so the mutant survives unexamined.
 */
export function testsFor(tests: readonly Command[], profiles: ReadonlyMap<string, TestProfile> | undefined, from: number, to: number): Command[] {
  if (!profiles) return [...tests];
  const reaches = (test: Command) => {
    const lines = profiles.get(test.label)?.lines;
    if (!lines) return true;
    let listed = false;
    for (let line = from; line <= to; line++) {
      const hits = lines.get(line);
      if (hits === undefined) continue;
      if (hits > 0) return true;
      listed = true;
    }
    return !listed;
  };
  const duration = (test: Command) => profiles.get(test.label)?.durationMs ?? Number.MAX_SAFE_INTEGER;
  return tests.filter(reaches).sort((a, b) => duration(a) - duration(b));
}

function field(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
