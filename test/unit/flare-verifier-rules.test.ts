import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestBodyFor } from "../../src/connector/attest";
import { reportRequestSpec, type Web2JsonRequestBody } from "../../src/fdc";
import { JqProcessor } from "../../src/flare-local/jq-process";
import { validateJqFilter } from "../../src/flare-local/jq-rules";
import { checkSourceHost, isPublicAddress, type Resolver } from "../../src/flare-local/url-policy";
import { FLARE_FETCH_POLICY, WEB2JSON_STATUS, checkRequestFields, processWeb2Json, type FetchPolicy } from "../../src/flare-local/web2json-fetch";
import { PUBLISHED_REQUEST_BODY } from "./fixtures/flare-web2json-vectors";

/*
 * Issue 14, point 2: the stand-in verifier is as strict as Flare's. Every rule below is
 * flare-foundation/verifier-indexer-api v1.6.0-rc.0 (commit d7a5978), under
 * src/verification/web-2-json/ unless said otherwise:
 *   URL:      validate-url.ts parseUrl / validateUrl / isPublicAddress, web2-json-config.ts maxUrlLength
 *   headers, query, body: validate-request.ts + validate-json.ts, web2-json-config.ts limits
 *   method:   validate-request.ts (PublicWeb2: GET, POST)
 *   jq:       validate-jq.ts (ALLOWED_FILTERS, operators, MAX_AST_NODES), maxJqFilterLength
 *   ABI:      validate-abi.ts, maxAbiSignatureLength
 *   fetch:    web2-json-verifications.ts executeRequest, validate-response.ts
 *   worker:   worker-process.ts, process-pool.service.ts (processingTimeoutMs 500)
 *   statuses: src/verification/response-status.ts
 */

const S = WEB2JSON_STATUS;
const PROJECT_BODY = requestBodyFor("https://reports.flareflow.example", 42n);
const LOCAL: FetchPolicy = { allowLoopbackHttp: true };
const publicResolver = (ip: string): Resolver => async () => [{ address: ip, family: ip.includes(":") ? 6 : 4 }];

function fieldsStatus(patch: Partial<Web2JsonRequestBody>, allowLoopbackHttp = false): string {
  try {
    checkRequestFields({ ...PROJECT_BODY, ...patch }, allowLoopbackHttp);
    return S.VALID;
  } catch (error) {
    return (error as { status: string }).status;
  }
}

describe("Flare Web2Json rules: the project's own request", () => {
  it("passes every strict check: https URL without query, {} headers/query/body, GET, the summary jq filter and flat tuple", async () => {
    expect(fieldsStatus({})).toBe(S.VALID);
    expect(reportRequestSpec().postProcessJq).toBe(PROJECT_BODY.postProcessJq);
    const checked = await checkSourceHost(new URL(PROJECT_BODY.url), false, publicResolver("93.184.215.14"));
    expect(checked.url).toBe("https://reports.flareflow.example/reports/42/summary");
  });

  it("Flare's own published example request passes too", () => {
    expect(fieldsStatus({ ...PUBLISHED_REQUEST_BODY })).toBe(S.VALID);
  });
});

