/**
 * The pricing admin's operations and the pricing schedule they change, on the generated bindings,
 * in subscriptionApi's shape: each announcement is decoded from the sealed transaction's events
 * here, beside the transaction that emits it, so no caller reads the bindings or the events itself.
 */
import type { AuthorizationFunction } from "@onflow/fcl";
import { runScript, sendTransaction, type Codec, type FlowContext, type SealedTransaction, type TransactionDefinition } from "../flow/runtime";
import {
  pricingAdminCancelPricingChanges,
  pricingAdminSetDefaultMultiplier,
  pricingAdminSetFamilyMultiplier,
  pricingAdminSetTiers,
} from "../flow/generated/transactions";
import { pricingGetPricingSchedule } from "../flow/generated/scripts";
import {
  UsageBasedSubscriptions_DefaultMultiplierSet,
  UsageBasedSubscriptions_FamilyMultiplierSet,
  UsageBasedSubscriptions_ModelMapped,
  UsageBasedSubscriptions_ModelUnmapped,
  UsageBasedSubscriptions_PricingChangesCancelled,
  UsageBasedSubscriptions_TiersUpdated,
  type UsageBasedSubscriptions_PricingConfig,
} from "../flow/generated/types";
import { formatUFix64, parseUFix64, scheduleFromCadence, type PricingConfig, type Tier } from "../pricing";
import { ApiError } from "./errors";

/** Who signs: the pricing admin's account (FCL's current user in the page). */
export interface PricingAdminContext extends FlowContext {
  admin: AuthorizationFunction;
  onStatus?: (status: string) => void;
}

/** One version of the pricing schedule (times in units of 1e-8 s, as UFix64). */
export type ScheduledPricing = PricingConfig & { version: bigint; effectiveFrom: bigint; announcedAt: bigint };

/** What an admin pricing change announced, from its event (effectiveFrom in units of 1e-8 s). */
export interface PricingAnnouncement {
  transactionId: string;
  version: bigint;
  effectiveFrom: bigint;
  /** The change raises a price, so it waited the notice period. */
  increase: boolean;
}

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
  throw new ApiError("The pricing change was sealed without an announcement event.");
}

/** The versions admin_cancel_pricing_changes withdrew. */
export function cancelledFromEvents(events: readonly ChainEvent[]): bigint[] {
  const event = events.find((e) => e.type.endsWith(".UsageBasedSubscriptions.PricingChangesCancelled"));
  if (event === undefined) throw new ApiError("The withdrawal was sealed without a PricingChangesCancelled event.");
  return UsageBasedSubscriptions_PricingChangesCancelled.decode(event.data as never, "PricingChangesCancelled").versions;
}

/** The pricing schedule and the admin's changes to it; the admin signs each change. */
export function pricingApi(ctx: PricingAdminContext) {
  const send = <Args>(tx: TransactionDefinition<Args>, args: Args): Promise<SealedTransaction> =>
    sendTransaction(ctx, tx, args, ctx.admin, { onStatus: ctx.onStatus });
  const announce = async <Args>(tx: TransactionDefinition<Args>, args: Args): Promise<PricingAnnouncement> => {
    const sealed = await send(tx, args);
    return announcementFromEvents(sealed.transactionId, sealed.events);
  };

  return {
    /** Every pricing version, oldest first, announced ones included. */
    async getPricingSchedule(): Promise<ScheduledPricing[]> {
      return scheduleFromChain(await runScript(ctx, pricingGetPricingSchedule, {}));
    },

    /** Announces a new tier table (price per 1K tokens in units of 1e-8 FLOW). */
    setTiers(tiers: readonly Tier[]): Promise<PricingAnnouncement> {
      return announce(pricingAdminSetTiers, {
        thresholds: tiers.map((t) => t.threshold),
        pricesPer1K: tiers.map((t) => formatUFix64(t.pricePer1K)),
      });
    },

    /** Announces `family`'s multiplier (UFix64 text). */
    setFamilyMultiplier(family: string, multiplier: string): Promise<PricingAnnouncement> {
      return announce(pricingAdminSetFamilyMultiplier, { family, multiplier });
    },

    /** Announces the multiplier of models in no family (UFix64 text). */
    setDefaultMultiplier(multiplier: string): Promise<PricingAnnouncement> {
      return announce(pricingAdminSetDefaultMultiplier, { multiplier });
    },

    /** Withdraws every announced change not yet in force; resolves to the versions withdrawn. */
    async cancelPricingChanges(): Promise<{ transactionId: string; versions: bigint[] }> {
      const sealed = await send(pricingAdminCancelPricingChanges, {});
      return { transactionId: sealed.transactionId, versions: cancelledFromEvents(sealed.events) };
    },
  };
}
