import type { PricingSchedule } from "../pricing";
import type { WindowLeaves } from "./leaves-doc";

/**
 * What verifying a bill reads, as small interfaces: the command (Node) and the page (browser)
 * hand in their own implementations of the same public endpoints, and tests wrap them to inject
 * faults. Amounts are units of 1e-8 (FLOW, or seconds for times from Flow).
 */

/** A window FlareFDCTriggers settled (event UsageReportSettled). */
export type SettledWindow = {
  window: bigint;
  round: bigint;
  /** 0x and 64 lowercase hex digits. */
  digest: string;
  lines: bigint;
  transactionId: string;
  blockHeight: number;
};

/** One line charged to a subscription (event SubscriptionCharged). */
export type ChargedLine = {
  subscriptionId: bigint;
  window: bigint;
  family: string;
  tokens: bigint;
  paidTokens: bigint;
  cost: bigint;
  charged: bigint;
  transactionId: string;
  blockHeight: number;
  transactionIndex: number;
  eventIndex: number;
};

/** A line Flow could not bill (event UsageUnbillable: unknown or closed subscription). */
export type UnbillableLine = { subscriptionId: bigint; window: bigint; family: string; tokens: bigint; reason: string; transactionId: string };

export type FlowEvents = { settled: SettledWindow[]; charged: ChargedLine[]; unbillable: UnbillableLine[] };

/** The subscription as the verifier needs it (getSubscription). */
export type SubscriptionFacts = { customer: string; createdAt: bigint; billingPeriod: bigint };

export interface FlowBillSource {
  readonly accessNode: string;
  subscription(id: bigint): Promise<SubscriptionFacts | null>;
  pricingSchedule(): Promise<PricingSchedule>;
  /** FlareFDCTriggers.WindowSeconds. */
  windowSeconds(): Promise<bigint>;
  sealedHeight(): Promise<number>;
  /** The height of the first block at or after `unixSeconds` (the sealed height if none). */
  heightAt(unixSeconds: number): Promise<number>;
  /** FlareFDCTriggers' settlement events in [from, to], each kind in chain order (read in MAX_EVENT_RANGE slices, `concurrency` at a time). */
  events(from: number, to: number, options?: { concurrency?: number; onProgress?: (done: number, slices: number) => void }): Promise<FlowEvents>;
}

/** What UsageReportVerifier stored for a window (reportOf). */
export type StoredReport = { verified: boolean; digest: string; votingRound: bigint };

/** The UsageReportVerified log of a window: the Coston2 transaction that stored it. */
export type VerifiedLog = { window: bigint; votingRound: bigint; digest: string; transactionHash: string; blockNumber: number };

export interface Coston2BillSource {
  readonly verifier: string;
  /** The publisher base URL the verifier pins: the reports' public home. */
  publisherBaseUrl(): Promise<string>;
  reports(windows: readonly bigint[]): Promise<Map<bigint, StoredReport>>;
  /** The logs of `windows`; `firstWindowStart` (unix seconds) bounds the search on a live network. */
  logs(windows: readonly bigint[], firstWindowStart?: number): Promise<Map<bigint, VerifiedLog>>;
}

/**
 * The largest published document the verifier reads (report or summary). A report line is about
 * 157 bytes (README "Per-request evidence"), so this holds 400,000 lines in one window, forty times
 * DESIGN's 10,000 subscriptions with several models each; a host that answers with more (or never
 * stops) is refused before it fills the verifier's memory.
 */
export const MAX_PUBLISHED_BYTES = 64 * 1024 * 1024;

/** Why a read was stopped at the bound. */
export const tooLarge = (maxBytes: number): string => `the answer is larger than ${maxBytes} bytes`;

/** How a publisher source reads: the per-request timeout and the body bound. */
export type PublisherReadOptions = { timeoutMs?: number; maxBytes?: number };

/** An HTTP GET of a published document: status and body text, or why nothing answered. */
export type Fetched = { status: number; body: string } | { error: string };

export interface PublisherBillSource {
  get(url: string): Promise<Fetched>;
}

/** The customer's leaves, from the key service behind their wallet signature. */
export interface LeavesBillSource {
  leaves(subscriptionId: bigint, fromWindow: bigint, toWindow: bigint): Promise<WindowLeaves[]>;
}

export type BillSources = {
  flow: FlowBillSource;
  coston2: Coston2BillSource;
  publisher: PublisherBillSource;
  leaves?: LeavesBillSource;
};
