import { sanitizeUrl } from "@braintree/sanitize-url";
import { ParamType } from "ethers";
import { FLARE_WEB2JSON_LIMITS, WEB2JSON_STATUS, Web2JsonRefused, type Web2JsonRefusal } from "./web2json-status";
import { FlareFlowError, messageOf } from "../errors";

/**
 * The request-field checks of Flare's Web2Json verifier for the `PublicWeb2` source, rebuilt from
 * verifier-indexer-api v1.6.0-rc.0 (src/verification/web-2-json/validate-request.ts,
 * validate-url.ts `parseUrl`, validate-json.ts, validate-abi.ts). The order of the checks is
 * Flare's, so the first failing rule names the status.
 */

export type JsonObjectOrArray = Record<string, unknown> | unknown[];

/**
 * parseUrl: at most 2,000 characters before and after @braintree/sanitize-url (which turns
 * javascript:, data: and malformed URLs into about:blank and drops control characters), then
 * `new URL`, then https only. `allowLoopbackHttp` is the local stack's switch: http is let through
 * here and the host is then required to be loopback (url-policy.ts).
 */
export function parseSourceUrl(input: string, allowLoopbackHttp: boolean): URL {
  const refuse = (why: string) => new Web2JsonRefused(WEB2JSON_STATUS.INVALID_SOURCE_URL, `Invalid source URL: ${why}`);
  const max = FLARE_WEB2JSON_LIMITS.maxUrlLength;
  if (input.length > max) throw refuse(`URL too long before sanitization: ${input.length}`);
  const sanitized = sanitizeUrl(input);
  if (sanitized.length > max) throw refuse(`URL too long after sanitization: ${sanitized.length}`);
  let url: URL;
  try {
    url = new URL(sanitized);
  } catch {
    throw refuse(`not a URL: ${sanitized}`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && allowLoopbackHttp) return url;
  throw refuse(`Invalid protocol: ${url.protocol}`);
}

/**
 * validate-json.ts `checkJsonDepthAndKeys`: objects count their keys and go one level deeper per
 * value; arrays go one level deeper per item. Returns why it fails, or undefined.
 */
function depthAndKeysProblem(value: unknown, maxDepth: number, maxKeys: number): string | undefined {
  let keys = 0;
  const walk = (node: unknown, depth: number): string | undefined => {
    if (depth > maxDepth) return `Exceeded max depth: ${depth} > ${maxDepth}`;
    if (Array.isArray(node)) {
      for (const item of node) {
        const problem = walk(item, depth + 1);
        if (problem) return problem;
      }
    } else if (typeof node === "object" && node !== null) {
      const names = Object.keys(node);
      keys += names.length;
      if (keys > maxKeys) return `Exceeded max keys: ${keys} > ${maxKeys}`;
      for (const name of names) {
        const problem = walk((node as Record<string, unknown>)[name], depth + 1);
        if (problem) return problem;
      }
    }
    return undefined;
  };
  return walk(value, 0);
}

/**
 * parseJsonWithDepthAndKeysValidation: "" means absent; otherwise JSON whose value is an object
 * (or array: JSON.parse's typeof "object"), within the depth and key limits.
 */
export function parseJsonField(input: string, maxDepth: number, maxKeys: number, status: Web2JsonRefusal): JsonObjectOrArray | undefined {
  if (input === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (error) {
    throw new Web2JsonRefused(status, `Invalid JSON: ${messageOf(error)}`, { cause: error });
  }
  if (parsed === null || typeof parsed !== "object") throw new Web2JsonRefused(status, "Invalid JSON: Parsed value is not an object");
  const problem = depthAndKeysProblem(parsed, maxDepth, maxKeys);
  if (problem) throw new Web2JsonRefused(status, problem);
  return parsed as JsonObjectOrArray;
}

/** Headers and query parameters: one level deep, at most 15 keys each. */
export function parseHeaders(input: string): JsonObjectOrArray {
  return parseJsonField(input, 1, FLARE_WEB2JSON_LIMITS.maxHeaders, WEB2JSON_STATUS.INVALID_HEADERS) ?? {};
}

export function parseQueryParams(input: string): JsonObjectOrArray {
  return parseJsonField(input, 1, FLARE_WEB2JSON_LIMITS.maxQueryParams, WEB2JSON_STATUS.INVALID_QUERY_PARAMS) ?? {};
}

/** The body is checked whatever the method (a GET's too): depth 6, 500 keys; "" means none. */
export function parseBody(input: string): JsonObjectOrArray | undefined {
  return parseJsonField(input, FLARE_WEB2JSON_LIMITS.maxBodyJsonDepth, FLARE_WEB2JSON_LIMITS.maxBodyJsonKeys, WEB2JSON_STATUS.INVALID_BODY);
}

/** PublicWeb2 allows exactly "GET" and "POST" (case-sensitive). */
export function checkMethod(method: string): "GET" | "POST" {
  if (method === "GET" || method === "POST") return method;
  throw new Web2JsonRefused(WEB2JSON_STATUS.INVALID_HTTP_METHOD, method);
}

/**
 * validate-abi.ts: at most 5,000 characters; a JSON object is a tuple parameter (a JSON array is
 * refused), anything else a single primitive type string; no top-level array, a tuple needs
 * components and none of them may be a tuple or an array.
 */
export function parseAbiSignature(signature: string): ParamType {
  const refuse = (why: string) => new Web2JsonRefused(WEB2JSON_STATUS.INVALID_ABI_SIGNATURE, why);
  const max = FLARE_WEB2JSON_LIMITS.maxAbiSignatureLength;
  if (signature.length > max) throw refuse(`ABI signature exceeds maximum length of ${max}`);
  const trimmed = signature.trim();
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    json = undefined;
  }
  let type: ParamType;
  try {
    if (Array.isArray(json)) throw new FlareFlowError("Array ABI forms are not supported; provide a tuple JSON or a string");
    if (json !== null && typeof json === "object") {
      type = ParamType.from(json as Record<string, unknown>);
    } else {
      type = ParamType.from(trimmed);
      if (type.baseType === "array" || type.baseType === "tuple") throw new FlareFlowError("Invalid ABI type format; expected a single primitive type string");
    }
  } catch (error) {
    throw refuse(`Unable to parse ABI type: ${messageOf(error)}`);
  }
  if (type.baseType === "array") throw refuse("Array ABI forms are not supported; provide a tuple JSON or a string");
  if (type.baseType === "tuple") {
    const components = type.components ?? [];
    if (components.length === 0) throw refuse("Tuple ABI must include components");
    for (const c of components) {
      if (c.baseType === "tuple") throw refuse(`Nested tuples are not supported (field ${c.name || "<unknown>"})`);
      if (c.baseType === "array") throw refuse(`Array types are not supported (field ${c.name || "<unknown>"})`);
    }
  }
  return type;
}
