/** Form checks that mirror the contracts' pre-conditions, so a bad value never reaches the wallet. */
import { formatFlow, parseUFix64 } from "../../src/pricing/units";
import type { NewSubscription, SubscriptionChanges } from "./services/flowClient";

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

export type Parsed<T, K extends string> = { ok: true; value: T } | { ok: false; errors: FieldErrors<K> };

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
 * `minimumDeposit` (units; from get_escrow_settings) null: not known, and the chain is left to
 * refuse a small deposit.
 */
export function validateNewSubscription(
  fields: SubscriptionFields,
  minimumDeposit: bigint | null = null,
): Parsed<NewSubscription & { depositUnits: bigint }, keyof SubscriptionFields> {
  const errors: FieldErrors<keyof SubscriptionFields> = {};
  if (!isFlowAddress(fields.provider)) errors.provider = "The provider is a Flow address: 0x and 16 hex digits.";
  let deposit = parseAmount(fields.deposit, "The deposit");
  if (typeof deposit !== "string" && minimumDeposit !== null && deposit.units < minimumDeposit) deposit = belowMinimumDeposit(minimumDeposit);
  if (typeof deposit === "string") errors.deposit = deposit;
  const cap = fields.cap.trim() === "" ? null : parseAmount(fields.cap, "The spending cap");
  if (typeof cap === "string") errors.cap = cap;
  const models = parseModels(fields.models);
  if (typeof models === "string") errors.models = models;
  if (Object.keys(errors).length > 0 || typeof deposit === "string" || typeof cap === "string" || typeof models === "string") {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      provider: fields.provider.trim().toLowerCase(),
      deposit: deposit.text,
      depositUnits: deposit.units,
      maxBudgetPerPeriod: cap ? cap.text : null,
      allowedModels: models,
    },
  };
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

export function validateChanges(fields: { cap: string; models: string }): Parsed<SubscriptionChanges, "cap" | "models"> {
  const errors: FieldErrors<"cap" | "models"> = {};
  const cap = fields.cap.trim() === "" ? null : parseAmount(fields.cap, "The spending cap");
  if (typeof cap === "string") errors.cap = cap;
  const models = parseModels(fields.models);
  if (typeof models === "string") errors.models = models;
  if (typeof cap === "string" || typeof models === "string") return { ok: false, errors };
  return { ok: true, value: { maxBudgetPerPeriod: cap ? cap.text : null, allowedModels: models } };
}
