import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Crash-safe file writes. A record is written to a temporary file, fsynced, renamed over the old
 * one and the directory fsynced: after a crash a reader sees the old bytes or the new ones, never
 * a torn file. The connector's window records, the key service's journal compaction and the deployment
 * records need no more than this, so no database (and no native SQLite module to build in CI)
 * is involved.
 */

export function fsyncDir(dir: string): void {
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
