/**
 * The key service's request bodies, as the server reads them (validate.ts, routes.ts); clients
 * take only their input types. Apart from the answers because a zod schema is built when its
 * module loads, which no bundler can leave out: the page, which only reads answers, would
 * otherwise ship every check of the service's requests in its first load.
 */
import * as z from "zod/mini";
import { UINT64_MAX } from "../../../pricing/units";
import { ARRAY, Nonce, OBJECT, ProofAction, canonicalUInt64 } from "./common";

/** Flow account key indices are 32-bit: a larger one would overflow in the Cadence check after the nonce is spent. */
const MAX_KEY_INDEX = 0xffff_ffff;

/** Signatures in one proof (an FCL composite signature has one per account key used). */
const MAX_SIGNATURES = 20;

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

/** A window id of a leaves request, read as a bigint. */
const WindowId = z.pipe(canonicalUInt64("must be a window id (UInt64 in decimal)"), z.transform((s) => BigInt(s)));

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

