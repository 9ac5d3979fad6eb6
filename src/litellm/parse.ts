/**
 * The schemas of LiteLLM's answers (zod/mini); ./types infers the answers' types from them.
 * LiteLLM is untrusted: each refusal is a ShapeError naming the path, what was expected and what
 * came (./validate). Unknown extra fields are tolerated and dropped, but for the metadata
 * documents, kept whole.
 */
import * as z from "zod/mini";
import { describe, expected, parseShape } from "./validate";

const Str = z.string(expected("string"));
const NonNegative = z.number(expected("finite number")).check(z.nonnegative(expected("non-negative number")));
const COUNT = {
  error: (issue: { input?: unknown }) =>
    `expected ${typeof issue.input === "number" && Number.isFinite(issue.input) ? "non-negative integer" : "finite number"}, got ${describe(issue.input)}`,
};
/** A non-negative safe integer: token counts, page numbers, limits. */
const Count = z.int(COUNT).check(z.nonnegative(COUNT));
const Bool = z.boolean(expected("boolean"));
const Hash = Str.check(z.regex(/^[0-9a-f]{64}$/, expected("sha256 hex")));
const IsoDate = Str.check(z.refine((s) => !Number.isNaN(Date.parse(s)), expected("ISO date string")));
const Strings = z.array(Str, expected("array"));

/** A field LiteLLM may omit: absent and null both read as null. */
const opt = <T extends z.core.SomeType>(schema: T) => z._default(z.nullable(schema), null);
/** A field LiteLLM may omit or send as null, read as `fallback()` then. */
const orElse = <T extends z.core.SomeType, F>(schema: T, fallback: () => F) =>
  z.pipe(z.nullish(schema), z.transform((v: z.output<T> | null | undefined) => v ?? fallback()));

/**
 * LiteLLM stores some JSON columns as strings in older releases and as objects in newer ones
 * (metadata, request_tags): text is parsed, then read by `document`; absent, null and "" read as {}.
 */
const jsonColumn = <T extends z.core.$ZodType>(document: T) =>
  z.pipe(
    z.transform((v: unknown, ctx) => {
      if (v === null || v === undefined || v === "") return {};
      if (typeof v !== "string") return v;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.issues.push({ code: "custom", message: `expected JSON object (or its string form), got ${describe(v)}`, input: v });
        return z.NEVER;
      }
    }),
    document,
  );
/** Any JSON object, kept whole. */
const JsonObject = z.looseObject({}, expected("object"));

export const GenerateKeyAnswer = z.object(
  {
    // The key is never written into a message: a wrong prefix says only that.
    key: Str.check(z.refine((k) => k.startsWith("sk-"), { error: 'expected an sk- key, got string "another string"' })),
    /** sha256 hex of `key`: what LiteLLM stores and what goes on Flow. */
    token: Hash,
    key_alias: opt(Str),
    key_name: opt(Str),
    expires: opt(IsoDate),
    models: orElse(Strings, (): string[] => []),
    max_budget: opt(NonNegative),
    budget_duration: opt(Str),
    metadata: jsonColumn(JsonObject),
  },
  expected("object"),
);

const keyInfoShape = {
  /** Present in /key/list full objects and /key/block answers; /key/info drops it. */
  token: opt(Hash),
  key_alias: opt(Str),
  key_name: opt(Str),
  spend: orElse(NonNegative, () => 0),
  max_budget: opt(NonNegative),
  budget_duration: opt(Str),
  budget_reset_at: opt(IsoDate),
  expires: opt(IsoDate),
  models: orElse(Strings, (): string[] => []),
  metadata: jsonColumn(JsonObject),
  /** LiteLLM leaves this null on keys never blocked. */
  blocked: orElse(Bool, () => false),
  rpm_limit: opt(Count),
  tpm_limit: opt(Count),
  created_at: opt(IsoDate),
};
export const KeyInfo = z.object(keyInfoShape, expected("object"));

export const KeyInfoAnswer = z.object({ key: Str, info: KeyInfo }, expected("object"));

