/**
 * The key service's wire contract: the schemas of its request bodies and answers, and the types
 * inferred from them. One module for every side: the server parses requests with it and builds
 * its answers to its types (validate.ts, routes.ts), the client (actions.ts: the page, the local
 * customer and the bill verifier) parses answers with it. It imports nothing but zod/mini (the
 * build of zod whose unused parts a bundler drops) and the report's field predicates, so the
 * page's bundle gets none of the service's code.
 *
 * Each message is the predicate of its field: wireIssue writes the field's path in front of it
 * ("subscriptionId must be ..."), so a refusal always names the field.
 */
import * as z from "zod/mini";
import { isRequestsRoot, isValidFamily, isWellFormedRequestId } from "../../report/fields";

/** The first issue as one sentence: its field's path (signatures[1].addr) or `root`, then the schema's predicate. */
export function wireIssue(error: z.core.$ZodError, root = "the body"): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${root} is malformed`;
  const where = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
  return `${where === "" ? root : where} ${issue.message}`;
}

const OBJECT = { error: "must be an object" };
const ARRAY = { error: "must be an array" };
const TEXT = { error: "must be a string" };

/** Flow's UInt64 maximum. */
const UINT64_MAX = 18446744073709551615n;

/** Flow account key indices are 32-bit: a larger one would overflow in the Cadence check after the nonce is spent. */
const MAX_KEY_INDEX = 0xffff_ffff;

/** Signatures in one proof (an FCL composite signature has one per account key used). */
const MAX_SIGNATURES = 20;

/** What a proof is for: each action needs its own single-use challenge. */
export const ACTIONS = ["reveal", "usage", "rotate"] as const;
export const ProofAction = z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(", ")}` });
export type ProofAction = z.infer<typeof ProofAction>;

const SUBSCRIPTION_ID = "must be a UInt64 in decimal";
/**
 * A subscription id as a request may write it: decimal digits (leading zeros allowed) or a safe
 * whole number; read as its canonical decimal text.
 */
const SubscriptionId = z.pipe(
  z.union(
    [
      z.string({ error: SUBSCRIPTION_ID }).check(
        // abort: the refine below must not see text BigInt cannot read.
        z.regex(/^\d{1,20}$/, { error: SUBSCRIPTION_ID, abort: true }),
        z.refine((s) => BigInt(s) <= UINT64_MAX, { error: SUBSCRIPTION_ID }),
      ),
      z.int({ error: SUBSCRIPTION_ID }).check(z.nonnegative({ error: SUBSCRIPTION_ID })),
    ],
    { error: SUBSCRIPTION_ID },
  ),
  z.transform((v) => BigInt(v).toString()),
);

/** A UInt64 in canonical decimal text (no sign, no leading zero), as the service writes ids. */
function canonicalUInt64(message: string) {
  return z.string({ error: message }).check(
    z.regex(/^(0|[1-9][0-9]{0,19})$/, { error: message, abort: true }),
    z.refine((s) => BigInt(s) <= UINT64_MAX, { error: message }),
  );
}

/** A window id of a leaves request, read as a bigint. */
const WindowId = z.pipe(canonicalUInt64("must be a window id (UInt64 in decimal)"), z.transform((s) => BigInt(s)));

const NONCE = "must be the 64 hex digits the challenge returned";
const Nonce = z.string({ error: NONCE }).check(z.regex(/^[0-9a-f]{64}$/, { error: NONCE }));

/** Usage queries cover LiteLLM's spend log, which began after 1970; years beyond 9999 have no 4-digit form. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const ISO_DATE = "must be an ISO 8601 date string";
/** An ISO date string read as a Date; longer than 40 characters is refused before it is parsed. */
const IsoDate = z.pipe(
  z.string({ error: ISO_DATE }).check(
    z.maxLength(40, { error: ISO_DATE, abort: true }),
    z.refine((s) => !Number.isNaN(new Date(s).getTime()), { error: ISO_DATE }),
  ),
  z.pipe(
    z.transform((s: string) => new Date(s)),
    z.date().check(z.refine((d) => d.getTime() >= EARLIEST && d.getTime() <= LATEST, { error: "must lie between 1970-01-01 and 9999-12-31" })),
  ),
);
/** Absent when missing or null. */
const OptionalIsoDate = z.pipe(z.optional(z.nullable(IsoDate)), z.transform((d) => d ?? undefined));

const SIGNATURE_ARRAY = "must be a non-empty array of {addr, keyId, signature} (FCL's signUserMessage result)";
/** A Flow address, 0x and up to 16 hex digits, read as 0x + 16 lower-case digits. */
const FlowAddress = z.pipe(
  z.string({ error: "must be a Flow address" }).check(z.regex(/^(0x)?[0-9a-fA-F]{1,16}$/, { error: "must be a Flow address" })),
  z.transform((s) => `0x${s.replace(/^0x/, "").toLowerCase().padStart(16, "0")}`),
);
const KEY_INDEX = `must be an account key index (0 to ${MAX_KEY_INDEX})`;
/** A signature of FCL's currentUser.signUserMessage (a composite signature). */
export const CompositeSignature = z.object(
  {
    addr: FlowAddress,
    keyId: z.int({ error: KEY_INDEX }).check(z.nonnegative({ error: KEY_INDEX }), z.maximum(MAX_KEY_INDEX, { error: KEY_INDEX })),
    // Whole bytes of hex, 0x or not; read as bare lower-case hex.
    signature: z.pipe(
      z.string({ error: "must be hex" }).check(z.regex(/^(0x)?([0-9a-fA-F]{2}){1,256}$/, { error: "must be hex" })),
      z.transform((s) => s.replace(/^0x/, "").toLowerCase()),
    ),
  },
  OBJECT,
);
export type CompositeSignature = z.infer<typeof CompositeSignature>;

/** The signatures of a proof; their number is checked before any one of them. */
const Signatures = z.pipe(
  z.array(z.unknown(), { error: SIGNATURE_ARRAY }).check(
    z.minLength(1, { error: SIGNATURE_ARRAY }),
    z.maxLength(MAX_SIGNATURES, { error: `may hold at most ${MAX_SIGNATURES}` }),
  ),
  z.array(CompositeSignature),
);

/** The body itself (wireIssue names it by its root). */
const BODY = { error: "must be a JSON object" };

/** POST /v1/challenge. */
export const ChallengeRequest = z.object({ subscriptionId: SubscriptionId, action: ProofAction }, BODY);
export type ChallengeRequest = z.input<typeof ChallengeRequest>;

/** The fields every proven request (reveal, rotate, usage, leaves) starts with. */
const proof = { subscriptionId: SubscriptionId, nonce: Nonce, signatures: Signatures };

/** The body of a proven request without fields of its own (reveal, rotate). */
export const ProvenRequest = z.object(proof, BODY);
/** What a client sends: the nonce and its signatures. */
export type ProvenRequest = z.input<typeof ProvenRequest>;

/** POST /v1/usage: a proof and an optional window, which may be a single instant. */
export const UsageRequest = z.object({ ...proof, startDate: OptionalIsoDate, endDate: OptionalIsoDate }, BODY).check(
  z.refine((o) => o.startDate === undefined || o.endDate === undefined || o.startDate <= o.endDate, { error: "is after endDate", path: ["startDate"] }),
);

/** POST /v1/leaves: a proof and a range of windows. */
export const LeavesRequest = z.object({ ...proof, fromWindow: WindowId, toWindow: WindowId }, BODY).check(
  z.refine((o) => o.fromWindow <= o.toWindow, { error: "is after toWindow", path: ["fromWindow"] }),
);

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
