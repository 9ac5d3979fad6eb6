/** What the routes read from a request: the caller's key, and query integers checked as FastAPI checks them. */
import { validationError } from "./errors";

/** The key in Authorization (a Bearer token or the bare key) or, failing that, x-litellm-api-key. */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization") ?? headers.get("x-litellm-api-key");
  if (value === null) return null;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  const token = (m?.[1] ?? value).trim();
  return token === "" ? null : token;
}

export function queryInt(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return def;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw validationError(["query", name], "Input should be a valid integer", "int_parsing");
  if (n < min) throw validationError(["query", name], `Input should be greater than or equal to ${min}`, "greater_than_equal");
  if (n > max) throw validationError(["query", name], `Input should be less than or equal to ${max}`, "less_than_equal");
  return n;
}
