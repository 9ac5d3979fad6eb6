import { describe, expect, it } from "vitest";
import { maskSource } from "../../scripts/mutate/mask";
import {
  accessSites,
  booleanLiteralSites,
  comparisonSites,
  conditionSites,
  constantSites,
  emitSites,
  guardSites,
  logicalSites,
} from "../../scripts/mutate/operators";
import { mutantsOf } from "../../scripts/mutate/mutants";
import type { ContractLanguage, Site } from "../../scripts/mutate/types";

/** Every mutated source an operator yields for `source`. */
function apply(source: string, language: ContractLanguage, sites: (masked: string) => Site[]): string[] {
  return sites(maskSource(source, language)).map((s) => source.slice(0, s.start) + s.replacement + source.slice(s.end));
}

describe("mutation operators", () => {
  it("masks comments and strings so nothing in them is mutated", () => {
    const source = `// a < b\nx = "c == d"; /* 1 > 0 */ y = 'e != f';\n`;
    const masked = maskSource(source, "solidity");
    expect(masked).toHaveLength(source.length);
    expect(masked.split("\n")).toHaveLength(source.split("\n").length);
    expect(comparisonSites(masked)).toEqual([]);
    expect(constantSites(masked)).toEqual([]);
    // Cadence has no single-quoted strings: a quote there is not a string start.
    expect(maskSource(`let s = "a \\" < b"\nlet t = 1 < 2`, "cadence")).toContain("1 < 2");
  });

  it("comparison: moves boundaries and negates equality, leaving type arguments and moves alone", () => {
    expect(apply("if (a < b) x;", "solidity", comparisonSites)).toEqual(["if (a <= b) x;"]);
    expect(apply("a >= b", "solidity", comparisonSites)).toEqual(["a > b"]);
    expect(apply("a == b && c != d", "solidity", comparisonSites)).toEqual(["a != b && c != d", "a == b && c == d"]);
    const cadence = "let r <- create R()\nlet c = acct.capabilities.borrow<&{P}>(/public/p)\nmapping(uint64 w => V v)";
    expect(apply(cadence, "cadence", comparisonSites)).toEqual([]);
  });

  it("guard removal (Solidity): require, assert and if-revert statements deleted", () => {
    expect(apply("require(a > 0, \"no\");\nx = 1;", "solidity", (m) => guardSites(m, "solidity"))).toEqual(["\nx = 1;"]);
    expect(apply("if (a == 0) revert Zero(a);\nx;", "solidity", (m) => guardSites(m, "solidity"))).toEqual(["\nx;"]);
    expect(apply("if (\n  a ||\n  b\n) {\n revert Bad();\n}\nx;", "solidity", (m) => guardSites(m, "solidity"))).toEqual(["\nx;"]);
    // An if whose body is not a revert is not a guard.
    expect(apply("if (a) return;", "solidity", (m) => guardSites(m, "solidity"))).toEqual([]);
  });

  it("guard removal (Cadence): each pre/post condition made true (message kept), assert and if-panic deleted", () => {
    const source = [
      "fun f(x: Int) {",
      "    pre {",
      '        x > 0: "positive"',
      "        x < 10 || x == 20:",
      '            "small: ".concat(x.toString())',
      "    }",
      '    post { result == 1: "one" }',
      '    assert(x != 3, message: "not three")',
      '    if x == 4 { panic("four") }',
      "}",
    ].join("\n");
    const out = apply(source, "cadence", (m) => guardSites(m, "cadence"));
    expect(out).toHaveLength(5);
    expect(out[0]).toContain('        true: "positive"');
    expect(out[1]).toContain('        true:\n            "small: ".concat(x.toString())');
    expect(out[2]).toContain('post { true: "one" }');
    expect(out[3]).not.toContain("assert(");
    expect(out[4]).not.toContain("panic(");
    // A ternary's colon is not the condition's end.
    const ternary = apply('pre {\n  (a ? b : c) == d: "m"\n  e ? f : g: "n"\n}', "cadence", (m) => guardSites(m, "cadence"));
    expect(ternary).toEqual(['pre {\n  true: "m"\n  e ? f : g: "n"\n}', 'pre {\n  (a ? b : c) == d: "m"\n  true: "n"\n}']);
  });

  it("emit removal in both languages", () => {
    expect(apply("x = 1;\nemit Set(x, f(y));\n", "solidity", (m) => emitSites(m, "solidity"))).toEqual(["x = 1;\n\n"]);
    expect(apply("self.x = 1\nemit Set(x: f(y))\n", "cadence", (m) => emitSites(m, "cadence"))).toEqual(["self.x = 1\n\n"]);
  });

  it("constants ±1: integers, hex, fixed point by its last digit, never negative; pragmas, type sizes and later byte-array elements left alone", () => {
    expect(apply("x = 10;", "solidity", constantSites)).toEqual(["x = 11;", "x = 9;"]);
    expect(apply("x = 0;", "solidity", constantSites)).toEqual(["x = 1;"]);
    expect(apply("x = 0x30;", "solidity", constantSites)).toEqual(["x = 0x31;", "x = 0x2f;"]);
    expect(apply("x = 86_400;", "solidity", constantSites)).toEqual(["x = 86401;", "x = 86399;"]);
    expect(apply("let f = 0.5", "cadence", constantSites)).toEqual(["let f = 0.6", "let f = 0.4"]);
    expect(apply("let f = 300.0", "cadence", constantSites)).toEqual(["let f = 300.1", "let f = 299.9"]);
    expect(apply("let f = 0.00000001", "cadence", constantSites)).toEqual(["let f = 0.00000002", "let f = 0.00000000"]);
    expect(apply("pragma solidity 0.8.25;\nimport {A} from \"./A2.sol\";", "solidity", constantSites)).toEqual([]);
    expect(apply("let d: [UInt8; 32] = x\nlet u: UInt64 = y", "cadence", constantSites)).toEqual([]);
    expect(apply("f(bytes: [0, 0, 0])", "cadence", constantSites)).toEqual(["f(bytes: [1, 0, 0])"]);
  });

  it("condition negation: if and while conditions, the original text kept inside; optional binding left alone", () => {
    expect(apply("if (a == \"x\") y;\nwhile (i < n) i++;", "solidity", (m) => conditionSites("if (a == \"x\") y;\nwhile (i < n) i++;", m, "solidity"))).toEqual([
      'if (!(a == "x")) y;\nwhile (i < n) i++;',
      'if (a == "x") y;\nwhile (!(i < n)) i++;',
    ]);
    const cadence = 'if s == "a" {\n}\nif let k = m[i] {\n}\nwhile i < 3 {\n}';
    expect(apply(cadence, "cadence", (m) => conditionSites(cadence, m, "cadence"))).toEqual([
      'if !(s == "a") {\n}\nif let k = m[i] {\n}\nwhile i < 3 {\n}',
      'if s == "a" {\n}\nif let k = m[i] {\n}\nwhile !(i < 3) {\n}',
    ]);
  });

  it("logical operators swapped and boolean literals flipped", () => {
    expect(apply("a && b || c", "solidity", logicalSites)).toEqual(["a || b || c", "a && b && c"]);
    expect(apply("x = true; y = false;", "solidity", booleanLiteralSites)).toEqual(["x = false; y = false;", "x = true; y = true;"]);
  });

  it("access widening: Cadence access(self|contract|account|entitlements) and Solidity private/internal become public", () => {
    const cadence = "access(self) let a: Int\naccess(contract) fun b() {}\naccess(account) var c: Int\naccess(Configure | Admin) fun d() {}\naccess(all) let e: Int";
    const widened = apply(cadence, "cadence", (m) => accessSites(m, "cadence"));
    expect(widened).toHaveLength(4);
    expect(widened.every((w) => (w.match(/access\(all\)/g) ?? []).length === 2)).toBe(true);
    expect(apply("uint256 private x;\nfunction f() internal {}", "solidity", (m) => accessSites(m, "solidity"))).toEqual([
      "uint256 public x;\nfunction f() internal {}",
      "uint256 private x;\nfunction f() public {}",
    ]);
  });

  it("a mutant keeps its identity when unrelated lines change, and identical lines get distinct identities", () => {
    const source = "contract C {\n  function f(uint a) { if (a < 1) revert E(); }\n  function g(uint a) { if (a < 1) revert E(); }\n}\n";
    const before = mutantsOf("C.sol", source, "solidity");
    const after = mutantsOf("C.sol", `// a new comment\n\n${source}`, "solidity");
    expect(after.map((m) => m.identity)).toEqual(before.map((m) => m.identity));
    expect(after.map((m) => m.line)).toEqual(before.map((m) => m.line + 2));
    expect(new Set(before.map((m) => m.identity)).size).toBe(before.length);
    const first = before.find((m) => m.operator === "comparison");
    expect(first).toMatchObject({ line: 2, description: "`<` → `<=`", originalLine: "function f(uint a) { if (a < 1) revert E(); }", mutatedLine: "function f(uint a) { if (a <= 1) revert E(); }" });
  });
});
