import * as fs from "node:fs";
import * as path from "node:path";
import { sha256 } from "./identity";
import type { Mutant, MutantResult } from "./types";
import { messageOf } from "../../src/errors";
import { MutateError } from "../errors";

interface ResultsFile {
  version: 1;
  results: Record<string, MutantResult>;
}

const STATUSES = new Set(["killed", "timeout", "survived", "compile-error"]);

/**
 * The results of every mutant run so far, keyed by resultKey: a re-run skips a mutant whose
 * key is there. Written after each mutant (temp file, fsync, rename), so a crash loses at most
 * the mutants in flight; one file per language, and each write merges what another run of the
 * same language wrote meanwhile.
 */
export class ResultStore {
  private readonly results: Record<string, MutantResult>;

  constructor(private readonly file: string) {
    this.results = fs.existsSync(file) ? parse(fs.readFileSync(file, "utf8"), file) : {};
  }

  get(key: string): MutantResult | undefined {
    return this.results[key];
  }

  /** The newest result of a mutant under any test sources. */
  latestByIdentity(identity: string): MutantResult | undefined {
    let latest: MutantResult | undefined;
    for (const result of Object.values(this.results)) {
      if (result.identity === identity && (!latest || result.at > latest.at)) latest = result;
    }
    return latest;
  }

  put(key: string, result: MutantResult): void {
    this.results[key] = result;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // Another run may have written since this one read the file: keep its results too.
    if (fs.existsSync(this.file)) {
      for (const [k, v] of Object.entries(parse(fs.readFileSync(this.file, "utf8"), this.file))) {
        if (!(k in this.results)) this.results[k] = v;
      }
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, `${JSON.stringify({ version: 1, results: this.results } satisfies ResultsFile, null, 1)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

function parse(text: string, file: string): Record<string, MutantResult> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new MutateError(`${file}: not JSON (${messageOf(error)}); delete it to start over`, { cause: error });
  }
  if (!isObject(data) || data.version !== 1 || !isObject(data.results)) throw new MutateError(`${file}: not a mutation results file (version 1); delete it to start over`);
  const results: Record<string, MutantResult> = {};
  for (const [key, value] of Object.entries(data.results)) {
    // A malformed entry is dropped (that mutant simply runs again), never trusted.
    if (isObject(value) && typeof value.status === "string" && STATUSES.has(value.status) && typeof value.file === "string") {
      results[key] = value as unknown as MutantResult;
    }
  }
  return results;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** sha256 of the named files' contents (missing files count as absent), in the given order. */
export function inputsHash(root: string, files: readonly string[]): string {
  const parts = files.map((f) => {
    const full = path.join(root, f);
    return `${f}\u0000${fs.existsSync(full) ? sha256(fs.readFileSync(full, "utf8")) : "absent"}`;
  });
  return sha256(parts.join("\n"));
}

/**
 * A stored result's key: the mutant's identity (file, operator, the lines it changes, before and
 * after) and the hash of the test sources and other contracts it ran against. An edit elsewhere
 * in the mutated file keeps the results of mutants on untouched lines; a changed test re-runs all.
 */
export function resultKey(mutant: Mutant, testInputsHash: string): string {
  return sha256(`${mutant.identity}\u0000${testInputsHash}`);
}
