import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileDurable } from "../storage/durable-file";
import { messageOf } from "../errors";
import { ConnectorStateError } from "./errors";

export { writeFileDurable };

/**
 * Writes `file` once: if it exists it must already hold exactly `data` (published reports are
 * immutable: every Flare data provider must fetch the same bytes).
 */
export function writeFileOnce(file: string, data: string): "written" | "unchanged" {
  if (fs.existsSync(file)) {
    const current = fs.readFileSync(file, "utf8");
    if (current !== data) throw new ConnectorStateError(`${file} exists with other content: a published report never changes`);
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
    throw new ConnectorStateError(`${file}: not valid JSON (${messageOf(error)})`, { cause: error });
  }
}

/** Removes stray temporary files a crash left behind. */
export function removeTempFiles(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(".tmp")) fs.rmSync(path.join(dir, name), { force: true });
  }
}
