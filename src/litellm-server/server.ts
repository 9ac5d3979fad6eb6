/**
 * The local LiteLLM-compatible server: a hono app on 127.0.0.1 only (src/http/server.ts), routes
 * by method and path, every failure rendered as LiteLLM renders it.
 */
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { StatusCode } from "hono/utils/http-status";
import { jsonResponse, readJson, renderErrors, serve, STAND_IN_MAX_BODY_BYTES, type NodeEnv } from "../http/server";
import { isMasterKey, requireMaster } from "./auth";
import type { RouteResult, ServerContext } from "./context";
import { LiteLLMServerError, methodNotAllowed, notFound, proxyError, uncaughtError, validationError } from "./errors";
import { bearerToken } from "./http";
import { deleteKeys, generateKey, keyInfo, listKeys, setBlocked, updateKey } from "./key-routes";
import { chatCompletion, listModels } from "./llm-routes";
import { DEFAULT_MODELS } from "./models";
import { spendLogs } from "./spend-routes";
import { RateLimiter } from "./rate-limit";
import { BUDGET_EXCEEDED_STATUS, SPEND_LOGS_PAGINATION_COUNT_CAP } from "./release";
import { Store } from "./store";
import type { LiteLLMServerHandle, LiteLLMServerOptions } from "./types";

/** LiteLLM's PROXY_BATCH_WRITE_AT default: spend is written to the DB every 10 s. */
export const DEFAULT_SPEND_LOG_DELAY_MS = 10_000;

/** A request body as FastAPI reads it for LiteLLM's routes: a JSON object; an empty body is {}. */
async function jsonObject(c: Context<NodeEnv>): Promise<Record<string, unknown>> {
  const parsed = await readJson(c, {
    maxBytes: STAND_IN_MAX_BODY_BYTES,
    tooLarge: () => proxyError(413, "bad_request_error", "Request body too large"),
    malformed: () => validationError(["body"], "JSON decode error", "json_invalid"),
    blank: () => ({}),
  });
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw validationError(["body"], "Input should be a valid dictionary", "dict_type");
  return parsed as Record<string, unknown>;
}

/** A route's result on the wire: JSON, or Server-Sent Events as LiteLLM streams them (`data: <json>` blocks, then `data: [DONE]`). */
function answer(c: Context, r: RouteResult): Response {
  const events = r.events;
  if (events === undefined) return jsonResponse(r.status, r.body, r.headers);
  for (const [name, value] of Object.entries(r.headers ?? {})) c.header(name, value);
  c.status(r.status as StatusCode);
  return streamSSE(c, async (stream) => {
    for (const data of events) await stream.writeSSE({ data });
  });
}

/** The path as routed: LiteLLM (FastAPI) takes /key/generate/ for /key/generate. */
function routedPath(request: Request): string {
  return new URL(request.url).pathname.replace(/\/+$/, "") || "/";
}

/** Each routed path's methods, in the order they were registered (middleware excluded). */
function routeMethods(app: Hono<NodeEnv>): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const r of app.routes) {
    if (r.method === "ALL") continue;
    const methods = byPath.get(r.path) ?? [];
    if (!methods.includes(r.method)) methods.push(r.method);
    byPath.set(r.path, methods);
  }
  return byPath;
}

