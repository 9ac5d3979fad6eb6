/**
 * The pricing configuration held by UsageBasedSubscriptions, its defaults (DESIGN.md, Pricing),
 * the model-name to multiplier resolution, and quotes.
 */
import { graduatedCostUnits, validateTiers, type Tier } from "./tiers";
import { parseUFix64, parseUInt64, ufix64Text, UNITS_PER_FLOW } from "./units";

export interface PricingConfig {
  tiers: Tier[];
  /** Family key ("gpt-4", "claude", ...) to multiplier in units of 1e-8. */
  familyMultipliers: Record<string, bigint>;
  /** Multiplier (units of 1e-8) of a model in no family. */
  defaultMultiplier: bigint;
  /** Model name as LiteLLM reports it ("gpt-4o") to family key. */
  modelFamilies: Record<string, string>;
  /** Seconds: the billing period of subscriptions opened now (open ones keep their own). */
  billingPeriod: bigint;
  closeGracePeriod: bigint;
  /** The schedule version and the time (units of 1e-8 s, as UFix64) it is in force from; 0 for
   * the deployment's pricing. Absent on a configuration that is not from the chain. */
  version?: bigint;
  effectiveFrom?: bigint;
  /** Units of 1e-8 FLOW: what opens a subscription and resumes an exhausted one. */
  minimumDeposit?: bigint;
  /** Seconds a price increase waits after its announcement. */
  noticePeriod?: bigint;
}

/** Pricing versions by ascending effectiveFrom (get_pricing_schedule). */
export type PricingSchedule = readonly PricingConfig[];

/** The version in force for a usage window starting at `time` (units of 1e-8 s): the newest with
 * effectiveFrom <= time, the first otherwise (UsageBasedSubscriptions.borrowPricingAt). */
export function pricingAt(schedule: PricingSchedule, time: bigint): PricingConfig {
  if (schedule.length === 0) throw new RangeError("an empty pricing schedule");
  for (let i = schedule.length - 1; i > 0; i--) {
    if ((schedule[i].effectiveFrom ?? 0n) <= time) return schedule[i];
  }
  return schedule[0];
}

const flow = (text: string): bigint => parseUFix64(text);

/** The contract's configuration at deployment. */
export const DEFAULT_PRICING: PricingConfig = Object.freeze({
  tiers: [
    { threshold: 0n, pricePer1K: flow("0.020") },
    { threshold: 100_000n, pricePer1K: flow("0.015") },
    { threshold: 1_000_000n, pricePer1K: flow("0.010") },
    { threshold: 10_000_000n, pricePer1K: flow("0.008") },
  ],
  familyMultipliers: {
    "gpt-4": flow("1.5"),
    "gpt-3.5": flow("0.8"),
    claude: flow("1.2"),
    llama: flow("0.6"),
  },
  defaultMultiplier: UNITS_PER_FLOW,
  modelFamilies: {
    "gpt-4o": "gpt-4",
    "gpt-4-turbo": "gpt-4",
    "gpt-4o-mini": "gpt-4",
    "gpt-3.5-turbo": "gpt-3.5",
    "claude-3-opus": "claude",
    "claude-3-sonnet": "claude",
    "claude-3-haiku": "claude",
    "claude-3-5-sonnet": "claude",
    "llama-3-70b": "llama",
    "llama-3-8b": "llama",
    "llama-3.1-405b": "llama",
  },
  billingPeriod: 2_592_000n,
  closeGracePeriod: 3_600n,
  minimumDeposit: UNITS_PER_FLOW,
  noticePeriod: 604_800n,
});

