import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FlareFlowError, formatError } from "../../src/errors";
import { ApiError } from "../../src/api/errors";
import { ConfigError } from "../../src/config/errors";
import { flowNetwork } from "../../src/config/networks";
import { DeployError } from "../../src/deploy/errors";
import { FdcHarnessError } from "../../src/fdc/harness";
import { LocalStackError } from "../../src/local/errors";
import { until } from "../../src/local/wait";
import { LiteLLMServerError } from "../../src/litellm-server/errors";
import { PageError } from "../../web/src/errors";
import { readConfig } from "../../web/src/config";
import { BenchError, MutateError } from "../../scripts/errors";
import { parseArgs } from "../../scripts/mutate/args";

/**
 * Issue 19: every failure a person can meet is a FlareFlowError, so formatError can say where in
 * the README to read. A `throw new Error(` is allowed only with its reason on the line or the line
 * above, as `// plain Error: <why>`.
 */

const ROOT = path.resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules" || name === "typechain" || name === "dist") return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

const REASON = /\/\/ plain Error: \S.{8,}/;

/** `line: text` of each plain `throw new Error(` without a stated reason. */
function plainThrows(text: string): string[] {
  const lines = text.split("\n");
  return lines.flatMap((line, i) => (/\bthrow new Error\(/.test(line) && !REASON.test(line) && !REASON.test(lines[i - 1] ?? "") ? [`${i + 1}: ${line.trim()}`] : []));
}

describe("plainThrows", () => {
  it("finds a plain throw, and passes one whose reason is given on its line or the line above", () => {
    const text = [
      'if (a) throw new Error("bad a");',
      'if (b) throw new Error("bad b"); // plain Error: runs before the error module can load',
      "// plain Error: a worker thread's message is all that crosses",
      'throw new Error("bad c");',
      'if (d) throw new FlareFlowError("bad d");',
      'if (e) throw new Error("bad e"); // plain Error:',
      'if (f) throw new TypeError("bad f");',
    ].join("\n");
    expect(plainThrows(text)).toEqual(['1: if (a) throw new Error("bad a");', '6: if (e) throw new Error("bad e"); // plain Error:']);
  });
});

describe("throw sites", () => {
  const files = ["src", "web/src", "scripts"].flatMap((dir) => sources(path.join(ROOT, dir))).map((f) => path.relative(ROOT, f));

  it("cover the three trees", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain("scripts/mutate/args.ts");
    expect(files).toContain("web/src/config.ts");
  });

  it("throw the project's errors, or say why not", () => {
    const offenders = files.flatMap((f) => plainThrows(readFileSync(path.join(ROOT, f), "utf8")).map((l) => `${f}:${l}`));
    expect(offenders).toEqual([]);
  });
});

describe("the area errors", () => {
  it("keep their names through a minifier, and point at the README", () => {
    const errors = [
      new ConfigError("x"),
      new DeployError("x"),
      new LocalStackError("x"),
      new ApiError("x"),
      new LiteLLMServerError("x"),
      new FdcHarnessError("x"),
      new PageError("x"),
      new BenchError("x"),
      new MutateError("x"),
    ];
    expect(errors.map((e) => e.name)).toEqual(["ConfigError", "DeployError", "LocalStackError", "ApiError", "LiteLLMServerError", "FdcHarnessError", "PageError", "BenchError", "MutateError"]);
    for (const e of errors) {
      expect(e).toBeInstanceOf(FlareFlowError);
      expect(e.docs).toMatch(/^README\.md#/);
    }
  });

  it("let one throw site point at a closer section, and keep the cause", () => {
    const cause = new SyntaxError("Unexpected token");
    const e = new ConfigError("flow.json: not a JSON object", { cause, docs: "README.md#the-flow-toolchain" });
    expect([e.docs, e.cause]).toEqual(["README.md#the-flow-toolchain", cause]);
    expect(new ConfigError("x").docs).toBe("README.md#deploying");
  });

  it("are what a person meets: the same words, then where to read", async () => {
    expect(() => flowNetwork("nowhere")).toThrow(ConfigError);
    expect(formatError(catchOf(() => flowNetwork("nowhere")))).toBe('unknown Flow network "nowhere" (expected emulator, testnet, mainnet)\nsee README.md#deploying');
    expect(formatError(catchOf(() => readConfig({ VITE_FLOW_NETWORK: "moon" })))).toBe('VITE_FLOW_NETWORK must be emulator, testnet or mainnet (got "moon")\nsee README.md#the-page');
    expect(formatError(catchOf(() => parseArgs(["--jobs", "99"])))).toBe("--jobs must be a whole number from 1 to 16\nsee README.md#mutation-testing");
    const timeout = await until("the moon", () => undefined, { timeoutMs: 1, everyMs: 1 }).catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(LocalStackError);
    expect(formatError(timeout)).toBe("timed out waiting for the moon (0.001 s)\nsee README.md#npm-run-dev");
  });
});

function catchOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new FlareFlowError("did not throw");
}
