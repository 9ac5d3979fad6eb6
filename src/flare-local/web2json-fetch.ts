import * as http from "node:http";
import * as https from "node:https";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { ParamType } from "ethers";
import type { Web2JsonRequestBody } from "../fdc";
import { validateJqFilter } from "./jq-rules";
import { JqProcessor } from "./jq-process";
import { checkMethod, parseAbiSignature, parseBody, parseHeaders, parseQueryParams, parseSourceUrl, type JsonObjectOrArray } from "./request-rules";
import { checkSourceHost, type CheckedUrl, type Resolver } from "./url-policy";
import { FLARE_WEB2JSON_LIMITS, WEB2JSON_STATUS, Web2JsonRefused, type Web2JsonRefusal } from "./web2json-status";
import { messageOf } from "../errors";

/**
 * What Flare's Web2Json verifier does with a request body (verifier-indexer-api v1.6.0-rc.0,
 * web2-json-verifications.ts `verifyWeb2Json`), in its order: check every field
 * (request-rules.ts, jq-rules.ts), resolve the host and require public addresses (url-policy.ts),
 * fetch with no redirect, 5 s and 100 KiB, require an application/json answer that parses as an
 * object or string, then filter and encode in a time-limited worker (jq-process.ts).
 *
 * Policy: Flare's rules exactly, except the local switch `allowLoopbackHttp` (http or https to a
 * loopback host, port kept), which the local stack needs for its publisher on 127.0.0.1.
 */

export { WEB2JSON_STATUS, FLARE_WEB2JSON_LIMITS, type Web2JsonStatus } from "./web2json-status";

export type FetchPolicy = {
  allowLoopbackHttp: boolean;
  /** Host resolution; the system resolver unless a test injects one. */
  resolve?: Resolver;
};

export const FLARE_FETCH_POLICY: FetchPolicy = { allowLoopbackHttp: false };

export type Web2JsonOutcome = { status: "VALID"; abiEncodedData: string } | { status: Web2JsonRefusal; reason: string };

function fetchError(message: string): Web2JsonRefused {
  return new Web2JsonRefused(WEB2JSON_STATUS.INVALID_FETCH_ERROR, `Error fetching source response: ${message}`);
}

function queryString(params: JsonObjectOrArray): string {
  if (Array.isArray(params)) return "";
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || typeof v === "object") continue;
    search.append(k, String(v));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** One HTTP exchange to the checked addresses only, as Flare's axios call with its pinned lookup. */
function fetchSource(checked: CheckedUrl, method: "GET" | "POST", headers: JsonObjectOrArray, query: JsonObjectOrArray, body: JsonObjectOrArray | undefined): Promise<{ contentType: string; bytes: Buffer }> {
  const target = new URL(checked.url + queryString(query));
  const outgoing: Record<string, string> = { accept: "application/json, text/plain, */*" };
  if (!Array.isArray(headers)) for (const [k, v] of Object.entries(headers)) if (v !== null && typeof v !== "object") outgoing[k] = String(v);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  if (payload) {
    outgoing["content-type"] ??= "application/json";
    outgoing["content-length"] = String(payload.length);
  }
  const addresses: LookupAddress[] = checked.addresses;
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as (err: null, all: LookupAddress[]) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      { method, headers: outgoing, lookup, servername: checked.hostname, timeout: FLARE_WEB2JSON_LIMITS.requestTimeoutMs, rejectUnauthorized: true },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume();
          reject(fetchError(`Request failed with status code ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > FLARE_WEB2JSON_LIMITS.maxResponseSize) {
            req.destroy();
            reject(fetchError(`maxContentLength size of ${FLARE_WEB2JSON_LIMITS.maxResponseSize} exceeded`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => resolve({ contentType: String(res.headers["content-type"] ?? ""), bytes: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(fetchError(e.message)));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout of ${FLARE_WEB2JSON_LIMITS.requestTimeoutMs}ms exceeded`)));
    req.on("error", (e) => reject(fetchError(e.message)));
    req.end(payload);
  });
}

/** validate-response.ts: content type must include application/json; the JSON an object or a string. */
function parseSourceResponse(contentType: string, bytes: Buffer): object | string {
  if (!contentType.includes("application/json")) {
    throw new Web2JsonRefused(WEB2JSON_STATUS.INVALID_RESPONSE_CONTENT_TYPE, "Invalid response content type");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new Web2JsonRefused(WEB2JSON_STATUS.INVALID_RESPONSE_JSON, `Invalid JSON: ${messageOf(error)}`, { cause: error });
  }
  // Flare tests `typeof parsed === "object"`, which JSON null passes too.
  if (typeof parsed === "string" || typeof parsed === "object") return parsed as object | string;
  throw new Web2JsonRefused(WEB2JSON_STATUS.INVALID_RESPONSE_JSON, "Invalid JSON: Provided JSON is neither stringArray or Json type");
}

export type CheckedRequest = {
  url: URL;
  method: "GET" | "POST";
  headers: JsonObjectOrArray;
  query: JsonObjectOrArray;
  body: JsonObjectOrArray | undefined;
  abiType: ParamType;
};

/** Every check Flare makes on the request's fields before it resolves the host, in its order. */
export function checkRequestFields(body: Web2JsonRequestBody, allowLoopbackHttp: boolean): CheckedRequest {
  const url = parseSourceUrl(body.url, allowLoopbackHttp);
  const headers = parseHeaders(body.headers);
  const query = parseQueryParams(body.queryParams);
  const method = checkMethod(body.httpMethod);
  validateJqFilter(body.postProcessJq);
  const abiType = parseAbiSignature(body.abiSignature);
  return { url, method, headers, query, body: parseBody(body.body), abiType };
}

const sharedProcessor = new JqProcessor();

/** Checks, fetches, filters and encodes one request body. Never throws: a refusal is a status. */
export async function processWeb2Json(body: Web2JsonRequestBody, policy: FetchPolicy, processor: JqProcessor = sharedProcessor): Promise<Web2JsonOutcome> {
  try {
    const fields = checkRequestFields(body, policy.allowLoopbackHttp);
    const checked = await checkSourceHost(fields.url, policy.allowLoopbackHttp, policy.resolve);
    const { contentType, bytes } = await fetchSource(checked, fields.method, fields.headers, fields.query, fields.body);
    const doc = parseSourceResponse(contentType, bytes);
    return { status: "VALID", abiEncodedData: await processor.filterAndEncode(doc, body.postProcessJq, fields.abiType) };
  } catch (error) {
    if (error instanceof Web2JsonRefused) return { status: error.status, reason: error.message };
    return { status: WEB2JSON_STATUS.UNKNOWN_ERROR, reason: messageOf(error) };
  }
}
