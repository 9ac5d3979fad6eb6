/**
 * What the page's production build ships. The key service's request schemas
 * (src/keys/http/wire/requests.ts) are built when their module loads, so a bundler cannot drop
 * them once anything the page imports pulls that module in as a value: one import from
 * `wire/index` instead of `wire/answers` would put every request check back into the page's
 * JavaScript without any other test noticing (only the bench's size row would move). The page
 * reads answers; it never checks a request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../../src/local/flow-binary";
import { measure, type PageSize } from "../../web/scripts/size";

/** Messages only the request schemas hold (wire/requests.ts), one per kind of check. */
const REQUEST_CHECKS = [
  "must be a non-empty array of {addr, keyId, signature} (FCL's signUserMessage result)",
  "must lie between 1970-01-01 and 9999-12-31",
  "is after toWindow",
];
/** Messages of the answer schemas (wire/answers.ts) that the page reads on its first load. */
const ANSWER_CHECKS = ["must be escrow, cap or null", "must be a decimal uint64 string"];

let tmp: string;
let dist: string;
let size: PageSize;

function build(outDir: string): Promise<void> {
  const vite = path.join(repoRoot(), "node_modules/vite/bin/vite.js");
  // vitest sets NODE_ENV=test, which would build React's development bundle.
  const env = { ...process.env, NODE_ENV: "production" };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, "build", "web", "--outDir", outDir, "--emptyOutDir", "--logLevel", "error"], { cwd: repoRoot(), env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}:\n${output}`))));
  });
}

const read = (file: string) => fs.readFileSync(path.join(dist, file), "utf8");

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flareflow-page-"));
  dist = path.join(tmp, "dist");
  await build(dist);
  size = measure(dist);
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the page's production build", () => {
  it("loads the answer schemas it reads first (so the search below looks at real bundled text)", () => {
    const firstLoad = size.firstLoadFiles.map(read).join("\n");
    for (const message of ANSWER_CHECKS) expect(firstLoad, message).toContain(message);
  });

  it("ships none of the key service's request checks, in any chunk", () => {
    expect(size.files.length).toBeGreaterThan(1);
    for (const { file } of size.files) {
      const text = read(file);
      for (const message of REQUEST_CHECKS) expect(text.includes(message), `${file} holds "${message}"`).toBe(false);
    }
  });
});