describe("Flare Web2Json rules: source URL", () => {
  it("https only (http refused without the local switch)", () => {
    expect(fieldsStatus({ url: "http://reports.flareflow.example/x" })).toBe(S.INVALID_SOURCE_URL);
    expect(fieldsStatus({ url: "ftp://reports.flareflow.example/x" })).toBe(S.INVALID_SOURCE_URL);
  });

  it("javascript:, data: and garbage are sanitized to about:blank and refused", () => {
    for (const url of ["javascript:alert(1)", "data:application/json,{}", "not a url"]) expect(fieldsStatus({ url })).toBe(S.INVALID_SOURCE_URL);
  });

  it("at most 2,000 characters", () => {
    const base = "https://reports.flareflow.example/";
    expect(fieldsStatus({ url: base + "a".repeat(2000 - base.length) })).toBe(S.VALID);
    expect(fieldsStatus({ url: base + "a".repeat(2001 - base.length) })).toBe(S.INVALID_SOURCE_URL);
  });

  it("loopback, private, link-local and other non-public addresses are refused, in any IP-literal spelling", async () => {
    for (const url of [
      "https://127.0.0.1/x", "https://127.1/x", "https://0x7f.0.0.1/x", "https://2130706433/x", "https://0177.0.0.1/x",
      "https://[::1]/x", "https://[::ffff:127.0.0.1]/x", "https://[::ffff:7f00:1]/x", "https://10.1.2.3/x", "https://172.16.0.1/x",
      "https://192.168.1.1/x", "https://169.254.169.254/latest", "https://100.64.0.1/x", "https://0.0.0.0/x", "https://[fe80::1]/x",
      "https://[fd00::1]/x", "https://224.0.0.1/x", "https://localhost/x",
    ]) {
      const outcome = await processWeb2Json({ ...PROJECT_BODY, url }, FLARE_FETCH_POLICY);
      expect([url, outcome.status]).toEqual([url, S.INVALID_SOURCE_URL]);
    }
    expect(isPublicAddress("8.8.8.8")).toBe(true);
    expect(isPublicAddress("2606:4700::1111")).toBe(true);
    expect(isPublicAddress("64:ff9b::1")).toBe(false); // outside 2000::/3
  });

  it("a public name that resolves to a private address is refused (every address is checked)", async () => {
    const rebinding: Resolver = async () => [{ address: "93.184.215.14", family: 4 }, { address: "10.0.0.5", family: 4 }];
    const outcome = await processWeb2Json(PROJECT_BODY, { ...FLARE_FETCH_POLICY, resolve: rebinding });
    expect(outcome.status).toBe(S.INVALID_SOURCE_URL);
  });

  it("an unresolvable host is refused", async () => {
    const nx: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect((await processWeb2Json(PROJECT_BODY, { ...FLARE_FETCH_POLICY, resolve: nx })).status).toBe(S.INVALID_SOURCE_URL);
  });

  it("the fetch goes to protocol//hostname/path: the URL's port, query and fragment are dropped", async () => {
    const checked = await checkSourceHost(new URL("https://user:pw@api.example.org:8443/a/b?c=1#d"), false, publicResolver("93.184.215.14"));
    expect(checked.url).toBe("https://api.example.org/a/b");
  });
});

describe("Flare Web2Json rules: headers, query, method, body", () => {
  it('"" means none for headers, query and body', () => {
    expect(fieldsStatus({ headers: "", queryParams: "", body: "" })).toBe(S.VALID);
  });

  it("headers: JSON object, one level deep, at most 15 keys", () => {
    const keys = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`h${i}`, "v"])));
    expect(fieldsStatus({ headers: keys(15) })).toBe(S.VALID);
    expect(fieldsStatus({ headers: keys(16) })).toBe(S.INVALID_HEADERS);
    expect(fieldsStatus({ headers: '{"a":{"b":"c"}}' })).toBe(S.INVALID_HEADERS);
    expect(fieldsStatus({ headers: "not json" })).toBe(S.INVALID_HEADERS);
    expect(fieldsStatus({ headers: '"text"' })).toBe(S.INVALID_HEADERS);
  });

  it("query parameters: the same rules, their own status", () => {
    expect(fieldsStatus({ queryParams: JSON.stringify(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`q${i}`, i]))) })).toBe(S.INVALID_QUERY_PARAMS);
    expect(fieldsStatus({ queryParams: '{"a":[1]}' })).toBe(S.INVALID_QUERY_PARAMS);
    expect(fieldsStatus({ queryParams: "{" })).toBe(S.INVALID_QUERY_PARAMS);
  });

  it("method: GET or POST exactly", () => {
    expect(fieldsStatus({ httpMethod: "POST" })).toBe(S.VALID);
    for (const m of ["PUT", "DELETE", "get", "", "GET "]) expect(fieldsStatus({ httpMethod: m })).toBe(S.INVALID_HTTP_METHOD);
  });

  it("the body is checked even for GET: JSON, depth at most 6, at most 500 keys", () => {
    expect(fieldsStatus({ body: "{not json" })).toBe(S.INVALID_BODY);
    expect(fieldsStatus({ body: "5" })).toBe(S.INVALID_BODY);
    let deep: unknown = 1;
    for (let i = 0; i < 7; i++) deep = { d: deep };
    expect(fieldsStatus({ body: JSON.stringify(deep) })).toBe(S.INVALID_BODY);
    expect(fieldsStatus({ body: JSON.stringify(Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`k${i}`, i]))) })).toBe(S.INVALID_BODY);
    expect(fieldsStatus({ body: JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]))) })).toBe(S.VALID);
  });
});