const hasOwn = (record: object, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

/** The family `name` is billed as (a family key is its own family); undefined: default multiplier. */
export function familyOf(config: PricingConfig, name: string): string | undefined {
  if (hasOwn(config.familyMultipliers, name)) return name;
  return hasOwn(config.modelFamilies, name) ? config.modelFamilies[name] : undefined;
}

/** The multiplier (units of 1e-8) `name` is billed at, resolved like the contract. */
export function multiplierFor(config: PricingConfig, name: string): bigint {
  const family = familyOf(config, name);
  if (family !== undefined && hasOwn(config.familyMultipliers, family)) {
    return config.familyMultipliers[family];
  }
  return config.defaultMultiplier;
}

/** The quote script: the exact cost in units of `tokens` tokens of `model` after `periodTokens`. */
export function quoteUnits(config: PricingConfig, model: string, tokens: bigint, periodTokens: bigint): bigint {
  return graduatedCostUnits(config.tiers, multiplierFor(config, model), periodTokens, tokens);
}

/** UsageBasedSubscriptions.MaxMultiplier (100.0), in units of 1e-8. */
export const MAX_MULTIPLIER = 100n * UNITS_PER_FLOW;

/** Throws (with the contract's message) unless the multiplier is one the contract accepts. */
export function validateMultiplier(multiplier: bigint): void {
  if (multiplier <= 0n || multiplier > MAX_MULTIPLIER) {
    throw new RangeError(`UsageBasedSubscriptions: a multiplier must be positive and at most ${MAX_MULTIPLIER / UNITS_PER_FLOW}, not ${ufix64Text(multiplier)}`);
  }
}

/** The quote_with_tiers script: a caller-given table (validated) and multiplier. */
export function quoteWithTiersUnits(tiers: readonly Tier[], multiplier: bigint, tokens: bigint, periodTokens: bigint): bigint {
  validateTiers(tiers);
  validateMultiplier(multiplier);
  return graduatedCostUnits(tiers, multiplier, periodTokens, tokens);
}

/** The get_pricing script's value as FCL decodes it (UFix64 and UInt64 as decimal strings). */
export interface CadencePricingConfig {
  version?: string | bigint;
  effectiveFrom?: string;
  tiers: readonly { threshold: string | bigint; pricePer1K: string }[];
  familyMultipliers: Record<string, string>;
  defaultMultiplier: string;
  modelFamilies: Record<string, string>;
  billingPeriod: string;
  closeGracePeriod: string;
  minimumDeposit?: string;
  noticePeriod?: string;
}

/** Converts get_pricing's decoded value into a PricingConfig. */
export function pricingFromCadence(value: CadencePricingConfig): PricingConfig {
  const familyMultipliers: Record<string, bigint> = {};
  for (const [family, multiplier] of Object.entries(value.familyMultipliers)) {
    familyMultipliers[family] = parseUFix64(multiplier);
  }
  const config: PricingConfig = {
    tiers: value.tiers.map((tier) => ({ threshold: parseUInt64(String(tier.threshold)), pricePer1K: parseUFix64(tier.pricePer1K) })),
    familyMultipliers,
    defaultMultiplier: parseUFix64(value.defaultMultiplier),
    modelFamilies: { ...value.modelFamilies },
    billingPeriod: parseUFix64(value.billingPeriod) / UNITS_PER_FLOW,
    closeGracePeriod: parseUFix64(value.closeGracePeriod) / UNITS_PER_FLOW,
  };
  if (value.version !== undefined) config.version = parseUInt64(String(value.version));
  if (value.effectiveFrom !== undefined) config.effectiveFrom = parseUFix64(value.effectiveFrom);
  if (value.minimumDeposit !== undefined) config.minimumDeposit = parseUFix64(value.minimumDeposit);
  if (value.noticePeriod !== undefined) config.noticePeriod = parseUFix64(value.noticePeriod) / UNITS_PER_FLOW;
  validateTiers(config.tiers);
  return config;
}

/** Converts get_pricing_schedule's decoded value; refuses a schedule out of order. */
export function scheduleFromCadence(values: readonly CadencePricingConfig[]): PricingSchedule {
  const schedule = values.map(pricingFromCadence);
  if (schedule.length === 0) throw new RangeError("get_pricing_schedule returned no version");
  for (let i = 1; i < schedule.length; i++) {
    if ((schedule[i].effectiveFrom ?? 0n) < (schedule[i - 1].effectiveFrom ?? 0n)) throw new RangeError("get_pricing_schedule: versions out of order");
  }
  return schedule;
}

/** The tier a page shows as "volume discount": 1 − price / first price, in basis points. */
export function tierDiscountBasisPoints(tiers: readonly Tier[], index: number): bigint {
  const first = tiers[0].pricePer1K;
  return ((first - tiers[index].pricePer1K) * 10_000n) / first;
}
