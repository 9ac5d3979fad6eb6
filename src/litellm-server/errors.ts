import { FlareFlowError } from "../errors";

/**
 * LiteLLM's error bodies (1.110.2, proxy_server.py `openai_exception_handler`): a ProxyException
 * serialises as {"error": {"message", "type", "param", "code"}} with `code` the status as a
 * string and `param` null when there is none (common_utils/openai_error_payload.py);
 * FastAPI's own validation errors answer {"detail": [...]} with 422.
 */

export class HttpError extends FlareFlowError {
  override readonly name = "HttpError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export function proxyError(status: number, type: string, message: string, param: string | null = null, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { error: { message, type, param, code: String(status) } }, headers);
}

export function validationError(loc: string[], msg: string, type = "value_error"): HttpError {
  return new HttpError(422, { detail: [{ loc, msg, type }] });
}

/** How LiteLLM renders an HTTPException whose detail is {"error": "..."}: Python's dict repr. */
export function pyDetail(text: string): string {
  return `{'error': '${text.replace(/'/g, "\\'")}'}`;
}

export function abbreviateKey(rawKey: string): string {
  return `sk-...${rawKey.slice(-4)}`;
}