describe("Flare Web2Json rules: jq filter", () => {
  const status = (filter: string) => fieldsStatus({ postProcessJq: filter });

  it("pure data transformations pass", () => {
    for (const f of [
      ".",
      "{a: .a, b: (.b | tonumber)}",
      "map(select(.n > 1)) | length",
      '.a // "none"',
      "if .a then 1 elif .b then 2 else 3 end",
      "try .a catch 0",
      '[.items[] | {id, name}] | sort_by(.id) | first',
      '"x\\(.a)y" | ascii_upcase',
      ".a[1:3] | reverse | join(\",\")",
      "-(.n) + 1",
    ]) expect([f, status(f)]).toEqual([f, S.VALID]);
  });

  it("assignment, recursion, loops, definitions, variables and non-allowlisted builtins are INVALID JQ FILTER", () => {
    for (const f of [
      ".a = 1", ".a |= 1", ".a += 1", ".a //= 1",
      "walk(.)", 'delpaths([["a"]])', "recurse", "..", "recurse(.[]?)",
      "reduce .[] as $x (0; . + $x)", "foreach .[] as $x (0; . + $x)", "def f: .; f", ".[] as $x | $x",
      "range(10)", "limit(1; .[])", "until(. > 10; . + 1)", "while(. < 10; . + 1)", "repeat(.)",
      "env", "input", "inputs", "debug", "getpath([\"a\"])", "paths", "tojson", "fromjson", "error",
      "@base64", "label $out | 1", "path(.a)", "setpath([\"a\"]; 1)", "del(.a)", "to_entries | with_entries(.)", "empty",
    ]) expect([f, status(f)]).toEqual([f, S.INVALID_JQ_FILTER]);
  });

  it("a parse error is INVALID JQ FILTER; the length cap is 5,000 characters", () => {
    expect(status("{a: ")).toBe(S.INVALID_JQ_FILTER);
    const long = `.a${" ".repeat(5000 - 2)}`;
    expect(status(long)).toBe(S.VALID);
    expect(status(`${long} `)).toBe(S.INVALID_JQ_FILTER);
    expect(() => validateJqFilter(Array.from({ length: 5001 }, () => ".").join(","), 1e9)).toThrow(/INVALID JQ FILTER/);
  });
});

describe("Flare Web2Json rules: ABI signature", () => {
  const status = (abiSignature: string) => fieldsStatus({ abiSignature });
  const tuple = (components: unknown[]) => JSON.stringify({ type: "tuple", name: "t", components });

  it("a primitive type string or a flat tuple JSON passes", () => {
    expect(status("uint256")).toBe(S.VALID);
    expect(status(" bytes32 ")).toBe(S.VALID);
    expect(status(tuple([{ name: "a", type: "uint64" }, { name: "b", type: "string" }]))).toBe(S.VALID);
  });

  it("arrays, nested tuples, empty tuples, tuple strings and over-long signatures are refused", () => {
    for (const sig of [
      "uint256[]",
      "tuple(uint256,string)",
      JSON.stringify([{ type: "uint256" }]),
      JSON.stringify({ type: "uint256[]" }),
      tuple([{ name: "a", type: "uint256[]" }]),
      tuple([{ name: "a", type: "tuple", components: [{ name: "x", type: "uint8" }] }]),
      tuple([]),
      "notatype",
      `"uint256"`,
      tuple([{ name: "a".repeat(5000), type: "uint8" }]),
    ]) expect([sig.slice(0, 60), status(sig)]).toEqual([sig.slice(0, 60), S.INVALID_ABI_SIGNATURE]);
  });
});

