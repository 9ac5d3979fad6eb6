/**
 * One HTTP exchange with LiteLLM: bearer auth, timeout, size cap, JSON parse,
 * error mapping, retries. Knows nothing about individual endpoints.
 */
import { errorFromResponse, LiteLLMError } from "./errors";
import type { Logger } from "../log";
import { redactSecrets } from "../redact";
import { backoffSchedule, withRetry, type RetryPolicy, type Sleep } from "../retry";
import { messageOf } from "../errors";

export interface TransportOptions {
  baseUrl: string;
  masterKey: string;
  timeoutMs: number;
  maxResponseBytes: number;
  retry: RetryPolicy;
  sleep: Sleep;
  random: () => number;
  /** Its lines carry the master key redacted here: the logger was not necessarily told it. */
  logger: Logger;
  fetchImpl: typeof fetch;
}

export interface RequestSpec {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

export class Transport {
  private readonly base: URL;

  constructor(private readonly opts: TransportOptions) {
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw new LiteLLMError("LiteLLM base URL is not a valid URL", { kind: "config" });
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") {
      throw new LiteLLMError("LiteLLM base URL must be http or https", { kind: "config" });
    }
    this.base = base;
  }

  /** Sends the request (with retries) and returns the parsed JSON body of a 2xx answer. */
  async request(spec: RequestSpec): Promise<unknown> {
    const endpoint = spec.path;
    return withRetry(
      (attempt) => this.once(spec, attempt),
      (e) => e instanceof LiteLLMError && e.retryable,
      backoffSchedule(this.opts.retry, this.opts.random),
      {
        sleep: this.opts.sleep,
        onRetry: (attempt, delay, e) =>
          this.opts.logger.warn(
            redactSecrets(`LiteLLM ${endpoint} attempt ${attempt} failed (${messageOf(e)}); retrying in ${delay} ms`, [this.opts.masterKey]),
          ),
      },
    );
  }

  private url(spec: RequestSpec): URL {
    const url = new URL(spec.path.replace(/^\//, ""), this.base.href.endsWith("/") ? this.base : `${this.base.href}/`);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private async once(spec: RequestSpec, attempt: number): Promise<unknown> {
    const endpoint = spec.path;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.opts.masterKey}`,
      Accept: "application/json",
    };
    let payload: string | undefined;
    if (spec.body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(spec.body);
    }
    this.opts.logger.debug(`LiteLLM ${spec.method} ${endpoint} (attempt ${attempt})`);
    let res: Response;
    let text: string;
    try {
      res = await this.opts.fetchImpl(this.url(spec), {
        method: spec.method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      text = await this.readCapped(res, endpoint);
    } catch (e) {
      if (e instanceof LiteLLMError) throw e;
      throw new LiteLLMError(`LiteLLM ${endpoint} unreachable: ${messageOf(e)}`, {
        kind: "network",
        endpoint,
        attempts: attempt,
        cause: e,
      });
    }
    if (res.status < 200 || res.status > 299) {
      const err = errorFromResponse(res.status, text, endpoint);
      this.opts.logger.debug(redactSecrets(err.message, [this.opts.masterKey]));
      throw err;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new LiteLLMError(`LiteLLM ${endpoint} answered HTTP ${res.status} with a body that is not JSON`, {
        kind: "invalid_response",
        status: res.status,
        endpoint,
      });
    }
  }

  // A hostile or broken server must not make the client buffer unbounded data.
  private async readCapped(res: Response, endpoint: string): Promise<string> {
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > this.opts.maxResponseBytes) {
      await res.body?.cancel();
      throw new LiteLLMError(`LiteLLM ${endpoint} response too large (${declared} bytes)`, {
        kind: "invalid_response",
        status: res.status,
        endpoint,
      });
    }
    if (!res.body) return "";
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > this.opts.maxResponseBytes) {
        await reader.cancel();
        throw new LiteLLMError(`LiteLLM ${endpoint} response exceeded ${this.opts.maxResponseBytes} bytes`, {
          kind: "invalid_response",
          status: res.status,
          endpoint,
        });
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
}
