/**
 * The page's JavaScript size from a production build (web/dist): first load (the entry chunk and
 * every chunk it imports statically, as the browser fetches them before the shell runs) and all
 * JavaScript, gzip-compressed. DESIGN.md's goals: first load ≤ 120 KB, all ≤ 400 KB.
 *
 *   npx vite build web && npx ts-node --transpile-only --project tsconfig.json web/scripts/size.ts [--json]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface PageSize {
  firstLoadGzipKB: number;
  totalGzipKB: number;
  firstLoadFiles: string[];
  files: { file: string; gzipKB: number; firstLoad: boolean }[];
}

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export function measure(distDir: string): PageSize {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, ".vite/manifest.json"), "utf8")) as Record<string, ManifestChunk>;
  const firstLoad = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || firstLoad.has(chunk.file)) return;
    firstLoad.add(chunk.file);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  const assets = path.join(distDir, "assets");
  const files = fs
    .readdirSync(assets)
    .filter((f) => f.endsWith(".js"))
    .map((f) => {
      const gz = zlib.gzipSync(fs.readFileSync(path.join(assets, f)), { level: 9 }).length;
      return { file: `assets/${f}`, gzipBytes: gz, firstLoad: firstLoad.has(`assets/${f}`) };
    });
  const sum = (list: typeof files) => list.reduce((s, f) => s + f.gzipBytes, 0);
  return {
    firstLoadGzipKB: kb(sum(files.filter((f) => f.firstLoad))),
    totalGzipKB: kb(sum(files)),
    firstLoadFiles: [...firstLoad],
    files: files.map((f) => ({ file: f.file, gzipKB: kb(f.gzipBytes), firstLoad: f.firstLoad })),
  };
}

if (require.main === module) {
  const dist = path.resolve(__dirname, "../dist");
  const size = measure(dist);
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(size, null, 2));
  } else {
    for (const f of size.files) console.log(`${f.firstLoad ? "first " : "lazy  "} ${f.gzipKB.toFixed(1).padStart(7)} KB  ${f.file}`);
    console.log(`first-load JS: ${size.firstLoadGzipKB} KB gzip (goal ≤ 120)`);
    console.log(`all JS:        ${size.totalGzipKB} KB gzip (goal ≤ 400)`);
  }
}
