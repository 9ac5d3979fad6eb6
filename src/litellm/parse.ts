/**
 * LiteLLM's answers as schemas (zod/mini), turning untrusted response bodies into the typed
 * shapes of ./types (inferred from these schemas). Each parse throws ShapeError with the
 * offending path, what was expected there and what came.
 */
import * as z from "zod/mini";
import { ShapeError } from "./validate";

/** Each schema's message is what it expected: ShapeError writes "<path>: expected <it>, got <what came>". */
const Str = z.string({ error: "string" });
const Num = z.number({ error: "finite number" });
const NonNegNum = Num.check(z.gte(0, { error: "non-negative number" }));
const Count = Num.check(z.refine((n) => Number.isSafeInteger(n) && n >= 0, { error: "non-negative integer" }));
const Bool = z.boolean({ error: "boolean" });
const Hash64 = Str.check(z.regex(/^[0-9a-f]{64}$/, { error: "sha256 hex" }));
const IsoDate = Str.check(z.refine((s) => !Number.isNaN(Date.parse(s)), { error: "ISO date string" }));
const Strings = z.array(Str, { error: "array" });
const OBJECT = { error: "object" };

/** A field LiteLLM may omit: absent and null both read as `fallback`. */
function opt<T extends z.ZodMiniType, F = null>(inner: T, fallback: () => F = () => null as F) {
  return z.pipe(z.optional(z.nullable(inner)), z.transform((v) => (v ?? fallback()) as z.output<T> | F));
}

/**
 * LiteLLM stores some JSON columns as strings in older releases and as objects in newer ones
 * (metadata, request_tags); both are accepted as an object, absent, null and "" as {}.
 */
const JsonObjectOrString = z.pipe(
  z.transform((v: unknown, ctx) => {
    if (v === null || v === undefined || v === "") return {};
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      ctx.issues.push({ code: "custom", message: "JSON object (or its string form)", input: v });
      return z.NEVER;
    }
  }),
  z.looseObject({}, OBJECT),
);

/** POST /key/generate answer: the only time the raw key is ever returned. */
export const GenerateKeyResponse = z.object(
  {
    /** The raw `sk-` key. Never log it; hand it to its owner once. */
    key: Str.check(z.refine((k) => k.startsWith("sk-"), { error: "an sk- key", params: { got: "another string" } })),
    /** sha256 hex of `key`: what LiteLLM stores and what goes on Flow. */
    token: Hash64,
    key_alias: opt(Str),
    key_name: opt(Str),
    expires: opt(IsoDate),
    models: opt(Strings, (): string[] => []),
    max_budget: opt(NonNegNum),
    budget_duration: opt(Str),
    metadata: JsonObjectOrString,
  },
  OBJECT,
);
export type GenerateKeyResponse = z.infer<typeof GenerateKeyResponse>;

export const KeyInfo = z.object(
  {
    /** Present in /key/list full objects and /key/block answers; /key/info drops it. */
    token: opt(Hash64),
    key_alias: opt(Str),
    key_name: opt(Str),
    spend: opt(NonNegNum, () => 0),
    max_budget: opt(NonNegNum),
    budget_duration: opt(Str),
    budget_reset_at: opt(IsoDate),
    expires: opt(IsoDate),
    models: opt(Strings, (): string[] => []),
    metadata: JsonObjectOrString,
    /** LiteLLM leaves this null on keys never blocked. */
    blocked: opt(Bool, () => false),
    rpm_limit: opt(Count),
    tpm_limit: opt(Count),
    created_at: opt(IsoDate),
  },
  OBJECT,
);
export type KeyInfo = z.infer<typeof KeyInfo>;

/** GET /key/info answer: `{key: <as asked>, info: {...}}`. */
const KeyInfoResponse = z.object({ key: Str, info: KeyInfo }, OBJECT);
export type KeyInfoResponse = z.infer<typeof KeyInfoResponse>;

/** /key/list: entries are checked one by one (parseKeyListEntry), as a hash or a full row. */
const KeyListAnswer = z.object(
  { keys: z.array(z.unknown(), { error: "array" }), total_count: opt(Count), current_page: opt(Count), total_pages: opt(Count) },
  OBJECT,
);

const DeleteKeysResponse = z.object(
  {
    /** LiteLLM echoes what it was asked to delete (keys or aliases). */
    deleted_keys: Strings,
  },
  OBJECT,
);
export type DeleteKeysResponse = z.infer<typeof DeleteKeysResponse>;

/** /key/update answers `{key, ...the updated key row}` (the row carries its `token`). */
const UpdatedKey = z.looseObject({ key: Str, token: Hash64 }, OBJECT);

