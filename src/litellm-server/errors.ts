import { HttpError, PlainTextBody } from "../http/error";
import { FlareFlowError } from "../errors";

/**
 * LiteLLM's error bodies (1.110.2, proxy_server.py `openai_exception_handler`): a ProxyException
 * serialises as {"error": {"message", "type", "param", "code"}} with `code` the status as a
 * string and `param` null when there is none (common_utils/openai_error_payload.py);
 * FastAPI's own validation errors answer {"detail": [...]} with 422, a route it does not have
 * {"detail": "Not Found"} with 404, a method a route does not take {"detail": "Method Not Allowed"}
 * with 405 (Starlette's HTTPException detail defaults to the status phrase).
 */

const DOCS = { docs: "README.md#what-is-real-here-and-what-is-a-stand-in" };

export function proxyError(status: number, type: string, message: string, param: string | null = null, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { error: { message, type, param, code: String(status) } }, headers, DOCS);
}

/**
 * An exception no handler caught (a route that catches nothing, a bug): FastAPI leaves it to
 * Starlette's ServerErrorMiddleware, which answers 500 "Internal Server Error" as plain text,
 * not in LiteLLM's error shape (starlette/middleware/errors.py, `error_response`).
 */
export function uncaughtError(): HttpError {
  return new HttpError(500, new PlainTextBody("Internal Server Error"), {}, DOCS);
}

export function validationError(loc: string[], msg: string, type = "value_error"): HttpError {
  return new HttpError(422, { detail: [{ loc, msg, type }] }, {}, DOCS);
}

export function notFound(): HttpError {
  return new HttpError(404, { detail: "Not Found" }, {}, DOCS);
}

export function methodNotAllowed(allow: readonly string[]): HttpError {
  return new HttpError(405, { detail: "Method Not Allowed" }, { allow: allow.join(", ") }, DOCS);
}

/** How LiteLLM renders an HTTPException whose detail is {"error": "..."}: Python's dict repr. */
export function pyDetail(text: string): string {
  return `{'error': '${text.replace(/'/g, "\\'")}'}`;
}

export function abbreviateKey(rawKey: string): string {
  return `sk-...${rawKey.slice(-4)}`;
}

/** The stand-in LiteLLM server refusing to start: a master key LiteLLM would refuse, a state file or key journal it did not write. */
export class LiteLLMServerError extends FlareFlowError {
  override readonly name = "LiteLLMServerError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
}
