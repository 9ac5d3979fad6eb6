import { AbiCoder, ParamType } from "ethers";
import { evaluate, parse } from "@jq-tools/jq";
import type { Web2JsonRequestBody } from "../fdc";

/**
 * What a Flare Web2Json verifier does with a request body, as flare-foundation's
 * verifier-indexer-api does it: fetch the URL (no redirects, 5 s, size cap), require an
 * `application/json` answer, parse it, apply the jq filter with a JavaScript jq engine, and
 * ABI-encode the result with ethers under the request's ABI signature (one tuple parameter).
 * The status strings are the verifier's.
 *
 * One deliberate difference: Flare fetches only HTTPS on public addresses; the local stand-in
 * also accepts http:// on loopback (`allowHttp`), which the local stack needs.
 */

export const WEB2JSON_STATUS = {
  VALID: "VALID",
  INVALID_SOURCE_URL: "INVALID: INVALID SOURCE URL",
  INVALID_HTTP_METHOD: "INVALID: INVALID OR NOT ALLOWED HTTP METHOD",
  INVALID_HEADERS: "INVALID: INVALID HEADERS",
  INVALID_QUERY_PARAMS: "INVALID: INVALID QUERY PARAMETERS",
  INVALID_BODY: "INVALID: INVALID BODY",
  INVALID_JQ_FILTER: "INVALID: INVALID JQ FILTER",
  INVALID_ABI_SIGNATURE: "INVALID: INVALID ABI SIGNATURE",
  INVALID_RESPONSE_CONTENT_TYPE: "INVALID: INVALID RESPONSE CONTENT TYPE",
  INVALID_RESPONSE_JSON: "INVALID: INVALID JSON RESPONSE",
  INVALID_JQ_PARSE_ERROR: "INVALID: JQ PARSE ERROR",
  INVALID_FETCH_ERROR: "INVALID: FETCH ERROR",
  INVALID_ENCODE_ERROR: "INVALID: ABI ENCODING ERROR",
} as const;

export type Web2JsonStatus = (typeof WEB2JSON_STATUS)[keyof typeof WEB2JSON_STATUS];

export type FetchPolicy = {
  allowHttp: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
};

export const FLARE_FETCH_POLICY: FetchPolicy = { allowHttp: false, timeoutMs: 5_000, maxResponseBytes: 100 * 1024 };

class Refused extends Error {
  constructor(readonly status: Web2JsonStatus, message: string) {
    super(message);
  }
}

function parseFlatObject(text: string, status: Web2JsonStatus): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refused(status, "not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Refused(status, "not a JSON object");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw new Refused(status, `${k} is not a scalar`);
    out[k] = String(v);
  }
  return out;
}

function checkUrl(raw: string, policy: FetchPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Refused(WEB2JSON_STATUS.INVALID_SOURCE_URL, `not a URL: ${raw}`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && policy.allowHttp && loopback) return url;
  throw new Refused(WEB2JSON_STATUS.INVALID_SOURCE_URL, `only https (or http on loopback locally): ${raw}`);
}

async function fetchJson(body: Web2JsonRequestBody, policy: FetchPolicy): Promise<unknown> {
  const url = checkUrl(body.url, policy);
  const method = body.httpMethod.toUpperCase();
  if (!["GET", "POST", "PUT", "PATCH", "DELETE"].includes(method)) throw new Refused(WEB2JSON_STATUS.INVALID_HTTP_METHOD, method);
  const headers = parseFlatObject(body.headers, WEB2JSON_STATUS.INVALID_HEADERS);
  const query = parseFlatObject(body.queryParams, WEB2JSON_STATUS.INVALID_QUERY_PARAMS);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  let requestBody: string | undefined;
  if (method !== "GET") {
    try {
      JSON.parse(body.body);
    } catch {
      throw new Refused(WEB2JSON_STATUS.INVALID_BODY, "not JSON");
    }
    requestBody = body.body;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: requestBody,
      redirect: "error",
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
  } catch (error) {
    throw new Refused(WEB2JSON_STATUS.INVALID_FETCH_ERROR, error instanceof Error ? error.message : String(error));
  }
  if (res.status < 200 || res.status >= 300) throw new Refused(WEB2JSON_STATUS.INVALID_FETCH_ERROR, `HTTP ${res.status}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) throw new Refused(WEB2JSON_STATUS.INVALID_RESPONSE_CONTENT_TYPE, type);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > policy.maxResponseBytes) throw new Refused(WEB2JSON_STATUS.INVALID_FETCH_ERROR, `response exceeds ${policy.maxResponseBytes} bytes`);
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString("utf8")) as unknown;
    if (typeof parsed !== "object" && typeof parsed !== "string") throw new Error("neither an object nor a string");
    return parsed;
  } catch (error) {
    throw new Refused(WEB2JSON_STATUS.INVALID_RESPONSE_JSON, error instanceof Error ? error.message : String(error));
  }
}

/** Applies a jq filter; exactly one output is expected. */
export function applyJq(filter: string, doc: unknown): unknown {
  let program: ReturnType<typeof parse>;
  try {
    program = parse(filter);
  } catch (error) {
    throw new Refused(WEB2JSON_STATUS.INVALID_JQ_FILTER, error instanceof Error ? error.message : String(error));
  }
  try {
    const outputs = [...evaluate(program, [doc])];
    if (outputs.length !== 1) throw new Error(`jq produced ${outputs.length} outputs, expected 1`);
    return outputs[0];
  } catch (error) {
    throw new Refused(WEB2JSON_STATUS.INVALID_JQ_PARSE_ERROR, error instanceof Error ? error.message : String(error));
  }
}

/** ABI-encodes the jq result under the request's ABI signature (a JSON ABI parameter). */
export function encodeWithSignature(abiSignature: string, value: unknown): string {
  let type: ParamType;
  try {
    type = ParamType.from(JSON.parse(abiSignature) as Record<string, unknown>);
  } catch (error) {
    throw new Refused(WEB2JSON_STATUS.INVALID_ABI_SIGNATURE, error instanceof Error ? error.message : String(error));
  }
  try {
    return AbiCoder.defaultAbiCoder().encode([type], [value]);
  } catch (error) {
    throw new Refused(WEB2JSON_STATUS.INVALID_ENCODE_ERROR, error instanceof Error ? error.message : String(error));
  }
}

export type Web2JsonOutcome = { status: "VALID"; abiEncodedData: string } | { status: Exclude<Web2JsonStatus, "VALID">; reason: string };

/** Fetches, filters and encodes one request body. Never throws: a refusal is a status. */
export async function processWeb2Json(body: Web2JsonRequestBody, policy: FetchPolicy): Promise<Web2JsonOutcome> {
  try {
    const doc = await fetchJson(body, policy);
    const filtered = applyJq(body.postProcessJq, doc);
    return { status: "VALID", abiEncodedData: encodeWithSignature(body.abiSignature, filtered) };
  } catch (error) {
    if (error instanceof Refused) return { status: error.status as Exclude<Web2JsonStatus, "VALID">, reason: error.message };
    return { status: WEB2JSON_STATUS.INVALID_FETCH_ERROR, reason: error instanceof Error ? error.message : String(error) };
  }
}
