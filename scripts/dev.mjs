// `npm run dev` on a fresh clone: install what is missing (npm packages, the Flow toolchain),
// then start the stack (scripts/dev.ts).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules/.package-lock.json");
if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
  console.log("[dev] installing npm packages (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}
run("bash", [join(root, "scripts/install-flow.sh")]);
run("npx", ["hardhat", "compile", "--quiet"]);

const child = spawn(process.execPath, [join(root, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(root, "scripts/dev.ts")], {
  cwd: root,
  stdio: "inherit",
});
// Ctrl-C reaches the child through the terminal's process group; wait for its clean stop.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 1));