const SpendLogMetadata = z.pipe(
  JsonObjectOrString,
  z.looseObject({
    user_api_key: opt(Str),
    user_api_key_alias: opt(Str),
    user_api_key_user_id: opt(Str),
    spend_logs_metadata: opt(JsonObjectOrString),
  }),
);
export type SpendLogMetadata = z.infer<typeof SpendLogMetadata>;

/** One row of LiteLLM_SpendLogs as /spend/logs/v2 returns it. */
export const SpendLogRow = z
  .object(
    {
      prompt_tokens: Count,
      completion_tokens: Count,
      total_tokens: Count,
      request_id: Str,
      call_type: opt(Str, () => ""),
      /** sha256 hex of the virtual key that made the request. */
      api_key: Str,
      spend: NonNegNum,
      startTime: IsoDate,
      endTime: IsoDate,
      model: Str,
      model_group: opt(Str),
      user: opt(Str),
      status: opt(Str),
      metadata: SpendLogMetadata,
    },
    OBJECT,
  )
  .check(
    // A row whose parts do not add up would bill the wrong amount downstream.
    z.superRefine((r, ctx) => {
      const sum = r.prompt_tokens + r.completion_tokens;
      if (r.total_tokens !== sum) ctx.issues.push({ code: "custom", path: ["total_tokens"], message: `prompt_tokens + completion_tokens (${sum})`, input: r.total_tokens });
    }),
  );
export type SpendLogRow = z.infer<typeof SpendLogRow>;

/**
 * GET /spend/logs/v2 answer. Rows are ordered by startTime descending. LiteLLM counts at most
 * SPEND_LOGS_PAGINATION_COUNT_CAP (10,000) matching rows: past that, `total` reads 10,000,
 * `total_is_capped` is true and `total_pages` stops short of the last page, so a reader pages
 * until an empty page (spend_management_endpoints.py `ui_view_spend_logs`, LiteLLM 1.110.2).
 */
const SpendLogsPage = z.object(
  {
    data: z.array(SpendLogRow, { error: "array" }),
    total: Count,
    page: Count,
    page_size: Count,
    total_pages: Count,
    /** Absent in releases that did not cap the count (read as false). */
    total_is_capped: opt(Bool, () => false),
  },
  OBJECT,
);
export type SpendLogsPage = z.infer<typeof SpendLogsPage>;

/** `value` read by `schema`, or a ShapeError at `path` and the first refused field. */
function shape<T>(schema: z.ZodMiniType<T>, value: unknown, path: string): T {
  const r = z.safeParse(schema, value, { reportInput: true });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = (issue?.path ?? []).reduce<string>((p, k) => (typeof k === "number" ? `${p}[${k}]` : p ? `${p}.${String(k)}` : String(k)), path);
  const params = (issue as { params?: { got?: unknown } } | undefined)?.params;
  throw new ShapeError(where, issue?.message ?? "a well-formed body", params?.got ?? issue?.input);
}

export function parseGenerateKeyResponse(body: unknown): GenerateKeyResponse {
  return shape(GenerateKeyResponse, body, "");
}

export function parseKeyInfo(value: unknown, path: string): KeyInfo {
  return shape(KeyInfo, value, path);
}

export function parseKeyInfoResponse(body: unknown): KeyInfoResponse {
  return shape(KeyInfoResponse, body, "");
}

/** One /key/list entry: a full key row, or only its hash (the default form). */
export type KeyListEntry = { kind: "full"; info: KeyInfo } | { kind: "hash"; token: string };

export function parseKeyListEntry(value: unknown, path: string): KeyListEntry {
  if (typeof value === "string") return { kind: "hash", token: shape(Hash64, value, path) };
  return { kind: "full", info: parseKeyInfo(value, path) };
}

/** /key/list in either form; hash-only entries are returned for the caller to complete. */
export function parseKeyListAnswer(body: unknown): { entries: KeyListEntry[]; total_count: number; current_page: number; total_pages: number } {
  const o = shape(KeyListAnswer, body, "");
  const entries = o.keys.map((v, i) => parseKeyListEntry(v, `keys[${i}]`));
  return { entries, total_count: o.total_count ?? entries.length, current_page: o.current_page ?? 1, total_pages: o.total_pages ?? 1 };
}

export function parseDeleteKeysResponse(body: unknown): DeleteKeysResponse {
  return shape(DeleteKeysResponse, body, "");
}

export function parseUpdateKeyResponse(body: unknown): KeyInfo {
  shape(UpdatedKey, body, "");
  return parseKeyInfo(body, "");
}

export function parseSpendLogRow(value: unknown, path: string): SpendLogRow {
  return shape(SpendLogRow, value, path);
}

export function parseSpendLogsPage(body: unknown): SpendLogsPage {
  return shape(SpendLogsPage, body, "");
}
