/**
 * Form checks that mirror the contracts' pre-conditions, so a bad value never reaches the wallet.
 * Each form is a zod/mini schema (the wire's library, already in the page's bundle) over the
 * fields' text, its value type inferred; each field is read by a reader below that says, in the
 * contract's terms, why a text is refused, and every refused field is reported, not just the first.
 */
import * as z from "zod/mini";
import { formatFlow, parseUFix64 } from "../../src/pricing/units";
import type { NewSubscription, SubscriptionChanges } from "./services/flowClient";

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export type Parsed<T, K extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<K> };

/** A form field read by `read`: its value, or the refusal in the words `read` gives. */
export function field<T>(read: (text: string) => { value: T } | { refused: string }): z.ZodMiniType<T, string> {
  return z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      const r = read(text);
      if ("value" in r) return r.value;
      ctx.issues.push({ code: "custom", message: r.refused, input: text });
      return z.NEVER;
    }),
  );
}

/** The form's fields through `schema`: the value, or each refused field's first reason. */
function parseForm<S extends z.ZodMiniType, K extends string>(schema: S, fields: Record<K, string>): Parsed<z.output<S>, K> {
  const r = z.safeParse(schema, fields);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors<K> = {};
  for (const issue of r.error.issues) {
    const name = issue.path[0] as K;
    errors[name] ??= issue.message;
  }
  return { ok: false, errors };
}

const refusedIfText = <T>(v: T | string): { value: T } | { refused: string } => (typeof v === "string" ? { refused: v } : { value: v });

/** An optional amount: empty is none (nil on chain). */
const optionalAmount = (label: string) => field<{ units: bigint; text: string } | null>((text) => (text.trim() === "" ? { value: null } : refusedIfText(parseAmount(text, label))));
const models = field<string[] | null>((text) => {
  const m = parseModels(text);
  return typeof m === "string" ? { refused: m } : { value: m };
});

/** A positive FLOW amount with at most 8 decimals, as UFix64 text; or the reason it is not. */
export function parseAmount(text: string, label: string): { units: bigint; text: string } | string {
  const trimmed = text.trim();
  if (trimmed === "") return `${label} is required.`;
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return `${label} must be a number of FLOW, like 10 or 2.5.`;
  if (/\.\d{9,}$/.test(trimmed)) return `${label} has at most 8 decimals.`;
  let units: bigint;
  try {
    units = parseUFix64(trimmed);
  } catch {
    return `${label} is too large.`;
  }
  if (units === 0n) return `${label} must be more than 0.`;
  return { units, text: trimmed.includes(".") ? trimmed : `${trimmed}.0` };
}

export function isFlowAddress(text: string): boolean {
  return /^0x[0-9a-fA-F]{16}$/.test(text.trim());
}

/** A comma-separated model list: empty allows every model (nil on chain). */
export function parseModels(text: string): string[] | null | string {
  const models = text
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
  if (models.length === 0) return null;
  const tooLong = models.find((m) => new TextEncoder().encode(m).length > 128);
  if (tooLong) return `Model names are at most 128 bytes ("${tooLong.slice(0, 20)}…" is longer).`;
  return Array.from(new Set(models));
}

export interface SubscriptionFields {
  provider: string;
  deposit: string;
  cap: string;
  models: string;
}

/** The deposit refusal, in the contract's terms (SimpleUsageSubscriptions.open). */
export function belowMinimumDeposit(minimumDeposit: bigint): string {
  return `The deposit must be at least the minimum deposit of ${formatFlow(minimumDeposit)} FLOW.`;
}

/** The top-up refusal for an escrow that ran out (SimpleUsageSubscriptions.Customer.topUp). */
export function belowResumeMinimum(minimumDeposit: bigint): string {
  return `The escrow ran out: resume it with at least the minimum deposit of ${formatFlow(minimumDeposit)} FLOW.`;
}

/**
 * The create form. `minimumDeposit` (units; from get_escrow_settings) null: not known, and the
 * chain is left to refuse a small deposit.
 */
function newSubscriptionForm(minimumDeposit: bigint | null) {
  return z.pipe(
    z.object({
      provider: field<string>((text) => (isFlowAddress(text) ? { value: text.trim().toLowerCase() } : { refused: "The provider is a Flow address: 0x and 16 hex digits." })),
      deposit: field<{ units: bigint; text: string }>((text) => {
        const deposit = parseAmount(text, "The deposit");
        if (typeof deposit !== "string" && minimumDeposit !== null && deposit.units < minimumDeposit) return { refused: belowMinimumDeposit(minimumDeposit) };
        return refusedIfText(deposit);
      }),
      cap: optionalAmount("The spending cap"),
      models,
    }),
    z.transform(
      (f): NewSubscription & { depositUnits: bigint } => ({
        provider: f.provider,
        deposit: f.deposit.text,
        depositUnits: f.deposit.units,
        maxBudgetPerPeriod: f.cap ? f.cap.text : null,
        allowedModels: f.models,
      }),
    ),
  );
}

export function validateNewSubscription(
  fields: SubscriptionFields,
  minimumDeposit: bigint | null = null,
): Parsed<NewSubscription & { depositUnits: bigint }, keyof SubscriptionFields> {
  return parseForm(newSubscriptionForm(minimumDeposit), { provider: fields.provider, deposit: fields.deposit, cap: fields.cap, models: fields.models });
}

/**
 * A top-up amount. A subscription whose escrow ran out (balance 0) resumes only with at least the
 * minimum deposit; `minimumDeposit` null there: not known, and the chain is left to refuse.
 */
export function validateTopUp(text: string, exhausted: boolean, minimumDeposit: bigint | null): { units: bigint; text: string } | string {
  const parsed = parseAmount(text, "The amount");
  if (typeof parsed === "string") return parsed;
  if (exhausted && minimumDeposit !== null && parsed.units < minimumDeposit) return belowResumeMinimum(minimumDeposit);
  return parsed;
}

/** The change form: a new cap (empty: none) and model list (empty: every model). */
const changesForm = z.pipe(
  z.object({ cap: optionalAmount("The spending cap"), models }),
  z.transform((f): SubscriptionChanges => ({ maxBudgetPerPeriod: f.cap ? f.cap.text : null, allowedModels: f.models })),
);

export function validateChanges(fields: { cap: string; models: string }): Parsed<SubscriptionChanges, "cap" | "models"> {
  return parseForm(changesForm, { cap: fields.cap, models: fields.models });
}
