import type { Store } from "./store";
import type { ModelConfig } from "./types";

/** What every route handler gets. */
export interface ServerContext {
  store: Store;
  masterKey: string;
  now: () => number;
  spendLogDelayMs: number;
  models: readonly ModelConfig[];
  budgetExceededStatus: 400 | 429;
}

export interface RouteResult {
  status: number;
  body: unknown;
}
