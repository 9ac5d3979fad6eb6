/**
 * The provider's key service as the page uses it: a wallet-signed sign-in, then the
 * subscription's plaintext key, a key rotation, and pending usage (LiteLLM's live view, not yet
 * attested or billed). Components depend on the KeyService interface; httpKeyService is the
 * client of the real endpoints.
 */
import type { UserSignature } from "./flowClient";
import { parseLiveLimit, type LiveLimit } from "../liveLimit";
import type { DailyUsage, KeyUsage as ServiceKeyUsage, RecentRequest } from "../../../src/litellm/types";
import type { ChallengeAnswer, ProofAction, ProvenRequest } from "../../../src/keys/http/wire";
import { FlareFlowError } from "../../../src/errors";

/**
 * The seed's getKeyUsage shape, as the key service answers it (src/litellm/types.ts, the one
 * declaration), with the live spending limit. Costs are LiteLLM's estimate, not a bill.
 */
export interface KeyUsage extends ServiceKeyUsage {
  /** The live spending limit (absent from services that have none). */
  live?: LiveLimit | null;
}
export type { DailyUsage, RecentRequest };

/** Signs a text with the customer's wallet (FCL currentUser.signUserMessage). */
export type MessageSigner = (message: string) => Promise<UserSignature[]>;

/** A signed-in customer: what one wallet signature buys until it expires. */
export interface KeySession {
  readonly address: string;
  /** Whether usage may be polled without asking the wallet each time (a token-based service). */
  readonly pollable: boolean;
  revealKey(subscriptionId: bigint): Promise<string>;
  rotateKey(subscriptionId: bigint): Promise<void>;
  usage(subscriptionId: bigint): Promise<KeyUsage>;
}

export interface KeyService {
  signIn(address: string, sign: MessageSigner): Promise<KeySession>;
}

export class KeyServiceError extends FlareFlowError {
  override readonly name = "KeyServiceError";
  override readonly docs = "README.md#services";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers: { "content-type": "application/json", ...(init.headers ?? {}) } });
  } catch {
    throw new KeyServiceError("The key service could not be reached.", 0);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    // The key service answers {error: {code, message}}.
    const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    const message = typeof error === "object" && error !== null ? String((error as { message?: unknown }).message ?? "") : typeof error === "string" ? error : response.statusText;
    throw new KeyServiceError(message || `The key service answered ${response.status}.`, response.status);
  }
  return body as T;
}

function number(value: unknown): number {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : 0;
}

/** Checks a usage answer field by field: the page draws what it is given. */
export function parseKeyUsage(raw: unknown): KeyUsage {
  const obj = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const summary = (obj.usage_summary ?? {}) as Record<string, unknown>;
  const breakdown: KeyUsage["model_breakdown"] = {};
  for (const [model, entry] of Object.entries((obj.model_breakdown ?? {}) as Record<string, Record<string, unknown>>)) {
    breakdown[model] = { requests: number(entry?.requests), tokens: number(entry?.tokens), cost: number(entry?.cost) };
  }
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((v) => typeof v === "object" && v !== null) : []);
  return {
    usage_summary: {
      total_requests: number(summary.total_requests),
      total_tokens: number(summary.total_tokens),
      total_cost: number(summary.total_cost),
    },
    model_breakdown: breakdown,
    recent_requests: list(obj.recent_requests).map((r) => ({
      request_id: String(r.request_id ?? ""),
      model: String(r.model ?? "unknown"),
      prompt_tokens: number(r.prompt_tokens),
      completion_tokens: number(r.completion_tokens),
      total_tokens: number(r.total_tokens),
      cost: number(r.cost),
      timestamp: String(r.timestamp ?? ""),
    })),
    daily_usage: list(obj.daily_usage).map((d) => ({
      date: String(d.date ?? ""),
      requests: number(d.requests),
      tokens: number(d.tokens),
      cost: number(d.cost),
    })),
    live: parseLiveLimit(obj.live),
  };
}

/**
 * The key service over HTTP (src/keys/http/routes.ts). Every request carries its own proof: POST
 * /v1/challenge {subscriptionId, action} gives a single-use nonce and the text to sign; the
 * wallet signs it; the action's POST carries {subscriptionId, nonce, signatures}. So each reveal,
 * rotation or usage read asks the wallet once, and usage is refreshed on request, not polled.
 */
export function httpKeyService(baseUrl: string): KeyService {
  return {
    async signIn(address, sign) {
      const proven = async <T>(path: string, action: ProofAction, id: bigint): Promise<T> => {
        const subscriptionId = id.toString();
        const challenge = await call<ChallengeAnswer>(`${baseUrl}/v1/challenge`, {
          method: "POST",
          body: JSON.stringify({ subscriptionId, action }),
        });
        const signatures = await sign(challenge.message);
        const body: ProvenRequest = { subscriptionId, nonce: challenge.nonce, signatures };
        return call<T>(`${baseUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
      };
      return {
        address,
        pollable: false,
        async revealKey(id) {
          return (await proven<{ key: string }>("/v1/keys/reveal", "reveal", id)).key;
        },
        async rotateKey(id) {
          await proven<unknown>("/v1/keys/rotate", "rotate", id);
        },
        async usage(id) {
          return parseKeyUsage(await proven<unknown>("/v1/usage", "usage", id));
        },
      };
    },
  };
}
