/**
 * What the project's HTTP servers share (hono on @hono/node-server): listening and closing, JSON
 * answers, request bodies read within a limit, and errors rendered. Each server keeps its own
 * error bytes: the refusals are passed in, never written here.
 */
import { createAdaptorServer, type HttpBindings } from "@hono/node-server";
import type { Context, Hono } from "hono";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpError, PlainTextBody } from "./error";

/** The bindings every server here runs with (the node:http request, e.g. for the peer's address). */
export type NodeEnv = { Bindings: HttpBindings };

export interface HttpServer {
  url: string;
  port: number;
  /** Stops listening and drops every connection, idle or not, so a stop never waits on a client. */
  close(): Promise<void>;
}

/** Listens on host:port (0: any free port); a port in use rejects (EADDRINUSE). */
export async function serve(app: Pick<Hono<NodeEnv>, "fetch">, options: { host: string; port: number }): Promise<HttpServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
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

/** `body` as JSON. The length is given, so a HEAD answer (hono drops the body) still states it. */
export function jsonResponse(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  const text = JSON.stringify(body);
  return new Response(text, { status, headers: { "content-type": "application/json", ...headers, "content-length": String(Buffer.byteLength(text)) } });
}

/** `text` as plain UTF-8 text, its length given as jsonResponse gives it. */
export function textResponse(status: number, text: string, headers: Readonly<Record<string, string>> = {}): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers, "content-length": String(Buffer.byteLength(text)) } });
}

/**
 * What the local stand-ins (LiteLLM's, Flare's) read of a request body at most. Neither imitates
 * a limit of the real service here (each refuses in its own service's words); the bound only
 * keeps a runaway client from filling a test's memory, so the two share it.
 */
export const STAND_IN_MAX_BODY_BYTES = 1024 * 1024;

/** How one server reads a JSON body, and the refusals it answers in its own words. */
export interface JsonBodyRules {
  /** The most bytes a body may have: a longer one is refused as it arrives, never read whole. */
  maxBytes: number;
  tooLarge: () => HttpError;
  malformed: () => HttpError;
  /** When given, a body not declared application/json is refused with it before any of it is read. */
  notJson?: () => HttpError;
  /** What a body of nothing but whitespace reads as; without it, such a body is malformed. */
  blank?: () => unknown;
}

/**
 * The body's bytes, refused with `tooLarge` once they pass `maxBytes` (a declared length over it,
 * before any is read). Read from node's request rather than through hono's bodyLimit: a chunked
 * body that bodyLimit refuses part-way stays paused behind its reader, so the connection hangs
 * until the adapter drops it and a client that reuses it meanwhile gets a reset. Here the rest
 * of a refused body is read and dropped (the adapter bounds how long), and the connection lives.
 */
function readLimited(incoming: IncomingMessage, maxBytes: number, tooLarge: () => HttpError): Promise<Buffer> {
  if (Number(incoming.headers["content-length"]) > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      if (size > maxBytes) return;
      size += chunk.length;
      if (size > maxBytes) reject(tooLarge());
      else chunks.push(chunk);
    });
    incoming.once("end", () => resolve(Buffer.concat(chunks, size)));
    incoming.once("error", reject);
  });
}

export async function readJson(c: Context<NodeEnv>, rules: JsonBodyRules): Promise<unknown> {
  if (rules.notJson !== undefined && !/^application\/json\b/i.test(c.req.header("content-type") ?? "")) throw rules.notJson();
  // Decoded as node decodes (a byte-order mark is kept, so such a body is not JSON), not as fetch's text().
  const text = (await readLimited(c.env.incoming, rules.maxBytes, rules.tooLarge)).toString("utf8");
  if (rules.blank !== undefined && text.trim() === "") return rules.blank();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw rules.malformed();
  }
}

/**
 * Errors as `app` answers them: an HttpError as itself; anything else as `internal`, the error
 * itself going to `onInternal` only (internals and the secrets in them stay in the log).
 * `headers` go on every error answer; `notFound` is the answer to a route the app does not have.
 */
export function renderErrors<E extends NodeEnv>(
  app: Hono<E>,
  options: { internal: HttpError; onInternal?: (error: unknown) => void; headers?: Readonly<Record<string, string>>; notFound?: (c: Context<E>) => HttpError },
): void {
  const render = (e: HttpError) => {
    const headers = { ...e.headers, ...options.headers };
    return e.body instanceof PlainTextBody ? textResponse(e.status, e.body.text, headers) : jsonResponse(e.status, e.body, headers);
  };
  app.onError((error) => {
    if (error instanceof HttpError) return render(error);
    options.onInternal?.(error);
    return render(options.internal);
  });
  const notFound = options.notFound;
  if (notFound !== undefined) app.notFound((c) => render(notFound(c)));
}

/** The request's path as sent (not percent-decoded, as hono's router would): the servers match and name it so. */
export function pathOf(request: Request): string {
  return new URL(request.url).pathname;
}
