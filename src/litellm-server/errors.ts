/**
 * LiteLLM's error bodies. ProxyException serialises as
 * {"error": {"message", "type", "param", "code"}} with `code` the status as a
 * string; FastAPI's own validation errors answer {"detail": [...]} with 422.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export function proxyError(status: number, type: string, message: string, param: string | null = "None"): HttpError {
  return new HttpError(status, { error: { message, type, param, code: String(status) } });
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
