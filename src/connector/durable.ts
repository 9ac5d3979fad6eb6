import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Crash-safe file writes. A record is written to a temporary file, fsynced, renamed over the old
 * one and the directory fsynced: after a crash a reader sees the old bytes or the new ones, never
 * a torn file. This is all the durability the connector needs (one small record per window, one
 * writer), so no database (and no native SQLite module to build in CI) is involved.
 */

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Atomically replaces `file` with `data`. */
export function writeFileDurable(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(dir);
}

/**
 * Writes `file` once: if it exists it must already hold exactly `data` (published reports are
 * immutable: every Flare data provider must fetch the same bytes).
 */
export function writeFileOnce(file: string, data: string): "written" | "unchanged" {
  if (fs.existsSync(file)) {
    const current = fs.readFileSync(file, "utf8");
    if (current !== data) throw new Error(`${file} exists with other content: a published report never changes`);
    return "unchanged";
  }
  writeFileDurable(file, data);
  return "written";
}

/** Reads and parses a JSON file; undefined if it does not exist. */
export function readJsonFile(file: string): unknown {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Removes stray temporary files a crash left behind. */
export function removeTempFiles(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(".tmp")) fs.rmSync(path.join(dir, name), { force: true });
  }
}
