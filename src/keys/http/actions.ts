/**
 * The key service's client, one for every caller: the page (its wallet signs through FCL), the
 * local customer and the bill verifier (a local key signs). As in viem, a client is what stays
 * the same between calls (the service's URL and the signer) and each action is a function of
 * (client, args). A proven action asks for a challenge, has its messageHex signed and sends the
 * proof with its own fields; every answer is read by its route's schema in wire/answers.ts, and every
 * failure is one KeyServiceError. Runs in Node and browsers: fetch and zod/mini only.
 */
import * as z from "zod/mini";
import { FlareFlowError } from "../../errors";
// The answers and common parts only: importing the requests' schemas would put them in the page's bundle.
import { ChallengeAnswer, ErrorAnswer, KeyAnswer, LeavesAnswer, UsageAnswer } from "./wire/answers";
import { wireIssue, type ProofAction } from "./wire/common";
import type { CompositeSignature, ProvenRequest } from "./wire/requests";

/** A signature as FCL's currentUser.signUserMessage returns it (the service normalises it). */
export type UserSignature = z.input<typeof CompositeSignature>;

/** Signs a challenge's messageHex: FCL's wallet on the page, a local key elsewhere (signUserMessage in src/flow/runtime). */
export type ChallengeSigner = (messageHex: string) => Promise<readonly UserSignature[]> | readonly UserSignature[];

export interface KeyServiceClient {
  /** The service's base URL, without a trailing slash. */
  readonly url: string;
  readonly sign: ChallengeSigner;
}

export function keyServiceClient(url: string, sign: ChallengeSigner): KeyServiceClient {
  return { url: url.replace(/\/+$/, ""), sign };
}

export class KeyServiceError extends FlareFlowError {
  override readonly name = "KeyServiceError";
  override readonly docs = "README.md#services";
  constructor(
    message: string,
    /** The HTTP status; 0 when the service could not be reached. */
    readonly status: number,
    /** The refusal's code (`nonce_expired`, `key_pending`, …); undefined unless the service refused in its own words. */
    readonly code?: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** An answer read by `schema`: a malformed one is an error naming the route and the field, never a value. */
export function readAnswer<T>(route: string, schema: z.ZodMiniType<T>, json: unknown, status = 200): T {
  const r = z.safeParse(schema, json);
  if (!r.success) throw new KeyServiceError(`The key service's answer to ${route} is malformed: ${wireIssue(r.error, "the answer")}.`, status);
  return r.data;
}

/** A POST to the key service; a refusal is thrown with the service's own message and code. */
async function post<T>(client: KeyServiceClient, route: string, body: unknown, answer: z.ZodMiniType<T>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${client.url}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (cause) {
    throw new KeyServiceError("The key service could not be reached.", 0, undefined, { cause });
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const refusal = z.safeParse(ErrorAnswer, json);
    if (!refusal.success) throw new KeyServiceError(`The key service answered ${response.status} to ${route}.`, response.status);
    const { code, message } = refusal.data.error;
    throw new KeyServiceError(message || `The key service answered ${response.status} to ${route}.`, response.status, code);
  }
  return readAnswer(route, answer, json, response.status);
}

/** A single-use challenge for `action` on the subscription. */
function getChallenge(client: KeyServiceClient, args: { subscriptionId: bigint; action: ProofAction }): Promise<ChallengeAnswer> {
  return post(client, "/v1/challenge", { subscriptionId: args.subscriptionId.toString(), action: args.action }, ChallengeAnswer);
}

/** Challenge, sign, call: the proof of `action` with the request's own fields. */
async function proven<T>(client: KeyServiceClient, action: ProofAction, route: string, subscriptionId: bigint, answer: z.ZodMiniType<T>, fields: object = {}): Promise<T> {
  const challenge = await getChallenge(client, { subscriptionId, action });
  const signatures = await client.sign(challenge.messageHex);
  const proof: ProvenRequest = { subscriptionId: subscriptionId.toString(), nonce: challenge.nonce, signatures: [...signatures] };
  return post(client, route, { ...proof, ...fields }, answer);
}

/** The subscription's plaintext key (POST /v1/keys/reveal). */
export function revealKey(client: KeyServiceClient, args: { subscriptionId: bigint }): Promise<KeyAnswer> {
  return proven(client, "reveal", "/v1/keys/reveal", args.subscriptionId, KeyAnswer);
}

/** A new key in place of the old one (POST /v1/keys/rotate). */
export function rotateKey(client: KeyServiceClient, args: { subscriptionId: bigint }): Promise<KeyAnswer> {
  return proven(client, "rotate", "/v1/keys/rotate", args.subscriptionId, KeyAnswer);
}

/** Pending usage (LiteLLM's live view, not yet billed) with the live limit's figures (POST /v1/usage). */
export function getUsage(client: KeyServiceClient, args: { subscriptionId: bigint; startDate?: Date; endDate?: Date }): Promise<UsageAnswer> {
  return proven(client, "usage", "/v1/usage", args.subscriptionId, UsageAnswer, { startDate: args.startDate?.toISOString(), endDate: args.endDate?.toISOString() });
}

/** The requests under the subscription's report lines in windows [fromWindow, toWindow] (POST /v1/leaves, the "usage" proof). */
export function getLeaves(client: KeyServiceClient, args: { subscriptionId: bigint; fromWindow: bigint; toWindow: bigint }): Promise<LeavesAnswer> {
  return proven(client, "usage", "/v1/leaves", args.subscriptionId, LeavesAnswer, { fromWindow: args.fromWindow.toString(), toWindow: args.toWindow.toString() });
}
