/**
 * The provider's key service as the page uses it: a wallet-signed sign-in, then the
 * subscription's plaintext key, a key rotation, and pending usage (LiteLLM's live view, not yet
 * attested or billed). Components depend on the KeyService interface; httpKeyService is the
 * client of the real endpoints.
 */
import type { UserSignature } from "./flowClient";
import type { LiveLimit } from "../liveLimit";
import type { DailyUsage, KeyUsage as ServiceKeyUsage, RecentRequest } from "../../../src/litellm/types";
import { ChallengeAnswer, ErrorAnswer, KeyAnswer, UsageAnswer, wireIssue, type ProofAction, type ProvenRequest } from "../../../src/keys/http/wire";
import { FlareFlowError } from "../../../src/errors";
import * as z from "zod/mini";

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

/** A POST to the key service, its answer parsed by `answer` (src/keys/http/wire.ts). */
async function call<T>(baseUrl: string, path: string, body: unknown, answer: z.ZodMiniType<T>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    throw new KeyServiceError("The key service could not be reached.", 0);
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const refusal = z.safeParse(ErrorAnswer, json);
    throw new KeyServiceError((refusal.success ? refusal.data.error.message : "") || `The key service answered ${response.status}.`, response.status);
  }
  return parseAnswer(answer, json, path, response.status);
}

/** The key service's answer as `schema` reads it: a malformed one is an error naming the field, never drawn. */
function parseAnswer<T>(schema: z.ZodMiniType<T>, json: unknown, path: string, status: number): T {
  const r = z.safeParse(schema, json);
  if (!r.success) throw new KeyServiceError(`The key service's answer to ${path} is malformed: ${wireIssue(r.error, "the answer")}.`, status);
  return r.data;
}

/** A usage answer in the page's shape: LiteLLM's figures and the live limit's, the rest dropped. */
export function parseKeyUsage(raw: unknown): KeyUsage {
  const { usage_summary, model_breakdown, recent_requests, daily_usage, live } = parseAnswer(UsageAnswer, raw, "/v1/usage", 200);
  return {
    usage_summary,
    model_breakdown,
    recent_requests,
    daily_usage,
    live: live === null ? null : { reached: live.reached, pendingCost: live.pendingCost, escrowLeft: live.escrowLeft, unpaid: live.unpaid, periodSpend: live.periodSpend, cap: live.cap, toLift: live.toLift, periodEnd: live.periodEnd, asOf: live.asOf },
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
      const proven = async <T>(path: string, action: ProofAction, id: bigint, answer: z.ZodMiniType<T>): Promise<T> => {
        const subscriptionId = id.toString();
        const challenge = await call(baseUrl, "/v1/challenge", { subscriptionId, action }, ChallengeAnswer);
        const signatures = await sign(challenge.message);
        const body: ProvenRequest = { subscriptionId, nonce: challenge.nonce, signatures };
        return call(baseUrl, path, body, answer);
      };
      return {
        address,
        pollable: false,
        async revealKey(id) {
          return (await proven("/v1/keys/reveal", "reveal", id, KeyAnswer)).key;
        },
        async rotateKey(id) {
          await proven("/v1/keys/rotate", "rotate", id, KeyAnswer);
        },
        async usage(id) {
          return parseKeyUsage(await proven("/v1/usage", "usage", id, z.unknown()));
        },
      };
    },
  };
}
