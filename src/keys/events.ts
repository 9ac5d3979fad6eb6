/**
 * Reads SimpleUsageSubscriptions events from the access node (REST, through
 * FCL's send/decode) and validates each payload with the generated codec: an
 * event is external input like any other.
 */
import * as fcl from "@onflow/fcl";
import * as T from "../flow/generated/types";
import { accessNodeNumber, MAX_EVENT_RANGE, type FlowContext } from "../flow/runtime";
import { FlareFlowError } from "../errors";

export const EVENT_NAMES = [
  "SubscriptionCreated",
  "SubscriptionUpdated",
  "SubscriptionToppedUp",
  "SubscriptionPeriodStarted",
  "SubscriptionSuspended",
  "SubscriptionResumed",
  "SubscriptionCloseRequested",
  "SubscriptionClosed",
  "KeyIssued",
  "KeyRotated",
  "KeyRevoked",
] as const;

export type SubscriptionEvent =
  | { name: "SubscriptionCreated"; data: T.SimpleUsageSubscriptions_SubscriptionCreated }
  | { name: "SubscriptionUpdated"; data: T.SimpleUsageSubscriptions_SubscriptionUpdated }
  | { name: "SubscriptionToppedUp"; data: T.SimpleUsageSubscriptions_SubscriptionToppedUp }
  | { name: "SubscriptionPeriodStarted"; data: T.SimpleUsageSubscriptions_SubscriptionPeriodStarted }
  | { name: "SubscriptionSuspended"; data: T.SimpleUsageSubscriptions_SubscriptionSuspended }
  | { name: "SubscriptionResumed"; data: T.SimpleUsageSubscriptions_SubscriptionResumed }
  | { name: "SubscriptionCloseRequested"; data: T.SimpleUsageSubscriptions_SubscriptionCloseRequested }
  | { name: "SubscriptionClosed"; data: T.SimpleUsageSubscriptions_SubscriptionClosed }
  | { name: "KeyIssued"; data: T.SimpleUsageSubscriptions_KeyIssued }
  | { name: "KeyRotated"; data: T.SimpleUsageSubscriptions_KeyRotated }
  | { name: "KeyRevoked"; data: T.SimpleUsageSubscriptions_KeyRevoked };

export type PositionedEvent = SubscriptionEvent & {
  blockHeight: number;
  transactionId: string;
  transactionIndex: number;
  eventIndex: number;
};

type EventName = (typeof EVENT_NAMES)[number];

const CODECS: { [K in EventName]: { decode(raw: unknown, path: string): Extract<SubscriptionEvent, { name: K }>["data"] } } = {
  SubscriptionCreated: T.SimpleUsageSubscriptions_SubscriptionCreated,
  SubscriptionUpdated: T.SimpleUsageSubscriptions_SubscriptionUpdated,
  SubscriptionToppedUp: T.SimpleUsageSubscriptions_SubscriptionToppedUp,
  SubscriptionPeriodStarted: T.SimpleUsageSubscriptions_SubscriptionPeriodStarted,
  SubscriptionSuspended: T.SimpleUsageSubscriptions_SubscriptionSuspended,
  SubscriptionResumed: T.SimpleUsageSubscriptions_SubscriptionResumed,
  SubscriptionCloseRequested: T.SimpleUsageSubscriptions_SubscriptionCloseRequested,
  SubscriptionClosed: T.SimpleUsageSubscriptions_SubscriptionClosed,
  KeyIssued: T.SimpleUsageSubscriptions_KeyIssued,
  KeyRotated: T.SimpleUsageSubscriptions_KeyRotated,
  KeyRevoked: T.SimpleUsageSubscriptions_KeyRevoked,
};

export class EventSourceError extends FlareFlowError {
  override readonly name = "EventSourceError";
  override readonly docs = "README.md#services";
}

const toNat = (value: unknown, what: string) => accessNodeNumber(value, what, (message) => new EventSourceError(message));

export class FlowEventSource {
  private readonly prefix: string;

  constructor(private readonly ctx: FlowContext) {
    const address = ctx.addresses["SimpleUsageSubscriptions"];
    if (address === undefined) throw new EventSourceError("no address for SimpleUsageSubscriptions in the Flow context");
    this.prefix = `A.${address.replace(/^0x/, "")}.SimpleUsageSubscriptions.`;
  }

  private configure(): void {
    fcl.config().put("accessNode.api", this.ctx.accessNode);
  }

  /** Height of the latest sealed block. */
  async sealedHeight(): Promise<number> {
    this.configure();
    const block = (await fcl.decode(await fcl.send([fcl.getBlock(true)]))) as { height?: unknown } | null;
    return toNat(block?.height, "sealed block height");
  }

  /** Events of the given names in [start, end] (inclusive), in chain order. */
  async range(start: number, end: number, names: readonly EventName[] = EVENT_NAMES): Promise<PositionedEvent[]> {
    if (end < start) return [];
    if (end - start + 1 > MAX_EVENT_RANGE) throw new EventSourceError(`event range ${start}..${end} exceeds ${MAX_EVENT_RANGE} blocks`);
    this.configure();
    const out: PositionedEvent[] = [];
    for (const name of names) {
      const raw = await fcl.decode(await fcl.send([fcl.getEventsAtBlockHeightRange(`${this.prefix}${name}`, start, end)]));
      if (!Array.isArray(raw)) throw new EventSourceError(`access node returned no event list for ${name}`);
      for (const e of raw as Record<string, unknown>[]) {
        const path = `${name}@${String(e["blockHeight"])}`;
        out.push({
          name,
          data: CODECS[name].decode(e["data"], path),
          blockHeight: toNat(e["blockHeight"], `${path} blockHeight`),
          transactionId: String(e["transactionId"]),
          transactionIndex: toNat(e["transactionIndex"], `${path} transactionIndex`),
          eventIndex: toNat(e["eventIndex"], `${path} eventIndex`),
        } as PositionedEvent);
      }
    }
    return out.sort(
      (a, b) => a.blockHeight - b.blockHeight || a.transactionIndex - b.transactionIndex || a.eventIndex - b.eventIndex,
    );
  }
}
