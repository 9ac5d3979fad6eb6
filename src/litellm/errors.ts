import { redactSecrets } from "../redact";
import { FlareFlowError } from "../errors";

/**
 * LiteLLM's error `type` values that this project reacts to. LiteLLM answers
 * budget exhaustion with 400 in some releases and 429 in newer ones, and its
 * `code` field is a string copy of the status: only `type` is stable, so
 * callers branch on `type`.
 */
export const LiteLLMErrorTypes = {
  budgetExceeded: "budget_exceeded",
  expiredKey: "expired_key",
  authError: "auth_error",
  keyModelAccessDenied: "key_model_access_denied",
  badRequest: "bad_request_error",
  notFound: "not_found_error",
  internal: "internal_server_error",
} as const;

export type LiteLLMErrorKind =
  | "http" // the server answered with a non-2xx status
  | "network" // no usable answer: connection refused/reset, timeout
  | "invalid_response" // a 2xx answer whose body is not what LiteLLM sends
  | "config"; // the client was misconfigured (no master key, bad URL)

export interface LiteLLMErrorInit {
  kind: LiteLLMErrorKind;
  status?: number;
  type?: string;
  code?: string;
  param?: string;
  endpoint?: string;
  attempts?: number;
  cause?: unknown;
}

/** Every failure the client raises. Messages are redacted at construction. */
export class LiteLLMError extends FlareFlowError {
  override readonly name = "LiteLLMError";
  override readonly docs = "README.md#services";
  readonly kind: LiteLLMErrorKind;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** LiteLLM's `error.type` (e.g. `budget_exceeded`), when the body carried one. */
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly endpoint: string | undefined;
  readonly attempts: number | undefined;

  constructor(message: string, init: LiteLLMErrorInit) {
    // The cause may be a fetch error whose text names the URL: it is kept as a redacted summary, never the error itself.
    super(redactSecrets(message), { cause: init.cause === undefined ? undefined : redactSecrets(init.cause instanceof Error ? `${init.cause.name}: ${init.cause.message}` : String(init.cause)) });
    this.kind = init.kind;
    this.status = init.status;
    this.type = init.type;
    this.code = init.code === undefined ? undefined : redactSecrets(init.code);
    this.param = init.param === undefined ? undefined : redactSecrets(init.param);
    this.endpoint = init.endpoint;
    this.attempts = init.attempts;
  }

  get isBudgetExceeded(): boolean {
    return this.type === LiteLLMErrorTypes.budgetExceeded;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** Network failures and 5xx are worth another attempt; 4xx and bad bodies are not. */
  get retryable(): boolean {
    return this.kind === "network" || (this.kind === "http" && this.status !== undefined && this.status >= 500);
  }
}

export function isLiteLLMError(e: unknown): e is LiteLLMError {
  return e instanceof LiteLLMError;
}

function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Builds the error for a non-2xx answer. LiteLLM's proxy errors are
 * `{"error": {"message", "type", "param", "code"}}`; FastAPI validation and a
 * few HTTPExceptions answer `{"detail": ...}`; a proxy in front may answer HTML.
 * All three yield a LiteLLMError with the status; only the first has a type.
 */
export function errorFromResponse(status: number, bodyText: string, endpoint: string): LiteLLMError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
    const record = parsed as Record<string, unknown>;
    const err = record["error"];
    if (typeof err === "object" && err !== null && !Array.isArray(err)) {
      const e = err as Record<string, unknown>;
      const message = asText(e["message"]) ?? JSON.stringify(e["message"] ?? null);
      return new LiteLLMError(`LiteLLM ${endpoint} failed with HTTP ${status}: ${truncate(message)}`, {
        kind: "http",
        status,
        type: asText(e["type"]),
        code: asText(e["code"]),
        param: asText(e["param"]),
        endpoint,
      });
    }
    if (typeof err === "string") {
      return new LiteLLMError(`LiteLLM ${endpoint} failed with HTTP ${status}: ${truncate(err)}`, {
        kind: "http",
        status,
        endpoint,
      });
    }
    if ("detail" in record) {
      const detail = typeof record["detail"] === "string" ? record["detail"] : JSON.stringify(record["detail"]);
      return new LiteLLMError(`LiteLLM ${endpoint} failed with HTTP ${status}: ${truncate(detail)}`, {
        kind: "http",
        status,
        endpoint,
      });
    }
  }
  // Starlette's own refusals are a few words of plain text ("Internal Server Error" for an
  // exception no route caught): worth saying. Markup or anything long from a proxy in front is not.
  const plain = bodyText.trim();
  if (parsed === undefined && plain.length > 0 && plain.length <= PLAIN_TEXT_MAX && /^[\x20-\x7e]+$/.test(plain) && !plain.includes("<")) {
    return new LiteLLMError(`LiteLLM ${endpoint} failed with HTTP ${status}: ${plain}`, { kind: "http", status, endpoint });
  }
  return new LiteLLMError(`LiteLLM ${endpoint} failed with HTTP ${status} (body is not a LiteLLM error object)`, {
    kind: "http",
    status,
    endpoint,
  });
}

/** The longest plain-text body an error repeats. */
const PLAIN_TEXT_MAX = 200;

function truncate(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
