import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FlareFlowError, formatError } from "../../src/errors";
import { TransactionError } from "../../src/flow/runtime/client";
import { CodecError } from "../../src/flow/runtime/codec";
import { ConnectorError } from "../../src/connector/errors";
import { LiteLLMError } from "../../src/litellm/errors";
import { KeyServiceConfigError } from "../../src/keys/config";
import { InvalidLinesError } from "../../src/report/lines";
import { VerifyError } from "../../src/verify/bill";
import { HttpError } from "../../src/http/error";
import { keyError } from "../../src/keys/http/errors";
import { proxyError } from "../../src/litellm-server/errors";

const ROOT = path.resolve(__dirname, "../..");

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function readmeAnchors(): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) anchors.add(slug(m[1]));
  }
  return anchors;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules" || name === "typechain" || name === "dist") return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

describe("FlareFlowError", () => {
  it("keeps the subclass's name, its fields and instanceof", () => {
    const tx = new TransactionError("issue_key", "ab", "pre-condition failed");
    expect(tx).toBeInstanceOf(TransactionError);
    expect(tx).toBeInstanceOf(FlareFlowError);
    expect(tx).toBeInstanceOf(Error);
    expect(tx.name).toBe("TransactionError");
    expect(tx.message).toBe("issue_key failed: pre-condition failed");
    expect(tx.transactionId).toBe("ab");

    const lines = new InvalidLinesError("line 3 is out of order", 3);
    expect(lines.name).toBe("InvalidLinesError");
    expect(lines.index).toBe(3);
    expect(lines).toBeInstanceOf(FlareFlowError);

    const litellm = new LiteLLMError("HTTP 500", { kind: "http", status: 500 });
    expect(litellm.name).toBe("LiteLLMError");
    expect(litellm).toBeInstanceOf(FlareFlowError);

    // One HttpError for every server, each building the bodies of the service it speaks for.
    const keyHttp = keyError(404, "not_found", "no such subscription");
    expect(keyHttp).toBeInstanceOf(HttpError);
    expect(keyHttp).toBeInstanceOf(FlareFlowError);
    expect([keyHttp.name, keyHttp.status, keyHttp.body, keyHttp.message]).toEqual(["HttpError", 404, { error: { code: "not_found", message: "no such subscription" } }, "no such subscription"]);
    const proxy = proxyError(413, "bad_request_error", "Request body too large");
    expect(proxy).toBeInstanceOf(HttpError);
    expect([proxy.status, proxy.body, proxy.message]).toEqual([413, { error: { message: "Request body too large", type: "bad_request_error", param: null, code: "413" } }, "HTTP 413"]);

    expect(new CodecError("x").name).toBe("CodecError");
    expect(new VerifyError("x").name).toBe("VerifyError");
  });

  it("takes its name from the subclass when the subclass does not declare one", () => {
    class Unnamed extends FlareFlowError {}
    expect(new Unnamed("x").name).toBe("Unnamed");
    expect(new FlareFlowError("x").name).toBe("FlareFlowError");
  });

  it("carries the standard cause", () => {
    const root = new TypeError("fetch failed");
    const e = new ConnectorError("unreachable", "publish: fetch failed", { cause: root });
    expect(e.cause).toBe(root);
    expect(new FlareFlowError("no cause")).not.toHaveProperty("cause");
  });
});

describe("formatError", () => {
  it("prints the message, each cause once, then where to read", () => {
    const root = new TypeError("connect ECONNREFUSED 127.0.0.1:8888");
    const middle = new FlareFlowError("the access node did not answer", { cause: root, docs: "README.md#verifiable-bills" });
    const top = new KeyServiceConfigError("could not start", { cause: middle });
    expect(formatError(top)).toBe(
      [
        "could not start",
        "caused by: FlareFlowError: the access node did not answer",
        "caused by: TypeError: connect ECONNREFUSED 127.0.0.1:8888",
        "see README.md#services",
        "see README.md#verifiable-bills",
      ].join("\n"),
    );
  });

  it("does not repeat a cause whose message the wrapper already inlined, but keeps walking", () => {
    const root = new Error("socket hang up");
    const inner = new FlareFlowError("bad answer: socket hang up", { cause: root });
    const outer = new FlareFlowError("publish failed: bad answer: socket hang up", { cause: inner });
    expect(formatError(outer)).toBe("publish failed: bad answer: socket hang up");
  });

  it("shows non-Error causes as String() shows them", () => {
    expect(formatError(new FlareFlowError("exit", { cause: 3 }))).toBe("exit\ncaused by: 3");
    expect(formatError(new FlareFlowError("refused", { cause: "quota" }))).toBe("refused\ncaused by: quota");
    expect(formatError(new FlareFlowError("odd", { cause: { message: "from a worker" } }))).toBe("odd\ncaused by: from a worker");
    expect(formatError(new FlareFlowError("odd", { cause: { token: "sk-secret" } }))).toBe("odd\ncaused by: [object Object]");
    expect(formatError(new FlareFlowError("odd", { cause: Object.create(null) }))).toBe("odd\ncaused by: [object Object]");
  });

  it("prints a LiteLLM error's cause redacted, never the error that carried the key", () => {
    const raw = new TypeError("fetch failed for Bearer sk-live1234567890abcdef");
    const e = new LiteLLMError("network error", { kind: "network", cause: raw });
    expect(e.cause).not.toBe(raw);
    expect(formatError(e)).not.toContain("sk-live1234567890abcdef");
    expect(formatError(e)).toMatch(/^network error\ncaused by: TypeError: fetch failed for Bearer .*REDACTED/);
  });

  it("formats what is not an Error at all", () => {
    expect(formatError("plain text")).toBe("plain text");
    expect(formatError(undefined)).toBe("undefined");
    expect(formatError(new Error("plain"))).toBe("plain");
  });

  it("stops when a cause comes round again", () => {
    const a = new FlareFlowError("a");
    const b = new FlareFlowError("b", { cause: a });
    Object.defineProperty(a, "cause", { value: b });
    expect(formatError(a)).toBe("a\ncaused by: FlareFlowError: b");
    const self = new Error("self");
    Object.defineProperty(self, "cause", { value: self });
    expect(formatError(self)).toBe("self");
  });
});

describe("docs pointers", () => {
  const anchors = readmeAnchors();
  const used = new Map<string, string>();
  for (const file of ["src", "web/src", "scripts"].flatMap((dir) => sources(path.join(ROOT, dir)))) {
    for (const m of readFileSync(file, "utf8").matchAll(/"README\.md#([^"]*)"/g)) used.set(m[1], path.relative(ROOT, file));
  }

  it("are used", () => {
    expect(used.size).toBeGreaterThan(3);
  });

  it.each([...used])("README.md#%s (in %s) names a heading of README.md", (anchor) => {
    expect(anchors).toContain(anchor);
  });

  it("every project error points somewhere", () => {
    expect(new TransactionError("t", undefined, "e").docs).toMatch(/^README\.md#/);
    expect(new VerifyError("x").docs).toMatch(/^README\.md#/);
    expect(new KeyServiceConfigError("x").docs).toMatch(/^README\.md#/);
    expect(keyError(400, "bad_request", "x").docs).toMatch(/^README\.md#/);
    expect(proxyError(400, "bad_request_error", "x").docs).toMatch(/^README\.md#/);
  });
});
