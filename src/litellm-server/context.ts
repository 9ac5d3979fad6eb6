import type { Store } from "./store";
import type { RateLimiter } from "./rate-limit";
import type { ModelConfig } from "./types";

/** What every route handler gets. */
export interface ServerContext {
  store: Store;
  masterKey: string;
  now: () => number;
  spendLogDelayMs: number;
  models: readonly ModelConfig[];
  budgetExceededStatus: 400 | 422 | 429;
  spendLogsCountCap: number;
  rateLimits: RateLimiter;
}

export interface RouteResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Server-Sent Events instead of a JSON body: each string is one event's data. */
  events?: string[];
}
