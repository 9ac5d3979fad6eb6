import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalStackError } from "./errors";

/**
 * This process's peak resident memory in MB. Read from VmHWM in /proc/self/status: getrusage's
 * ru_maxrss (process.resourceUsage().maxRSS) carries over the resident size of the parent a
 * spawned child was forked from (Linux keeps the pre-exec high-water mark), so a child spawned
 * by a 400 MB parent reports 400 MB however little it uses. Elsewhere, ru_maxrss.
 */
export function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * `script` (a path under `root`) compiled by tsc to plain JavaScript in a new temporary folder, for
 * a bench to run in child processes: a child run through ts-node would carry its compiler (about
 * 100 MB) into the peak memory measured. Returns the folder (the caller removes it) and the script's
 * JavaScript in it. Strict like the project's tsconfig: types inferred from zod schemas need it.
 */
export function compileForChild(root: string, script: string, prefix: string): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const tsc = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "--outDir", dir, "--rootDir", root, "--module", "commonjs", "--target", "es2022", "--strict", "--esModuleInterop", "--skipLibCheck", "--resolveJsonModule", "--types", "node", path.join(root, script)],
    { encoding: "utf8", cwd: root },
  );
  if (tsc.status !== 0) throw new LocalStackError(`tsc failed: ${tsc.stdout}${tsc.stderr}`);
  return { dir, file: path.join(dir, script.replace(/\.ts$/, ".js")) };
}
