/**
 * The key service's JSON-over-HTTP server (hono, src/http/server.ts): bodies of at most 16 KiB
 * declared application/json, CORS for the listed origins only, no-store caching, the caller's
 * client key, and errors as {error: {code, message}}. Routing is left to the caller.
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { getConnInfo } from "@hono/node-server/conninfo";
import { jsonResponse, pathOf, readJson, renderErrors, serve, type HttpServer, type NodeEnv } from "../../http/server";
import { requestClient } from "./client";
import { keyError } from "./errors";

const MAX_BODY_BYTES = 16 * 1024;

/** On every answer but a preflight's. Responses may carry a key: never cache them anywhere. */
const ANSWER_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

export interface JsonRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Who is asking (see client.ts): the key its open challenges are counted under. */
  client: string;
}

export type Handler = (req: JsonRequest) => Promise<{ status: number; body: unknown }>;

export type JsonServer = HttpServer;

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
  const app = new Hono<NodeEnv>({ getPath: pathOf });
  app.use(
    cors({
      // Only an exact match of a listed origin is echoed; any other gets no grant at all.
      origin: (origin) => (options.corsOrigins.includes(origin) ? origin : null),
      allowMethods: ["GET", "POST"],
      allowHeaders: ["content-type"],
      maxAge: 600,
    }),
  );
  app.all("*", async (c) => {
    const method = c.req.method;
    const body =
      method === "GET" || method === "HEAD"
        ? undefined
        : await readJson(c, {
            maxBytes: MAX_BODY_BYTES,
            notJson: () => keyError(415, "unsupported_media_type", "send the body as application/json"),
            tooLarge: () => keyError(413, "body_too_large", `request bodies are limited to ${MAX_BODY_BYTES} bytes`),
            malformed: () => keyError(400, "bad_json", "the body is not valid JSON"),
          });
    const url = new URL(c.req.url);
    const r = await options.handler({
      method,
      path: url.pathname,
      query: url.searchParams,
      body,
      client: requestClient(getConnInfo(c).remote.address, c.env.incoming.headers["x-forwarded-for"], trusted),
    });
    return jsonResponse(r.status, r.body, ANSWER_HEADERS);
  });
  renderErrors(app, {
    headers: ANSWER_HEADERS,
    internal: keyError(500, "internal", "internal error; see the key service log"),
    onInternal: options.onError,
  });
  return serve(app, { host: options.host, port: options.port });
}
