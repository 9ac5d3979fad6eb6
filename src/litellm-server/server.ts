/**
 * The local LiteLLM-compatible server: node:http on 127.0.0.1 only, routes
 * dispatched by method and path, every failure rendered as LiteLLM renders it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isMasterKey, requireMaster } from "./auth";
import type { RouteResult, ServerContext } from "./context";
import { HttpError, proxyError } from "./errors";
import { bearerToken, readJsonBody, sendEvents, sendJson } from "./http";
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

async function route(ctx: ServerContext, req: IncomingMessage, url: URL): Promise<RouteResult> {
  const method = req.method ?? "GET";
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const token = bearerToken(req);
  const admin = (route: string) => requireMaster(token, ctx.masterKey, ctx.store, route);

  if (method === "GET" && (path === "/health/liveliness" || path === "/health/readiness")) {
    return { status: 200, body: "I'm alive!" };
  }
  if (method === "POST" && (path === "/chat/completions" || path === "/v1/chat/completions")) {
    return chatCompletion(ctx, await readJsonBody(req), token);
  }
  if (method === "GET" && (path === "/models" || path === "/v1/models")) {
    return listModels(ctx, token, isMasterKey(token, ctx.masterKey));
  }
  if (method === "POST" && path === "/key/generate") {
    admin(path);
    return generateKey(ctx, await readJsonBody(req));
  }
  if (method === "POST" && path === "/key/update") {
    admin(path);
    return updateKey(ctx, await readJsonBody(req));
  }
  if (method === "POST" && path === "/key/delete") {
    admin(path);
    return deleteKeys(ctx, await readJsonBody(req));
  }
  if (method === "POST" && (path === "/key/block" || path === "/key/unblock")) {
    admin(path);
    return setBlocked(ctx, await readJsonBody(req), path === "/key/block");
  }
  if (method === "GET" && path === "/key/info") {
    // A virtual key may read its own info (no ?key=); anything else is admin-only.
    if (!isMasterKey(token, ctx.masterKey)) {
      if (url.searchParams.has("key") || token === null) admin(path);
      return keyInfo(ctx, new URLSearchParams(), token);
    }
    return keyInfo(ctx, url.searchParams, null);
  }
  if (method === "GET" && path === "/key/list") {
    admin(path);
    return listKeys(ctx, url.searchParams);
  }
  if (method === "GET" && (path === "/spend/logs/v2" || path === "/spend/logs/ui")) {
    admin(path);
    return spendLogs(ctx, url.searchParams, path);
  }
  return { status: 404, body: { detail: "Not Found" } };
}

export async function startLiteLLMServer(options: LiteLLMServerOptions): Promise<LiteLLMServerHandle> {
  if (!options.masterKey.startsWith("sk-")) throw new Error("LiteLLM master key must start with sk-");
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

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    route(ctx, req, url)
      .catch((e: unknown): RouteResult => {
        if (e instanceof HttpError) return { status: e.status, body: e.body, headers: e.headers };
        // Never echo internals; LiteLLM's generic 500 shape.
        return { status: 500, body: proxyError(500, "internal_server_error", "Internal Server Error").body };
      })
      .then((r) => {
        options.onRequest?.(req.method ?? "GET", url.pathname, r.status);
        if (res.headersSent) return;
        if (r.events !== undefined) sendEvents(res, r.status, r.events, r.headers ?? {});
        else sendJson(res, r.status, r.body, r.headers ?? {});
      })
      .catch(() => res.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    flush: () => store.flush(),
    loadSpendLogs: (rows) => store.addLogs(rows),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.flush();
    },
  };
}
