/**
 * SimpleUsageSubscriptions' events from the access node (the shared reader,
 * src/flow/runtime/events.ts), each payload validated with the generated codec:
 * an event is external input like any other.
 */
import * as T from "../flow/generated/types";
import type { FlowContext } from "../flow/runtime";
import { blockHeader, contractEvents } from "../flow/runtime/events";
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

const fail = (message: string, options?: { cause?: unknown }) => new EventSourceError(message, options);

/** The limit FCL set on each of these requests before they left it: a request a stuck access node never answers is given up, and the next pass asks again. */
const REQUEST_TIMEOUT_MS = 30_000;

export class FlowEventSource {
  private readonly prefix: string;

  constructor(private readonly ctx: FlowContext) {
    const address = ctx.addresses["SimpleUsageSubscriptions"];
    if (address === undefined) throw new EventSourceError("no address for SimpleUsageSubscriptions in the Flow context");
    this.prefix = `A.${address.replace(/^0x/, "")}.SimpleUsageSubscriptions.`;
  }

  /** Height of the latest sealed block. */
  async sealedHeight(): Promise<number> {
    return (await blockHeader(this.ctx.accessNode, "height=sealed", fail, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })).height;
  }

  /** Events of the given names in [start, end] (inclusive), in chain order. */
  async range(start: number, end: number, names: readonly EventName[] = EVENT_NAMES): Promise<PositionedEvent[]> {
    const events = await contractEvents(this.ctx.accessNode, names.map((name) => `${this.prefix}${name}`), start, end, fail, { timeoutMs: REQUEST_TIMEOUT_MS });
    return events.map(({ type, data, ...at }) => {
      const name = type.slice(this.prefix.length) as EventName;
      return { name, data: CODECS[name].decode(data as never, `${name}@${at.blockHeight}`), ...at } as PositionedEvent;
    });
  }
}
