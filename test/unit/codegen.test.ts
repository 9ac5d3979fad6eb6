import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../scripts/codegen";
import { repoRoot } from "../../src/local/flow-binary";

// The freshness check npm test runs: on a copy of the repository's Cadence and
// generated bindings, a changed .cdc file makes `codegen --check` fail.
describe("codegen --check", () => {
  let root: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ff-codegen-"));
    fs.cpSync(path.join(repoRoot(), "cadence"), path.join(root, "cadence"), { recursive: true });
    fs.cpSync(path.join(repoRoot(), "src/flow/generated"), path.join(root, "src/flow/generated"), { recursive: true });
    fs.cpSync(path.join(repoRoot(), "test/flow-generated"), path.join(root, "test/flow-generated"), { recursive: true });
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  });

  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it("passes when the bindings match the Cadence files", () => {
    expect(main(["--check", "--root", root])).toBe(0);
  });

  it("fails when a transaction gains a parameter", () => {
    const file = path.join(root, "cadence/transactions/deploy/add_contract.cdc");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("transaction(name: String, code: String)", "transaction(name: String, code: String, extra: UInt8)"));
    expect(main(["--check", "--root", root])).toBe(1);
    expect(vi.mocked(console.error).mock.calls.flat().join("\n")).toContain("stale src/flow/generated/transactions/deploy/add_contract.ts");
  });

  it("fails when a generated file is removed", () => {
    fs.rmSync(path.join(root, "src/flow/generated/scripts/index.ts"));
    expect(main(["--check", "--root", root])).toBe(1);
  });

  it("writes what --check found stale, after which --check passes", () => {
    expect(main(["--root", root])).toBe(0);
    expect(main(["--check", "--root", root])).toBe(0);
  });

  it("binds test-only Cadence under test/flow-generated and leaves src/ without it", () => {
    fs.writeFileSync(path.join(root, "cadence/scripts/testing/probe.cdc"), "access(all) fun main(): UInt8 { return 1 }\n");
    expect(main(["--root", root])).toBe(0);
    const binding = fs.readFileSync(path.join(root, "test/flow-generated/scripts/testing/probe.ts"), "utf8");
    expect(binding).toContain(`from "../../../../src/flow/runtime"`);
    expect(fs.readFileSync(path.join(root, "test/flow-generated/scripts/index.ts"), "utf8")).toContain("testingProbe");
    const production = fs.readdirSync(path.join(root, "src/flow/generated"), { recursive: true, encoding: "utf8" });
    expect(production.filter((f) => f.includes("testing"))).toEqual([]);
    expect(fs.readFileSync(path.join(root, "src/flow/generated/scripts/index.ts"), "utf8")).not.toContain("testing");
  });

  it("fails when a test-only binding is left under src/", () => {
    const stray = path.join(root, "src/flow/generated/scripts/testing/probe.ts");
    fs.mkdirSync(path.dirname(stray), { recursive: true });
    fs.copyFileSync(path.join(root, "test/flow-generated/scripts/testing/probe.ts"), stray);
    expect(main(["--check", "--root", root])).toBe(1);
    expect(vi.mocked(console.error).mock.calls.flat().join("\n")).toContain("extra src/flow/generated/scripts/testing/probe.ts");
  });
});
