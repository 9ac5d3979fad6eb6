/**
 * What the live limit reads from Flow: the settlement state (window length, last settled
 * window), each subscription's billing state, and the pricing schedule. Reads are external input:
 * the generated codecs check their shapes, and the numbers are checked here.
 */
import { runScript, type FlowContext } from "../../flow/runtime";
import { getPricingSchedule, getSubscription, triggersGetState } from "../../flow/generated/scripts";
import { parseUFix64, scheduleFromCadence, type PricingSchedule } from "../../pricing";
import { UNITS_PER_SECOND, type ChainView } from "./exposure";

export interface Settlement {
  windowSeconds: bigint;
  /** The last window whose report Flow has settled (null: none yet). */
  lastSettled: bigint | null;
}

function nat(v: unknown, what: string): bigint {
  const text = typeof v === "bigint" || typeof v === "number" ? String(v) : v;
  if (typeof text !== "string" || !/^\d{1,20}$/.test(text)) throw new Error(`FlareFDCTriggers state: ${what} is not an unsigned integer`);
  return BigInt(text);
}

export async function readSettlement(flow: FlowContext): Promise<Settlement> {
  const state = await runScript(flow, triggersGetState, {});
  const windowSeconds = nat(state["windowSeconds"], "windowSeconds");
  if (windowSeconds === 0n) throw new Error("FlareFDCTriggers state: windowSeconds is 0");
  const last = state["lastSettledWindow"];
  return {
    windowSeconds,
    lastSettled: last === null || last === undefined ? null : nat(last, "lastSettledWindow"),
  };
}

/** The subscription's billing state, or null when Flow does not know it. */
export async function readChainView(flow: FlowContext, id: string): Promise<ChainView | null> {
  const info = await runScript(flow, getSubscription, { id });
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
  return scheduleFromCadence(await runScript(flow, getPricingSchedule, {}));
}

export const unitsToMs = (units: bigint): number => Number(units / (UNITS_PER_SECOND / 1000n));
export const msToUnits = (ms: number): bigint => BigInt(Math.floor(ms)) * (UNITS_PER_SECOND / 1000n);
