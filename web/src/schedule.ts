/**
 * The pricing schedule as a customer and the admin see it: which version is in force, which are
 * announced, whether an announced version raises or lowers prices against the one in force, and
 * when a change sent now would apply. Every figure comes from the TypeScript mirror (src/pricing),
 * so the page says what UsageBasedSubscriptions will charge.
 */
import { formatFlow, multiplierFor, pricingAt, UNITS_PER_FLOW, type PricingConfig, type Tier } from "../../src/pricing";
import type { ScheduledPricing } from "./services/flowClient";

/** Seconds as units of 1e-8 s (UFix64 timestamps are held as integers, like FLOW amounts). */
export const secondsToUnits = (seconds: bigint): bigint => seconds * UNITS_PER_FLOW;

/** The wall clock in units of 1e-8 s, whole seconds (the page's clock stands in for the block's). */
export function nowUnits(nowMs: number = Date.now()): bigint {
  return secondsToUnits(BigInt(Math.floor(nowMs / 1000)));
}

export interface ScheduleView {
  /** The version a usage window starting now is priced by (the mirror's pricingAt). */
  inForce: ScheduledPricing;
  /** Announced versions not yet in force, oldest first. */
  pending: ScheduledPricing[];
  /** The newest version: what the next admin change is built on. */
  latest: ScheduledPricing;
}

export function viewSchedule(schedule: readonly ScheduledPricing[], now: bigint): ScheduleView {
  // pricingAt returns one of the schedule's own elements.
  const inForce = pricingAt(schedule, now) as ScheduledPricing;
  return {
    inForce,
    pending: schedule.filter((v) => v.effectiveFrom > now),
    latest: schedule[schedule.length - 1] as ScheduledPricing,
  };
}

/** The tier price (units per 1,000 tokens) at a period-to-date token position. */
function priceAt(tiers: readonly Tier[], position: bigint): bigint {
  let price = tiers[0].pricePer1K;
  for (const tier of tiers) if (tier.threshold <= position) price = tier.pricePer1K;
  return price;
}

/** Every name billed differently by either config ("" stands for a model in no family). */
function billedNames(a: PricingConfig, b: PricingConfig): string[] {
  const names = new Set<string>([""]);
  for (const config of [a, b]) {
    for (const name of Object.keys(config.familyMultipliers)) names.add(name);
    for (const name of Object.keys(config.modelFamilies)) names.add(name);
  }
  return [...names];
}

export type PriceDirection = "rise" | "cut" | "mixed" | "same";

/**
 * Whether `to` charges more or less than `from` for any model at any token position. The price of
 * a token is its tier price times its model's multiplier; both are step functions of the position,
 * so comparing at every threshold of either table decides it (the contract's own test for a rise).
 */
export function priceDirection(from: PricingConfig, to: PricingConfig): PriceDirection {
  const positions = [...new Set([...from.tiers, ...to.tiers].map((t) => t.threshold))];
  let rises = false;
  let lowers = false;
  for (const name of billedNames(from, to)) {
    const before = multiplierFor(from, name);
    const after = multiplierFor(to, name);
    for (const position of positions) {
      const a = priceAt(from.tiers, position) * before;
      const b = priceAt(to.tiers, position) * after;
      if (b > a) rises = true;
      if (b < a) lowers = true;
    }
  }
  return rises ? (lowers ? "mixed" : "rise") : lowers ? "cut" : "same";
}

export const DIRECTION_WORDS: Record<PriceDirection, string> = {
  rise: "raises prices",
  cut: "lowers prices",
  mixed: "raises some prices and lowers others",
  same: "changes no price",
};

const multiplierText = (units: bigint) => `×${formatFlow(units)}`;

/** What differs between two versions, in short phrases ("gpt-4 ×1.5 → ×1.8"). */
export function describeChanges(from: PricingConfig, to: PricingConfig): string[] {
  const out: string[] = [];
  const tiersText = (tiers: readonly Tier[]) => tiers.map((t) => `${t.threshold.toLocaleString("en-US")}+: ${formatFlow(t.pricePer1K)}`).join(", ");
  if (tiersText(from.tiers) !== tiersText(to.tiers)) out.push(`tiers (FLOW per 1K) ${tiersText(from.tiers)} → ${tiersText(to.tiers)}`);
  const families = [...new Set([...Object.keys(from.familyMultipliers), ...Object.keys(to.familyMultipliers)])].sort();
  for (const family of families) {
    const a = from.familyMultipliers[family];
    const b = to.familyMultipliers[family];
    if (a === b) continue;
    out.push(a === undefined ? `new family ${family} ${multiplierText(b)}` : b === undefined ? `family ${family} removed` : `${family} ${multiplierText(a)} → ${multiplierText(b)}`);
  }
  if (from.defaultMultiplier !== to.defaultMultiplier) {
    out.push(`models in no family ${multiplierText(from.defaultMultiplier)} → ${multiplierText(to.defaultMultiplier)}`);
  }
  const models = [...new Set([...Object.keys(from.modelFamilies), ...Object.keys(to.modelFamilies)])].sort();
  for (const model of models) {
    const a = from.modelFamilies[model];
    const b = to.modelFamilies[model];
    if (a === b) continue;
    out.push(a === undefined ? `${model} billed as ${b}` : b === undefined ? `${model} no longer billed as ${a}` : `${model} billed as ${b} instead of ${a}`);
  }
  return out;
}

/**
 * When a change announced at `now` takes effect (UsageBasedSubscriptions.announce): a rise after
 * the notice period, anything else at once (so from the next usage window), never before the
 * newest version. Once the contract has no customer yet every change applies at once; the sealed
 * transaction's event says which happened.
 */
export function appliesFrom(latest: ScheduledPricing, increase: boolean, now: bigint): bigint {
  const from = increase ? now + secondsToUnits(latest.noticePeriod ?? 0n) : now;
  return from < latest.effectiveFrom ? latest.effectiveFrom : from;
}

/** The latest version with one admin change applied, as the contract would build the next version. */
export function withTiers(latest: PricingConfig, tiers: readonly Tier[]): PricingConfig {
  return { ...latest, tiers: [...tiers] };
}

export function withFamilyMultiplier(latest: PricingConfig, family: string, units: bigint): PricingConfig {
  return { ...latest, familyMultipliers: { ...latest.familyMultipliers, [family]: units } };
}

export function withDefaultMultiplier(latest: PricingConfig, units: bigint): PricingConfig {
  return { ...latest, defaultMultiplier: units };
}
