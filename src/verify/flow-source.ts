import { runScript, type FlowContext } from "../flow/runtime";
import { pricingGetPricingSchedule, subscriptionsGetSubscription, triggersGetState } from "../flow/generated/scripts";
import { FlareFDCTriggers_SubscriptionCharged, FlareFDCTriggers_UsageReportSettled, FlareFDCTriggers_UsageUnbillable } from "../flow/generated/types";
import { parseUFix64, scheduleFromCadence } from "../pricing";
import type { FlowBillSource, FlowEvents } from "./sources";
import { blockHeader, contractEvents, type ChainEvent } from "../flow/runtime/events";
import { FlareFlowError } from "../errors";

export class FlowSourceError extends FlareFlowError {
  override readonly name = "FlowSourceError";
  override readonly docs = "README.md#verifiable-bills";
}

const fail = (message: string, options?: { cause?: unknown }) => new FlowSourceError(message, options);

function digestHex(value: string): string {
  const hex = value.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new FlowSourceError(`UsageReportSettled carries a digest that is not 32 bytes: ${value}`);
  return `0x${hex}`;
}

/**
 * FlowBillSource over a Flow access node's REST API: scripts through FCL, events and block headers
 * through the shared reader (src/flow/runtime/events.ts), all checked by the generated codecs (an
 * access node is external input).
 */
export function flowBillSource(ctx: FlowContext): FlowBillSource {
  const triggers = ctx.addresses.FlareFDCTriggers?.replace(/^0x/, "");
  if (!triggers) throw new FlowSourceError("no FlareFDCTriggers address in the Flow context");
  const type = (name: string) => `A.${triggers}.FlareFDCTriggers.${name}`;
  const header = (query: string) => blockHeader(ctx.accessNode, query, fail);
  const [SETTLED, CHARGED, UNBILLABLE] = [type("UsageReportSettled"), type("SubscriptionCharged"), type("UsageUnbillable")];

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

    async events(from, to, options): Promise<FlowEvents> {
      const events = await contractEvents(ctx.accessNode, [SETTLED, CHARGED, UNBILLABLE], from, to, fail, options);
      const of = (t: string): ChainEvent[] => events.filter((e) => e.type === t);
      return {
        settled: of(SETTLED).map((e) => {
          const d = FlareFDCTriggers_UsageReportSettled.decode(e.data as never, "UsageReportSettled");
          return { window: d.window, round: d.round, digest: digestHex(d.digest), lines: d.lines, transactionId: e.transactionId, blockHeight: e.blockHeight };
        }),
        charged: of(CHARGED).map((e) => {
          const d = FlareFDCTriggers_SubscriptionCharged.decode(e.data as never, "SubscriptionCharged");
          return {
            subscriptionId: d.id,
            window: d.window,
            family: d.family,
            tokens: d.tokens,
            paidTokens: d.paidTokens,
            cost: parseUFix64(d.cost),
            charged: parseUFix64(d.charged),
            transactionId: e.transactionId,
            blockHeight: e.blockHeight,
            transactionIndex: e.transactionIndex,
            eventIndex: e.eventIndex,
          };
        }),
        unbillable: of(UNBILLABLE).map((e) => {
          const d = FlareFDCTriggers_UsageUnbillable.decode(e.data as never, "UsageUnbillable");
          return { subscriptionId: d.id, window: d.window, family: d.family, tokens: d.tokens, reason: d.reason, transactionId: e.transactionId };
        }),
      };
    },
  };
}