/** One /key/list entry: a full key row, or only its hash (the default form); neither is refused as a row (the first branch). */
const KeyListEntry = z.union([
  z.pipe(KeyInfo, z.transform((info) => ({ kind: "full" as const, info }))),
  z.pipe(Hash, z.transform((token) => ({ kind: "hash" as const, token }))),
]);
export type KeyListEntry = z.output<typeof KeyListEntry>;

/** /key/list in either form; hash-only entries are returned for the caller to complete. */
export const KeyListAnswer = z.pipe(
  z.object(
    { keys: z.array(KeyListEntry, expected("array")), total_count: opt(Count), current_page: orElse(Count, () => 1), total_pages: orElse(Count, () => 1) },
    expected("object"),
  ),
  z.transform(({ keys, total_count, current_page, total_pages }) => ({ entries: keys, total_count: total_count ?? keys.length, current_page, total_pages })),
);

export const DeleteKeysAnswer = z.object({ deleted_keys: Strings }, expected("object"));

/** /key/update answers `{key, ...the updated key row}` (the row carries its `token`). */
const UpdateKeyAnswer = z.pipe(
  z.object({ key: Str, ...keyInfoShape, token: Hash }, expected("object")),
  z.transform(({ key: _asked, ...info }) => info),
);

export const SpendLogMetadata = z.looseObject(
  { user_api_key: opt(Str), user_api_key_alias: opt(Str), user_api_key_user_id: opt(Str), spend_logs_metadata: opt(jsonColumn(JsonObject)) },
  expected("object"),
);

export const SpendLogRow = z
  .object(
    {
      prompt_tokens: Count,
      completion_tokens: Count,
      total_tokens: Count,
      request_id: Str,
      call_type: orElse(Str, () => ""),
      /** sha256 hex of the virtual key that made the request. */
      api_key: Str,
      spend: NonNegative,
      startTime: IsoDate,
      endTime: IsoDate,
      model: Str,
      model_group: opt(Str),
      user: opt(Str),
      status: opt(Str),
      metadata: jsonColumn(SpendLogMetadata),
    },
    expected("object"),
  )
  .check(
    z.superRefine((row, ctx) => {
      const sum = row.prompt_tokens + row.completion_tokens;
      // A row whose parts do not add up would bill the wrong amount downstream.
      if (row.total_tokens !== sum) {
        ctx.addIssue({ code: "custom", path: ["total_tokens"], input: row.total_tokens, message: `expected prompt_tokens + completion_tokens (${sum}), got ${describe(row.total_tokens)}` });
      }
    }),
  );

/**
 * Spend-log rows are the hot path (a million a window on the API read), so their page is
 * compiled ahead of time (z.compile): a page of good rows goes through one generated function
 * (0.6 to 1.2 µs a row here, varying from process to process, against 3.3 µs through zod's
 * interpreter and 0.9 to 1.1 µs through the hand-written checks this replaced); a page with a
 * refused row is read again by the interpreter, whose first issue names the path.
 */
export const SpendLogsPage = z.compile(
  z.object(
    {
      data: z.array(SpendLogRow, expected("array")),
      total: Count,
      page: Count,
      page_size: Count,
      total_pages: Count,
      /** Absent in releases that did not cap the count (read as false). */
      total_is_capped: orElse(Bool, () => false),
    },
    expected("object"),
  ),
);

export const parseGenerateKeyResponse = (body: unknown) => parseShape(GenerateKeyAnswer, body, "");
export const parseKeyInfo = (value: unknown, path: string) => parseShape(KeyInfo, value, path);
export const parseKeyInfoResponse = (body: unknown) => parseShape(KeyInfoAnswer, body, "");
export const parseKeyListAnswer = (body: unknown) => parseShape(KeyListAnswer, body, "");
export const parseDeleteKeysResponse = (body: unknown) => parseShape(DeleteKeysAnswer, body, "");
export const parseUpdateKeyResponse = (body: unknown) => parseShape(UpdateKeyAnswer, body, "");
export const parseSpendLogsPage = (body: unknown) => parseShape(SpendLogsPage, body, "");
