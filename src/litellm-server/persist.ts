/**
 * Atomic JSON persistence: write a temp file in the same directory, fsync,
 * rename over the target. A crash leaves either the old or the new file,
 * never a torn one, so the key service and connector can restart against it.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { PersistedState } from "./types";
import { LiteLLMServerError } from "./errors";

let tmpCounter = 0;

export async function writeStateAtomically(file: string, state: PersistedState): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${++tmpCounter}.tmp`);
  const handle = await fs.open(tmp, "w", 0o600);
  try {
    await handle.writeFile(JSON.stringify(state));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

export async function readState(file: string): Promise<PersistedState | null> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  const parsed = JSON.parse(text) as unknown;
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    (parsed as { version?: unknown }).version !== 1 ||
    !Array.isArray((parsed as { keys?: unknown }).keys) ||
    !Array.isArray((parsed as { spendLogs?: unknown }).spendLogs)
  ) {
    throw new LiteLLMServerError(`state file ${file} is not a version-1 LiteLLM server state`);
  }
  return parsed as PersistedState;
}
