/**
 * `npm run codegen`: typed TypeScript bindings for every Cadence transaction
 * and script, read with Cadence's own parser (`flow inspect`): under src/flow/generated, and
 * those of test-only Cadence (`testing/` folders) under test/flow-generated.
 * `npm run codegen -- --check` writes nothing and fails when a generated file
 * is missing, stale or extra (npm test runs it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { inspectCadence } from "../src/codegen/inspect";
import { GENERATED_DIR, TEST_GENERATED_DIR, generateBindings } from "../src/codegen/generate";
import { repoRoot } from "../src/local/flow-binary";

/** The files under `dir` (relative to `root`) whose names end in `ending`, as paths relative to `root`, sorted. */
function filesUnder(root: string, dir: string, ending: string): string[] {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(ending))
    .map((f) => path.join(dir, f))
    .sort();
}

export function main(argv: string[]): number {
  const check = argv.includes("--check");
  const rootArg = argv.indexOf("--root");
  const root = rootArg >= 0 ? path.resolve(argv[rootArg + 1] ?? ".") : repoRoot();
  const files = [
    ...filesUnder(root, "cadence/contracts", ".cdc"),
    ...filesUnder(root, "cadence/transactions", ".cdc"),
    ...filesUnder(root, "cadence/scripts", ".cdc"),
  ];
  const infos = inspectCadence(files.map((f) => path.join(root, f))).map((info) => ({
    ...info,
    path: path.relative(root, info.path),
  }));
  const sources = infos.map((info) => ({ info, cadence: fs.readFileSync(path.join(root, info.path), "utf8") }));
  const generated = generateBindings(sources);

  const stale: string[] = [];
  for (const [file, content] of generated) {
    const abs = path.join(root, file);
    const current = fs.existsSync(abs) ? fs.readFileSync(abs, "utf8") : null;
    if (current === content) continue;
    stale.push(current === null ? `missing ${file}` : `stale ${file}`);
    if (!check) {
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
  }
  for (const file of [...filesUnder(root, GENERATED_DIR, ".ts"), ...filesUnder(root, TEST_GENERATED_DIR, ".ts")]) {
    if (generated.has(file)) continue;
    stale.push(`extra ${file}`);
    if (!check) fs.rmSync(path.join(root, file));
  }

  if (check) {
    if (stale.length > 0) {
      console.error(`codegen: bindings are out of date with cadence/ (run npm run codegen):\n  ${stale.join("\n  ")}`);
      return 1;
    }
    console.log(`codegen: ${generated.size} generated files are up to date`);
    return 0;
  }
  console.log(`codegen: ${stale.length} of ${generated.size} files written (${files.length} Cadence files)`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
