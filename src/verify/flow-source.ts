import { accessNodeNumber, MAX_EVENT_RANGE, runScript, type FlowContext } from "../flow/runtime";
import { pricingGetPricingSchedule, subscriptionsGetSubscription, triggersGetState } from "../flow/generated/scripts";
import { FlareFDCTriggers_SubscriptionCharged, FlareFDCTriggers_UsageReportSettled, FlareFDCTriggers_UsageUnbillable } from "../flow/generated/types";
import { parseUFix64, scheduleFromCadence } from "../pricing";
import type { FlowBillSource, FlowEvents } from "./sources";
import { fetchRead } from "./fetch-read";
import { eventsInRange, type RawEvent } from "./flow-events";
import { FlareFlowError } from "../errors";

export class FlowSourceError extends FlareFlowError {
  override readonly name = "FlowSourceError";
  override readonly docs = "README.md#verifiable-bills";
}

const nat = (value: unknown, what: string) => accessNodeNumber(value, what, (message) => new FlowSourceError(message));

function txId(value: unknown): string {
  if (typeof value !== "string" || !/^[0-9a-f]{64}$/.test(value)) throw new FlowSourceError(`the access node returned a bad transaction id: ${JSON.stringify(value)}`);
  return value;
}

function digestHex(value: string): string {
  const hex = value.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new FlowSourceError(`UsageReportSettled carries a digest that is not 32 bytes: ${value}`);
  return `0x${hex}`;
}

/**
 * FlowBillSource over a Flow access node's REST API: scripts through FCL, events read and decoded
 * directly (flow-events.ts), both checked by the generated codecs (an access node is external
 * input), block headers by height.
 */
export function flowBillSource(ctx: FlowContext): FlowBillSource {
  const triggers = ctx.addresses.FlareFDCTriggers?.replace(/^0x/, "");
  if (!triggers) throw new FlowSourceError("no FlareFDCTriggers address in the Flow context");
  const type = (name: string) => `A.${triggers}.FlareFDCTriggers.${name}`;
  const rest = ctx.accessNode.replace(/\/$/, "");

  async function header(query: string): Promise<{ height: number; timestamp: number }> {
    const response = await fetchRead(`${rest}/v1/blocks?${query}`);
    if (response.status !== 200) throw new FlowSourceError(`the access node answered HTTP ${response.status} to blocks?${query}`);
    const blocks = (await response.json()) as { header?: { height?: unknown; timestamp?: unknown } }[];
    const h = blocks[0]?.header;
    const timestamp = typeof h?.timestamp === "string" ? Date.parse(h.timestamp) : Number.NaN;
    if (!Number.isFinite(timestamp)) throw new FlowSourceError(`the access node returned a block without a timestamp (blocks?${query})`);
    return { height: nat(h?.height, "block height"), timestamp: timestamp / 1000 };
  }

  const eventsOf = (name: string, from: number, to: number): Promise<RawEvent[]> => eventsInRange(rest, type(name), from, to);

  return {
    accessNode: ctx.accessNode,

    async subscription(id) {
      const info = await runScript(ctx, subscriptionsGetSubscription, { id });
      if (info === null) return null;
      return { customer: info.customer, createdAt: parseUFix64(info.createdAt), billingPeriod: parseUFix64(info.billingPeriod) };
    },

    async pricingSchedule() {
      return scheduleFromCadence(await runScript(ctx, pricingGetPricingSchedule, {}));
    },

    async windowSeconds() {
      const state = await runScript(ctx, triggersGetState, {});
      const seconds = (state as { windowSeconds?: unknown }).windowSeconds;
      if (seconds === undefined || seconds === null) throw new FlowSourceError("FlareFDCTriggers reports no window length");
      return BigInt(String(seconds));
    },

    async sealedHeight() {
      return (await header("height=sealed")).height;
    },

    async heightAt(unixSeconds) {
      // Binary search over heights: block timestamps never decrease.
      const sealed = await header("height=sealed");
      if (sealed.timestamp < unixSeconds) return sealed.height;
      let lo = 0;
      let hi = sealed.height;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        // A live access node serves heights from its spork's root only: older is "earlier".
        const time = await header(`height=${mid}`).then(
          (h) => h.timestamp,
          () => Number.NEGATIVE_INFINITY,
        );
        if (time < unixSeconds) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },

    async events(from, to): Promise<FlowEvents> {
      if (to < from) return { settled: [], charged: [], unbillable: [] };
      if (to - from + 1 > MAX_EVENT_RANGE) throw new FlowSourceError(`event range ${from}..${to} exceeds ${MAX_EVENT_RANGE} blocks`);
      const [settledRaw, chargedRaw, unbillableRaw] = await Promise.all([eventsOf("UsageReportSettled", from, to), eventsOf("SubscriptionCharged", from, to), eventsOf("UsageUnbillable", from, to)]);
      return {
        settled: settledRaw.map((e) => {
          const d = FlareFDCTriggers_UsageReportSettled.decode(e.data as never, "UsageReportSettled");
          return { window: d.window, round: d.round, digest: digestHex(d.digest), lines: d.lines, transactionId: txId(e.transactionId), blockHeight: nat(e.blockHeight, "block height") };
        }),
        charged: chargedRaw.map((e) => {
          const d = FlareFDCTriggers_SubscriptionCharged.decode(e.data as never, "SubscriptionCharged");
          return {
            subscriptionId: d.id,
            window: d.window,
            family: d.family,
            tokens: d.tokens,
            paidTokens: d.paidTokens,
            cost: parseUFix64(d.cost),
            charged: parseUFix64(d.charged),
            transactionId: txId(e.transactionId),
            blockHeight: nat(e.blockHeight, "block height"),
            transactionIndex: nat(e.transactionIndex, "transaction index"),
            eventIndex: nat(e.eventIndex, "event index"),
          };
        }),
        unbillable: unbillableRaw.map((e) => {
          const d = FlareFDCTriggers_UsageUnbillable.decode(e.data as never, "UsageUnbillable");
          return { subscriptionId: d.id, window: d.window, family: d.family, tokens: d.tokens, reason: d.reason, transactionId: txId(e.transactionId) };
        }),
      };
    },
  };
}
