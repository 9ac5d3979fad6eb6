/**
 * A small JSON-over-HTTP server on node:http: body limits, JSON parsing,
 * CORS for the listed origins only, no-store caching, the caller's client key,
 * and errors as {error: {code, message}}. Routing is left to the caller.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { requestClient } from "./client";
import { HttpError } from "./errors";

const MAX_BODY_BYTES = 16 * 1024;

export interface JsonRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Who is asking (see client.ts): the key its open challenges are counted under. */
  client: string;
}

export type Handler = (req: JsonRequest) => Promise<{ status: number; body: unknown }>;

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, "unsupported_media_type", "send the body as application/json");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "body_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "bad_json", "the body is not valid JSON");
  }
}

function send(res: ServerResponse, status: number, body: unknown, corsOrigin: string | null, extra: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    ...extra,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    // Responses may carry a key: never cache them anywhere.
    "cache-control": "no-store",
  };
  if (corsOrigin !== null) {
    headers["access-control-allow-origin"] = corsOrigin;
    headers["vary"] = "origin";
  }
  res.writeHead(status, headers);
  res.end(text);
}

/** The origin to echo in Access-Control-Allow-Origin: only an exact match of a listed one. */
function allowedOrigin(origin: string | undefined, allowed: readonly string[]): string | null {
  return origin !== undefined && allowed.includes(origin) ? origin : null;
}

export interface JsonServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startJsonServer(options: {
  host: string;
  port: number;
  /** Exact origins (scheme://host[:port]) whose pages may call the API; none by default. */
  corsOrigins: readonly string[];
  /** Reverse proxies whose X-Forwarded-For is believed (their client keys, see client.ts). */
  trustedProxies?: readonly string[];
  handler: Handler;
  onError: (error: unknown) => void;
}): Promise<JsonServer> {
  const trusted = new Set(options.trustedProxies ?? []);
  const server: Server = createServer((req, res) => {
    const cors = allowedOrigin(req.headers.origin, options.corsOrigins);
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        ...(cors === null ? {} : { "access-control-allow-origin": cors, vary: "origin" }),
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "600",
      });
      res.end();
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    readJson(req)
      .then((body) =>
        options.handler({
          method: req.method ?? "GET",
          path: url.pathname,
          query: url.searchParams,
          body,
          client: requestClient(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted),
        }),
      )
      .then(
        (r) => send(res, r.status, r.body, cors),
        (e: unknown) => {
          if (e instanceof HttpError) {
            send(res, e.status, { error: { code: e.code, message: e.message } }, cors, e.headers);
            return;
          }
          options.onError(e);
          // Internals (and anything secret in them) stay in the redacted log.
          send(res, 500, { error: { code: "internal", message: "internal error; see the key service log" } }, cors);
        },
      )
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