function liteLLMApp(ctx: ServerContext, onRequest: LiteLLMServerOptions["onRequest"]): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>({ getPath: routedPath });
  const token = (c: Context) => bearerToken(c.req.raw.headers);
  const admin = (c: Context, route: string) => requireMaster(token(c), ctx.masterKey, ctx.store, route);

  if (onRequest !== undefined) {
    app.use(async (c, next) => {
      await next();
      onRequest(c.req.method, new URL(c.req.url).pathname, c.res.status);
    });
  }
  // Starlette's Route.handle: a path it routes, asked with a method the route does not take, is a
  // 405 naming the route's methods, before the endpoint's dependencies (the key check) run.
  // FastAPI's APIRoute adds no HEAD to a GET route (fastapi/fastapi#1773), where hono would answer
  // HEAD with the GET route. Read from the routes once they are all registered, at the first request.
  let methodsByPath: Map<string, string[]> | undefined;
  app.use(async (c, next) => {
    methodsByPath ??= routeMethods(app);
    const allowed = methodsByPath.get(routedPath(c.req.raw));
    if (allowed !== undefined && !allowed.includes(c.req.method)) throw methodNotAllowed(allowed);
    await next();
  });

  app.on("GET", ["/health/liveliness", "/health/readiness"], (c) => answer(c, { status: 200, body: "I'm alive!" }));
  app.on("POST", ["/chat/completions", "/v1/chat/completions"], async (c) => answer(c, chatCompletion(ctx, await jsonObject(c), token(c))));
  app.on("GET", ["/models", "/v1/models"], (c) => {
    const caller = token(c);
    return answer(c, listModels(ctx, caller, isMasterKey(caller, ctx.masterKey)));
  });
  // Admin routes ask for the master key before they read a body.
  app.post("/key/generate", async (c) => {
    admin(c, "/key/generate");
    return answer(c, await generateKey(ctx, await jsonObject(c)));
  });
  app.post("/key/update", async (c) => {
    admin(c, "/key/update");
    return answer(c, await updateKey(ctx, await jsonObject(c)));
  });
  app.post("/key/delete", async (c) => {
    admin(c, "/key/delete");
    return answer(c, await deleteKeys(ctx, await jsonObject(c)));
  });
  for (const path of ["/key/block", "/key/unblock"]) {
    app.post(path, async (c) => {
      admin(c, path);
      return answer(c, await setBlocked(ctx, await jsonObject(c), path === "/key/block"));
    });
  }
  app.get("/key/info", (c) => {
    const caller = token(c);
    const query = new URL(c.req.url).searchParams;
    // A virtual key may read its own info (no ?key=); anything else is admin-only.
    if (!isMasterKey(caller, ctx.masterKey)) {
      if (query.has("key") || caller === null) admin(c, "/key/info");
      return answer(c, keyInfo(ctx, new URLSearchParams(), caller));
    }
    return answer(c, keyInfo(ctx, query, null));
  });
  app.get("/key/list", (c) => {
    admin(c, "/key/list");
    return answer(c, listKeys(ctx, new URL(c.req.url).searchParams));
  });
  for (const path of ["/spend/logs/v2", "/spend/logs/ui"]) {
    app.get(path, (c) => {
      admin(c, path);
      return answer(c, spendLogs(ctx, new URL(c.req.url).searchParams, path));
    });
  }
  // Never echo internals: an exception nothing caught answers as Starlette answers it.
  renderErrors(app, { internal: uncaughtError(), notFound });
  return app;
}

export async function startLiteLLMServer(options: LiteLLMServerOptions): Promise<LiteLLMServerHandle> {
  if (!options.masterKey.startsWith("sk-")) throw new LiteLLMServerError("LiteLLM master key must start with sk-");
  const now = options.now ?? Date.now;
  const store = new Store(options.stateFile, now);
  await store.load();
  const ctx: ServerContext = {
    store,
    masterKey: options.masterKey,
    now,
    spendLogDelayMs: options.spendLogDelayMs ?? DEFAULT_SPEND_LOG_DELAY_MS,
    models: options.models ?? DEFAULT_MODELS,
    budgetExceededStatus: options.budgetExceededStatus ?? BUDGET_EXCEEDED_STATUS,
    spendLogsCountCap: options.spendLogsCountCap ?? SPEND_LOGS_PAGINATION_COUNT_CAP,
    rateLimits: new RateLimiter(),
  };

  const server = await serve(liteLLMApp(ctx, options.onRequest), { host: "127.0.0.1", port: options.port ?? 0 });
  let stopped = false;
  return {
    url: server.url,
    port: server.port,
    flush: () => store.flush(),
    loadSpendLogs: (rows) => store.addLogs(rows),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.close();
      await store.flush();
    },
  };
}
