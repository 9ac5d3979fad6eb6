/**
 * The key service's answers, as every client reads them (actions.ts: the page, the local customer
 * and the bill verifier) and as the server builds them (their types). Nothing here but zod/mini,
 * the report's field predicates and common.ts: this is what the page's bundle gets of the wire.
 */
import * as z from "zod/mini";
import { isRequestsRoot, isValidFamily, isWellFormedRequestId } from "../../../report/fields";
import { ARRAY, Nonce, OBJECT, ProofAction, TEXT, canonicalUInt64 } from "./common";

/** A subscription id as the service writes it. */
const AnswerId = canonicalUInt64("must be a UInt64 in decimal");
const ISO_TIME = "must be an ISO time";
const IsoTime = z.string({ error: ISO_TIME }).check(z.refine((s) => !Number.isNaN(Date.parse(s)), { error: ISO_TIME }));

/** The answer of POST /v1/challenge. */
export const ChallengeAnswer = z.object({
  subscriptionId: AnswerId,
  action: ProofAction,
  nonce: Nonce,
  /** The hex of the UTF-8 text the wallet signs: what signUserMessage takes and the proof is checked against. */
  messageHex: z.string({ error: "must be hex" }).check(z.regex(/^([0-9a-f]{2})*$/, { error: "must be hex" })),
  /** ISO time after which the nonce is refused. */
  expiresAt: IsoTime,
}, OBJECT);
export type ChallengeAnswer = z.infer<typeof ChallengeAnswer>;

/** The answer of POST /v1/keys/reveal and /v1/keys/rotate: the plaintext key and what names it. */
export const KeyAnswer = z.object({
  subscriptionId: AnswerId,
  key: z.string(TEXT).check(z.minLength(1, { error: "must not be empty" })),
  keyHash: z.string(TEXT),
  alias: z.string(TEXT),
  generation: z.int({ error: "must be a whole number" }),
}, OBJECT);
export type KeyAnswer = z.infer<typeof KeyAnswer>;

/** Every refusal: {error: {code, message}}. */
export const ErrorAnswer = z.object({ error: z.object({ code: z.string(TEXT), message: z.string(TEXT) }, OBJECT) }, OBJECT);
export type ErrorAnswer = z.infer<typeof ErrorAnswer>;

const UFIX = "must be a FLOW amount (UFix64 text)";
/** FLOW as UFix64 text, 8 decimals. */
const UFix64 = z.string({ error: UFIX }).check(z.regex(/^\d{1,12}\.\d{8}$/, { error: UFIX }));
const WHOLE = "must be a whole number";
const Count = z.int({ error: WHOLE }).check(z.nonnegative({ error: WHOLE }));
const AMOUNT = "must be a number";
const Amount = z.number({ error: AMOUNT });

/**
 * The live figures of one subscription (src/keys/live/limiter.ts writes them), as the usage
 * answer shows them.
 */
export const LiveView = z.object({
  /** "escrow" / "cap": the key is paused until the figure below is lifted; null: there is room. */
  reached: z.nullable(z.enum(["escrow", "cap"], { error: "must be escrow, cap or null" })),
  pendingTokens: z.string({ error: WHOLE }).check(z.regex(/^\d+$/, { error: WHOLE })),
  pendingCost: UFix64,
  escrowLeft: UFix64,
  unpaid: UFix64,
  periodSpend: UFix64,
  cap: z.nullable(UFix64),
  /** What a top-up (escrow) or a cap raise (cap) must at least add to lift the pause. */
  toLift: z.nullable(UFix64),
  periodEnd: IsoTime,
  room: UFix64,
  tpmLimit: z.nullable(Count),
  asOf: IsoTime,
}, OBJECT);
export type LiveView = z.infer<typeof LiveView>;

const RecentRequest = z.object({
  request_id: z.string(TEXT),
  model: z.string(TEXT),
  prompt_tokens: Count,
  completion_tokens: Count,
  total_tokens: Count,
  cost: Amount,
  timestamp: z.string(TEXT),
}, OBJECT);
export type RecentRequest = z.infer<typeof RecentRequest>;

const DailyUsage = z.object({
  /** UTC calendar day, YYYY-MM-DD. */
  date: z.string(TEXT),
  requests: Count,
  tokens: Count,
  cost: Amount,
}, OBJECT);
export type DailyUsage = z.infer<typeof DailyUsage>;

/** The seed's getKeyUsage shape (flareflow-readme "Usage Analytics"); costs are LiteLLM's estimate, not a bill. */
const keyUsage = {
  usage_summary: z.object({ total_requests: Count, total_tokens: Count, total_cost: Amount }, OBJECT),
  model_breakdown: z.record(z.string(), z.object({ requests: Count, tokens: Count, cost: Amount }, OBJECT), OBJECT),
  recent_requests: z.array(RecentRequest, ARRAY),
  daily_usage: z.array(DailyUsage, ARRAY),
};
/** What src/litellm/usage.ts builds from spend-log rows. */
export type KeyUsage = { [K in keyof typeof keyUsage]: z.infer<(typeof keyUsage)[K]> };

/** The answer of POST /v1/usage: the seed's getKeyUsage shape, the key hashes it covers and the live limit. */
export const UsageAnswer = z.object({
  subscriptionId: AnswerId,
  keyHashes: z.array(z.string(TEXT), ARRAY),
  ...keyUsage,
  /** Null from a service whose live limit has no figure for the subscription yet. */
  live: z.nullable(LiveView),
}, OBJECT);
export type UsageAnswer = z.infer<typeof UsageAnswer>;

/** One report line's requests (src/report/requests.ts hashes them to its requestsRoot); numbers are decimal uint64 text. */
export const LineLeaves = z.object({
  subscriptionId: canonicalUInt64("must be a decimal uint64 string"),
  family: z.string(TEXT).check(z.refine(isValidFamily, { error: "must be a family name (at most 31 printable ASCII characters)" })),
  requestsRoot: z.string(TEXT).check(z.refine(isRequestsRoot, { error: "must be 32 bytes of lowercase 0x-hex" })),
  requests: z.array(
    z.object({
      requestId: z.string(TEXT).check(z.refine(isWellFormedRequestId, { error: "must be well-formed Unicode (no lone surrogate)" })),
      tokens: canonicalUInt64("must be a decimal uint64 string"),
    }, OBJECT),
    ARRAY,
  ),
}, OBJECT);
export type LineLeaves = z.infer<typeof LineLeaves>;

/** A window's lines' requests: the connector's leaves file, and one entry of the leaves answer. */
export const WindowLeaves = z.object({ window: canonicalUInt64("must be a decimal uint64 string"), lines: z.array(LineLeaves, ARRAY) }, OBJECT);
export type WindowLeaves = z.infer<typeof WindowLeaves>;

/** The answer of POST /v1/leaves: the subscription's lines in each window of the range that has any. */
export const LeavesAnswer = z.object({ subscriptionId: AnswerId, windows: z.array(WindowLeaves, ARRAY) }, OBJECT);
export type LeavesAnswer = z.infer<typeof LeavesAnswer>;
