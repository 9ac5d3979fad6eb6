import { FlareFlowError } from "../errors";

/**
 * A refusal a server answers as it is: its status, its body (JSON; each server builds the bodies
 * of the service it speaks for, e.g. the key service's {error: {code, message}}, LiteLLM's and
 * Flare's own shapes) and any headers of its own (Retry-After). Apart from server.ts so that the
 * modules that only refuse (the key service's checks, the stand-ins' routes) do not load hono.
 */
export class HttpError extends FlareFlowError {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
    options: { message?: string; docs?: string } = {},
  ) {
    super(options.message ?? `HTTP ${status}`, { docs: options.docs });
  }
}

/**
 * A body sent as plain text rather than JSON: what a server answers where its framework, not
 * its code, writes the refusal (Starlette's "Internal Server Error" for an exception no handler
 * caught, text/plain; charset=utf-8).
 */
export class PlainTextBody {
  constructor(readonly text: string) {}
}

/** The error body of FlareFlow's own servers (the key service, the publisher): `{error: {code, message}}`. */
export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
