import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { LocalStackError } from "./errors";

const REPO_ROOT = path.resolve(__dirname, "../..");

let cached: string | undefined;

/**
 * Path of the project's pinned Flow toolchain binary, building it on first use
 * (scripts/install-flow.sh caches it outside the clone). Never a `flow` on PATH.
 */
export function flowBinary(): string {
  if (cached) return cached;
  const out = execFileSync("bash", [path.join(REPO_ROOT, "scripts/install-flow.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = out.trim().split("\n");
  const bin = lines[lines.length - 1];
  if (!bin || !path.isAbsolute(bin)) {
    throw new LocalStackError(`install-flow.sh printed no binary path (got ${JSON.stringify(out)})`);
  }
  cached = bin;
  return bin;
}

/** The repository root, where flow.json lives. */
export function repoRoot(): string {
  return REPO_ROOT;
}