describe("Flare Web2Json rules: fetch, response and processing (local switch on, loopback source)", () => {
  let server: http.Server;
  let base = "";
  const routes: Record<string, (res: http.ServerResponse, req: http.IncomingMessage) => void> = {
    "/ok": (res) => res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ a: 1, n: "5", list: [1, 2, 3] })),
    "/text": (res) => res.writeHead(200, { "content-type": "text/plain" }).end('{"a":1}'),
    "/number": (res) => res.writeHead(200, { "content-type": "application/json" }).end("5"),
    "/redirect": (res) => res.writeHead(302, { location: "/ok" }).end(),
    "/500": (res) => res.writeHead(500, { "content-type": "application/json" }).end("{}"),
    "/big": (res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ s: "x".repeat(100 * 1024) })),
    "/echo": (res, req) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ method: req.method, url: req.url, h: req.headers["x-test"] ?? null })),
  };
  const processor = new JqProcessor();
  beforeAll(async () => {
    server = http.createServer((req, res) => (routes[new URL(req.url ?? "/", "http://x").pathname] ?? ((r) => r.writeHead(404).end()))(res, req));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await processor.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const run = (patch: Partial<Web2JsonRequestBody>, policy: FetchPolicy = LOCAL) =>
    processWeb2Json({ ...PROJECT_BODY, abiSignature: "uint256", postProcessJq: ".a", ...patch }, policy, processor);

  it("the local switch allows loopback http with its port, and nothing else", async () => {
    expect((await run({ url: `${base}/ok` })).status).toBe(S.VALID);
    expect((await run({ url: `${base}/ok` }, FLARE_FETCH_POLICY)).status).toBe(S.INVALID_SOURCE_URL);
    expect((await run({ url: "http://10.0.0.1/ok" })).status).toBe(S.INVALID_SOURCE_URL);
    expect((await run({ url: "http://reports.example.org/ok" }, { ...LOCAL, resolve: publicResolver("93.184.215.14") })).status).toBe(S.INVALID_SOURCE_URL);
  });

  it("query parameters come from queryParams only (the URL's query is dropped); headers are sent", async () => {
    const r = await run({ url: `${base}/echo?dropped=1`, queryParams: '{"kept":"2"}', headers: '{"x-test":"yes"}', postProcessJq: "[.url, .h] | join(\" \")", abiSignature: "string" });
    expect(r.status).toBe(S.VALID);
    if (r.status === S.VALID) expect(r.abiEncodedData).toContain(Buffer.from("/echo?kept=2 yes").toString("hex"));
  });

  it("no redirects, 2xx only, at most 100 KiB: FETCH ERROR", async () => {
    expect((await run({ url: `${base}/redirect` })).status).toBe(S.INVALID_FETCH_ERROR);
    expect((await run({ url: `${base}/500` })).status).toBe(S.INVALID_FETCH_ERROR);
    expect((await run({ url: `${base}/missing` })).status).toBe(S.INVALID_FETCH_ERROR);
    expect((await run({ url: `${base}/big` })).status).toBe(S.INVALID_FETCH_ERROR);
  });

  it("the answer must be application/json holding an object or a string", async () => {
    expect((await run({ url: `${base}/text` })).status).toBe(S.INVALID_RESPONSE_CONTENT_TYPE);
    expect((await run({ url: `${base}/number` })).status).toBe(S.INVALID_RESPONSE_JSON);
  });

  it("a jq runtime error is JQ PARSE ERROR; a value that does not fit the ABI type is ABI ENCODING ERROR", async () => {
    expect((await run({ url: `${base}/ok`, postProcessJq: ".a | split(\",\")" })).status).toBe(S.INVALID_JQ_PARSE_ERROR);
    expect((await run({ url: `${base}/ok`, postProcessJq: ".list" })).status).toBe(S.INVALID_ENCODE_ERROR);
    // Several jq outputs become the parameter list: one uint256 parameter, three values.
    expect((await run({ url: `${base}/ok`, postProcessJq: ".list[]" })).status).toBe(S.INVALID_ENCODE_ERROR);
    expect((await run({ url: `${base}/ok`, postProcessJq: ".n | tonumber" })).status).toBe(S.VALID);
  });

  it("processing is limited to 500 ms: an allowlisted but exponential filter is PROCESSING TIMEOUT, and the next request still works", async () => {
    // 2^40 outputs, streamed and dropped: constant memory, unbounded time.
    const bomb = `[${Array.from({ length: 40 }, () => "(.,.)").join("|")} | select(false)] | length`;
    expect(fieldsStatus({ postProcessJq: bomb })).toBe(S.VALID);
    expect((await run({ url: `${base}/ok`, postProcessJq: bomb })).status).toBe(S.PROCESSING_TIMEOUT);
    expect((await run({ url: `${base}/ok` })).status).toBe(S.VALID);
    // A memory bomb kills its worker (256 MB heap); Flare's pool answers it at the timeout too.
    const grow = `[.,.]|${Array.from({ length: 40 }, () => "[.[],.[]]").join("|")} | length`;
    expect((await run({ url: `${base}/ok`, postProcessJq: grow })).status).toBe(S.PROCESSING_TIMEOUT);
    expect((await run({ url: `${base}/ok` })).status).toBe(S.VALID);
  });
});
