import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestPlan } from "./targets";

/** Copies still on disk, so an interrupted run removes them. */
const live = new Set<string>();

/**
 * A fresh copy of what the plan needs, under the system's temp directory, with `file` replaced
 * by `source` (the mutant, or the original for the baseline). The working tree is only read.
 */
export function createSandbox(root: string, plan: TestPlan, source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flareflow-mutant-"));
  live.add(dir);
  for (const entry of plan.copy) {
    const from = path.join(root, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, entry), { recursive: true });
  }
  for (const entry of plan.link) fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
  const target = path.join(dir, plan.file);
  // A new file, never a write through a link into the working tree.
  fs.rmSync(target, { force: true });
  fs.writeFileSync(target, source);
  plan.prepare?.(root, dir);
  return dir;
}

export function removeSandbox(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

export function removeAllSandboxes(): void {
  for (const dir of [...live]) removeSandbox(dir);
}
