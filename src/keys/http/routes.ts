/**
 * The key service's HTTP API.
 *
 *   GET  /health                 progress: cursor, sealed head, pending work, last error
 *   POST /v1/challenge           {subscriptionId, action} -> a single-use nonce and the text to sign
 *   POST /v1/keys/reveal         {subscriptionId, nonce, signatures} -> the plaintext key
 *   POST /v1/keys/rotate         {subscriptionId, nonce, signatures} -> the new plaintext key
 *   POST /v1/usage               {subscriptionId, nonce, signatures, startDate?, endDate?} -> pending usage
 *
 * Every proof is checked in the same order: body shape, subscription known,
 * nonce consumed (single use, unexpired, same subscription and action),
 * signer is the subscription's customer, signature valid on Flow.
 */
import type { KeyUsage } from "../../litellm";
import type { FlowContext } from "../../flow/runtime";
import { ChallengeError, messageHex, type ChallengeStore, type ProofAction } from "./challenges";
import { HttpError } from "./errors";
import { parseSignatures, verifyOwnership } from "./proof";
import type { JsonRequest } from "./server";
import { actionField, bodyObject, nonceField, optionalDateField, subscriptionIdField } from "./validate";

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
  usage(subscriptionId: string, startDate?: Date, endDate?: Date): Promise<KeyUsage & { subscriptionId: string; keyHashes: string[] }>;
  health(): unknown;
}

async function proven(api: KeyServiceApi, body: unknown, action: ProofAction): Promise<{ id: string; o: Record<string, unknown> }> {
  const o = bodyObject(body);
  const id = subscriptionIdField(o);
  const nonce = nonceField(o);
  const signatures = parseSignatures(o["signatures"]);
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
  return { id, o };
}

export function keyServiceRoutes(api: KeyServiceApi): (req: JsonRequest) => Promise<{ status: number; body: unknown }> {
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
        const c = api.challenges.issue(id, action);
        return {
          status: 200,
          body: {
            subscriptionId: id,
            action,
            nonce: c.nonce,
            message: c.message,
            messageHex: messageHex(c),
            expiresAt: new Date(c.expiresAt).toISOString(),
          },
        };
      }
      case "POST /v1/keys/reveal": {
        const { id } = await proven(api, req.body, "reveal");
        return { status: 200, body: api.reveal(id) };
      }
      case "POST /v1/keys/rotate": {
        const { id } = await proven(api, req.body, "rotate");
        return { status: 200, body: await api.rotate(id) };
      }
      case "POST /v1/usage": {
        const { id, o } = await proven(api, req.body, "usage");
        const start = optionalDateField(o, "startDate");
        const end = optionalDateField(o, "endDate");
        if (start && end && start > end) throw new HttpError(400, "bad_request", "startDate is after endDate");
        return { status: 200, body: await api.usage(id, start, end) };
      }
      default:
        throw new HttpError(404, "not_found", `no route ${route}`);
    }
  };
}
