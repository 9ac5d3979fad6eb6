/**
 * Chain values to the page's types: what get_pricing_schedule, get_escrow_settings and the
 * pricing events decode to (through the generated codecs) becomes exact integers. No FCL here, so
 * the conversions are tested against a real emulator without the wallet.
 */
import type { Codec } from "../../../src/flow/runtime";
import {
  UsageBasedSubscriptions_DefaultMultiplierSet,
  UsageBasedSubscriptions_FamilyMultiplierSet,
  UsageBasedSubscriptions_ModelMapped,
  UsageBasedSubscriptions_ModelUnmapped,
  UsageBasedSubscriptions_PricingChangesCancelled,
  UsageBasedSubscriptions_TiersUpdated,
  type SimpleUsageSubscriptions_Settings,
  type UsageBasedSubscriptions_PricingConfig,
} from "../../../src/flow/generated/types";
import { parseUFix64, scheduleFromCadence, UNITS_PER_FLOW } from "../../../src/pricing";
import type { EscrowSettings, PricingAnnouncement, ScheduledPricing } from "./flowClient";

/** A sealed transaction's events as FCL gives them. */
export interface ChainEvent {
  type: string;
  data: unknown;
}

/** get_pricing_schedule's value: the mirror checks every version and the order; announcedAt is kept beside. */
export function scheduleFromChain(raw: readonly UsageBasedSubscriptions_PricingConfig[]): ScheduledPricing[] {
  const schedule = scheduleFromCadence(raw);
  return schedule.map((config, i) => ({
    ...config,
    version: raw[i].version,
    effectiveFrom: parseUFix64(raw[i].effectiveFrom),
    announcedAt: parseUFix64(raw[i].announcedAt),
  }));
}

export function escrowSettingsFromChain(raw: SimpleUsageSubscriptions_Settings): EscrowSettings {
  return {
    billingPeriod: parseUFix64(raw.billingPeriod) / UNITS_PER_FLOW,
    closeGracePeriod: parseUFix64(raw.closeGracePeriod) / UNITS_PER_FLOW,
    minimumCloseGracePeriod: parseUFix64(raw.minimumCloseGracePeriod) / UNITS_PER_FLOW,
    minimumDeposit: parseUFix64(raw.minimumDeposit),
  };
}

type AnnouncementEvent = { version: bigint; effectiveFrom: string; increase: boolean };

/** Every admin pricing change emits exactly one of these (UsageBasedSubscriptions.Admin). */
export const ANNOUNCEMENT_EVENTS: Record<string, Codec<never, AnnouncementEvent>> = {
  TiersUpdated: UsageBasedSubscriptions_TiersUpdated,
  FamilyMultiplierSet: UsageBasedSubscriptions_FamilyMultiplierSet,
  DefaultMultiplierSet: UsageBasedSubscriptions_DefaultMultiplierSet,
  ModelMapped: UsageBasedSubscriptions_ModelMapped,
  ModelUnmapped: UsageBasedSubscriptions_ModelUnmapped,
};

/** The announcement a sealed pricing change made: its version, when it applies, whether it is a rise. */
export function announcementFromEvents(transactionId: string, events: readonly ChainEvent[]): PricingAnnouncement {
  for (const event of events) {
    const name = Object.keys(ANNOUNCEMENT_EVENTS).find((n) => event.type.endsWith(`.UsageBasedSubscriptions.${n}`));
    if (name === undefined) continue;
    const decoded = ANNOUNCEMENT_EVENTS[name].decode(event.data as never, name);
    return { transactionId, version: decoded.version, effectiveFrom: parseUFix64(decoded.effectiveFrom), increase: decoded.increase };
  }
  throw new Error("The pricing change was sealed without an announcement event.");
}

/** The versions admin_cancel_pricing_changes withdrew. */
export function cancelledFromEvents(events: readonly ChainEvent[]): bigint[] {
  const event = events.find((e) => e.type.endsWith(".UsageBasedSubscriptions.PricingChangesCancelled"));
  if (event === undefined) throw new Error("The withdrawal was sealed without a PricingChangesCancelled event.");
  return UsageBasedSubscriptions_PricingChangesCancelled.decode(event.data as never, "PricingChangesCancelled").versions;
}
