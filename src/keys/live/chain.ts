/**
 * What the live limit reads from Flow: the settlement state (window length, last settled
 * window), each subscription's billing state, and the pricing schedule. Reads are external input:
 * the generated codecs check their shapes, and the numbers are checked here.
 */
import { runScript, type FlowContext } from "../../flow/runtime";
import { pricingGetPricingSchedule, subscriptionsGetSubscriptions, triggersGetState } from "../../flow/generated/scripts";
import type { SimpleUsageSubscriptions_SubscriptionInfo } from "../../flow/generated/types";
import { parseUFix64, scheduleFromCadence, UNITS_PER_SECOND, type PricingSchedule } from "../../pricing";
import type { ChainView } from "./exposure";
import { EventSourceError } from "../events";

export interface Settlement {
  windowSeconds: bigint;
  /** The last window whose report Flow has settled (null: none yet). */
  lastSettled: bigint | null;
}

function nat(v: unknown, what: string): bigint {
  const text = typeof v === "bigint" || typeof v === "number" ? String(v) : v;
  if (typeof text !== "string" || !/^\d{1,20}$/.test(text)) throw new EventSourceError(`FlareFDCTriggers state: ${what} is not an unsigned integer`);
  return BigInt(text);
}

export async function readSettlement(flow: FlowContext): Promise<Settlement> {
  const state = await runScript(flow, triggersGetState, {});
  const windowSeconds = nat(state["windowSeconds"], "windowSeconds");
  if (windowSeconds === 0n) throw new EventSourceError("FlareFDCTriggers state: windowSeconds is 0");
  const last = state["lastSettledWindow"];
  return {
    windowSeconds,
    lastSettled: last === null || last === undefined ? null : nat(last, "lastSettledWindow"),
  };
}

/** The subscription's billing state, or null when Flow does not know it. */
/** Subscriptions read per script by readChainViews: far inside a script's computation limit. */
export const VIEWS_PER_SCRIPT = 100;

/**
 * The billing state of many subscriptions, VIEWS_PER_SCRIPT per script (one script each would
 * make a pass over 10,000 subscriptions take minutes). Null for an id Flow does not know.
 */
export async function readChainViews(flow: FlowContext, ids: readonly string[]): Promise<Map<string, ChainView | null>> {
  const out = new Map<string, ChainView | null>();
  for (let i = 0; i < ids.length; i += VIEWS_PER_SCRIPT) {
    const chunk = ids.slice(i, i + VIEWS_PER_SCRIPT);
    const infos = await runScript(flow, subscriptionsGetSubscriptions, { ids: chunk });
    if (!Array.isArray(infos) || infos.length !== chunk.length) throw new EventSourceError(`get_subscriptions answered ${Array.isArray(infos) ? infos.length : "no list"} for ${chunk.length} subscriptions`);
    for (const [j, id] of chunk.entries()) {
      const view = viewOf(infos[j]);
      if (view !== null && infos[j]?.id !== undefined && String(infos[j]?.id) !== id) throw new EventSourceError(`get_subscriptions answered subscription ${String(infos[j]?.id)} where ${id} was asked`);
      out.set(id, view);
    }
  }
  return out;
}

function viewOf(info: SimpleUsageSubscriptions_SubscriptionInfo | null | undefined): ChainView | null {
  if (!info) return null;
  return {
    status: info.status,
    balance: parseUFix64(info.balance),
    periodTokens: BigInt(info.periodTokens),
    periodSpent: parseUFix64(info.periodSpent),
    cap: info.maxBudgetPerPeriod === null || info.maxBudgetPerPeriod === undefined ? null : parseUFix64(info.maxBudgetPerPeriod),
    periodStart: parseUFix64(info.periodStart),
    billingPeriod: parseUFix64(info.billingPeriod),
    createdAt: parseUFix64(info.createdAt),
  };
}

export async function readSchedule(flow: FlowContext): Promise<PricingSchedule> {
  return scheduleFromCadence(await runScript(flow, pricingGetPricingSchedule, {}));
}

export const unitsToMs = (units: bigint): number => Number(units / (UNITS_PER_SECOND / 1000n));
export const msToUnits = (ms: number): bigint => BigInt(Math.floor(ms)) * (UNITS_PER_SECOND / 1000n);
