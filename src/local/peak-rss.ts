import * as fs from "node:fs";

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
