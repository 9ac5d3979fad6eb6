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
import type { KeyUsage } from "../../litellm";
import type { LiveView } from "../live/view";
import type { FlowContext } from "../../flow/runtime";
import { ChallengeError, ChallengeLimitError, messageHex, type ChallengeStore, type ProofAction } from "./challenges";
import type { ChallengeAnswer } from "./wire";
import { HttpError } from "./errors";
import { parseSignatures, verifyOwnership } from "./proof";
import type { JsonRequest } from "./server";
import { actionField, bodyObject, nonceField, optionalDateField, subscriptionIdField } from "./validate";
import { leavesAnswer, leavesRangeFields, type LeavesReader } from "../leaves";

export interface DeliveredKey {
  subscriptionId: string;
  key: string;
  keyHash: string;
  alias: string;
  generation: number;
}

export interface KeyServiceApi {
  readonly flow: FlowContext;
  readonly challenges: ChallengeStore;
  /** The subscription's customer, or undefined when the subscription is not this provider's (or not seen yet). */
  customerOf(subscriptionId: string): string | undefined;
  reveal(subscriptionId: string): DeliveredKey;
  rotate(subscriptionId: string): Promise<DeliveredKey>;
  usage(subscriptionId: string, startDate?: Date, endDate?: Date): Promise<KeyUsage & { subscriptionId: string; keyHashes: string[]; live: LiveView | null }>;
  health(): unknown;
}

/**
 * Checks the proof in `body` for `action`; `fields` parses the action's own
 * fields, before the nonce is spent.
 */
async function proven<T>(api: KeyServiceApi, body: unknown, action: ProofAction, fields: (o: Record<string, unknown>) => T): Promise<{ id: string; fields: T }> {
  const o = bodyObject(body);
  const id = subscriptionIdField(o);
  const nonce = nonceField(o);
  const signatures = parseSignatures(o["signatures"]);
  const parsed = fields(o);
  const customer = api.customerOf(id);
  let challenge;
  try {
    challenge = api.challenges.consume(nonce, id, action);
  } catch (e) {
    if (e instanceof ChallengeError) throw new HttpError(401, `nonce_${e.reason}`, e.message);
    throw e;
  }
  if (customer === undefined) throw new HttpError(404, "unknown_subscription", `subscription ${id} is not served by this key service`);
  await verifyOwnership(api.flow, customer, messageHex(challenge), signatures);
  return { id, fields: parsed };
}

const noFields = (): undefined => undefined;

function usageWindow(o: Record<string, unknown>): { start?: Date; end?: Date } {
  const start = optionalDateField(o, "startDate");
  const end = optionalDateField(o, "endDate");
  if (start && end && start > end) throw new HttpError(400, "bad_request", "startDate is after endDate");
  return { start, end };
}

export function keyServiceRoutes(api: KeyServiceApi, leaves?: LeavesReader): (req: JsonRequest) => Promise<{ status: number; body: unknown }> {
  return async (req) => {
    const route = `${req.method} ${req.path}`;
    switch (route) {
      case "GET /health":
        return { status: 200, body: api.health() };
      case "POST /v1/challenge": {
        const o = bodyObject(req.body);
        const id = subscriptionIdField(o);
        const action = actionField(o);
        if (api.customerOf(id) === undefined) throw new HttpError(404, "unknown_subscription", `subscription ${id} is not served by this key service`);
        let c;
        try {
          c = api.challenges.issue(id, action, req.client);
        } catch (e) {
          if (!(e instanceof ChallengeLimitError)) throw e;
          throw new HttpError(429, "too_many_challenges", e.message, { "retry-after": String(e.retryAfterSeconds) });
        }
        return {
          status: 200,
          body: {
            subscriptionId: id,
            action,
            nonce: c.nonce,
            message: c.message,
            messageHex: messageHex(c),
            expiresAt: new Date(c.expiresAt).toISOString(),
          } satisfies ChallengeAnswer,
        };
      }
      case "POST /v1/keys/reveal": {
        const { id } = await proven(api, req.body, "reveal", noFields);
        return { status: 200, body: api.reveal(id) };
      }
      case "POST /v1/keys/rotate": {
        const { id } = await proven(api, req.body, "rotate", noFields);
        return { status: 200, body: await api.rotate(id) };
      }
      case "POST /v1/usage": {
        const { id, fields } = await proven(api, req.body, "usage", usageWindow);
        return { status: 200, body: await api.usage(id, fields.start, fields.end) };
      }
      case "POST /v1/leaves": {
        const { id, fields } = await proven(api, req.body, "usage", leavesRangeFields);
        return { status: 200, body: leavesAnswer(leaves, id, fields) };
      }
      default:
        throw new HttpError(404, "not_found", `no route ${route}`);
    }
  };
}
