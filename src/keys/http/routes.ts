/**
 * The key service's HTTP API.
 *
 *   GET  /health                 progress: cursor, sealed head, pending work, last error
 *   POST /v1/challenge           {subscriptionId, action} -> a single-use nonce and the text to sign
 *   POST /v1/keys/reveal         {subscriptionId, nonce, signatures} -> the plaintext key
 *   POST /v1/keys/rotate         {subscriptionId, nonce, signatures} -> the new plaintext key
 *   POST /v1/usage               {subscriptionId, nonce, signatures, startDate?, endDate?} -> pending usage
 *   POST /v1/leaves              {subscriptionId, nonce, signatures, fromWindow, toWindow} -> the requests
 *                                under the subscription's report lines (leaves.ts; the "usage" proof)
 *
 * Every proof is checked in the same order: every field of the body (so a
 * malformed request is a 400 that spends no nonce), nonce consumed (single
 * use, unexpired, same subscription and action), subscription known, signer is
 * the subscription's customer, signature valid on Flow.
 */
import type { FlowContext } from "../../flow/runtime";
import { ChallengeError, ChallengeLimitError, messageHex, type ChallengeStore } from "./challenges";
import { ChallengeRequest, LeavesRequest, ProvenRequest, UsageRequest, type ChallengeAnswer, type KeyAnswer, type LeavesAnswer, type ProofAction, type UsageAnswer } from "./wire";
import { keyError } from "./errors";
import { verifyOwnership } from "./proof";
import type { JsonRequest } from "./server";
import { parseBody } from "./validate";
import { leavesAnswer, type LeavesReader } from "../leaves";
import type * as z from "zod/mini";

/** A key as reveal and rotate answer it (wire/answers.ts KeyAnswer). */
export type DeliveredKey = KeyAnswer;

export interface KeyServiceApi {
  readonly flow: FlowContext;
  readonly challenges: ChallengeStore;
  /** The subscription's customer, or undefined when the subscription is not this provider's (or not seen yet). */
  customerOf(subscriptionId: string): string | undefined;
  reveal(subscriptionId: string): DeliveredKey;
  rotate(subscriptionId: string): Promise<DeliveredKey>;
  usage(subscriptionId: string, startDate?: Date, endDate?: Date): Promise<UsageAnswer>;
  health(): unknown;
}

/**
 * Checks the proof in `body` for `action`: `schema` parses the whole body (the proof and the
 * action's own fields) before the nonce is spent.
 */
async function proven<T extends z.output<typeof ProvenRequest>>(api: KeyServiceApi, body: unknown, action: ProofAction, schema: z.ZodMiniType<T>): Promise<T> {
  const request = parseBody(schema, body);
  const id = request.subscriptionId;
  const customer = api.customerOf(id);
  let challenge;
  try {
    challenge = api.challenges.consume(request.nonce, id, action);
  } catch (e) {
    if (e instanceof ChallengeError) throw keyError(401, `nonce_${e.reason}`, e.message);
    throw e;
  }
  if (customer === undefined) throw keyError(404, "unknown_subscription", `subscription ${id} is not served by this key service`);
  await verifyOwnership(api.flow, customer, messageHex(challenge), request.signatures);
  return request;
}

export function keyServiceRoutes(api: KeyServiceApi, leaves?: LeavesReader): (req: JsonRequest) => Promise<{ status: number; body: unknown }> {
  return async (req) => {
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case "GET /health":
        return { status: 200, body: api.health() };
      case "POST /v1/challenge": {
        const { subscriptionId: id, action } = parseBody(ChallengeRequest, req.body);
        if (api.customerOf(id) === undefined) throw keyError(404, "unknown_subscription", `subscription ${id} is not served by this key service`);
        let c;
        try {
          c = api.challenges.issue(id, action, req.client);
        } catch (e) {
          if (!(e instanceof ChallengeLimitError)) throw e;
          throw keyError(429, "too_many_challenges", e.message, { "retry-after": String(e.retryAfterSeconds) });
        }
        return {
          status: 200,
          body: {
            subscriptionId: id,
            action,
            nonce: c.nonce,
            messageHex: messageHex(c),
            expiresAt: new Date(c.expiresAt).toISOString(),
          } satisfies ChallengeAnswer,
        };
      }
      case "POST /v1/keys/reveal": {
        const { subscriptionId } = await proven(api, req.body, "reveal", ProvenRequest);
        return { status: 200, body: api.reveal(subscriptionId) satisfies KeyAnswer };
      }
      case "POST /v1/keys/rotate": {
        const { subscriptionId } = await proven(api, req.body, "rotate", ProvenRequest);
        return { status: 200, body: (await api.rotate(subscriptionId)) satisfies KeyAnswer };
      }
      case "POST /v1/usage": {
        const { subscriptionId, startDate, endDate } = await proven(api, req.body, "usage", UsageRequest);
        return { status: 200, body: (await api.usage(subscriptionId, startDate, endDate)) satisfies UsageAnswer };
      }
      case "POST /v1/leaves": {
        const { subscriptionId, fromWindow, toWindow } = await proven(api, req.body, "usage", LeavesRequest);
        return { status: 200, body: leavesAnswer(leaves, subscriptionId, { from: fromWindow, to: toWindow }) satisfies LeavesAnswer };
      }
      default:
        throw keyError(404, "not_found", `no route ${route}`);
    }
  };
}
