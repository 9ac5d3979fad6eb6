/** Small node:http helpers: bounded JSON bodies, JSON answers, query access. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, proxyError } from "./errors";

const MAX_BODY_BYTES = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw proxyError(413, "bad_request_error", "Request body too large");
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(422, { detail: [{ loc: ["body"], msg: "JSON decode error", type: "json_invalid" }] });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(422, { detail: [{ loc: ["body"], msg: "Input should be a valid dictionary", type: "dict_type" }] });
  }
  return parsed as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Server-Sent Events as LiteLLM streams them: `data: <json>` blocks, ending with `data: [DONE]`. */
export function sendEvents(res: ServerResponse, status: number, events: readonly string[], headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  for (const data of events) res.write(`data: ${data}\n\n`);
  res.end();
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers["authorization"] ?? req.headers["x-litellm-api-key"];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return null;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  const token = (m?.[1] ?? value).trim();
  return token === "" ? null : token;
}

export function queryInt(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return def;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    throw new HttpError(422, { detail: [{ loc: ["query", name], msg: "Input should be a valid integer", type: "int_parsing" }] });
  }
  if (n < min) {
    throw new HttpError(422, { detail: [{ loc: ["query", name], msg: `Input should be greater than or equal to ${min}`, type: "greater_than_equal" }] });
  }
  if (n > max) {
    throw new HttpError(422, { detail: [{ loc: ["query", name], msg: `Input should be less than or equal to ${max}`, type: "less_than_equal" }] });
  }
  return n;
}
