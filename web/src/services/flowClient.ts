/**
 * What the page asks of Flow. Types only: components and hooks depend on this, never on FCL,
 * so the shell renders before the FCL chunk (services/flow.ts) arrives and tests pass mocks.
 */
import type { SimpleUsageSubscriptions_SubscriptionInfo } from "../../../src/flow/generated/types";
import type { Tier } from "../../../src/pricing";
import type { PricingAnnouncement, ScheduledPricing } from "../../../src/api/pricing";
import type { EscrowSettings } from "../../../src/api/subscriptions";
import type { UserSignature } from "../../../src/keys/http/actions";

export type Subscription = SimpleUsageSubscriptions_SubscriptionInfo;
export type SubscriptionStatus = Subscription["status"];

/** Progress of one transaction, as the page says it. */
export type TxStatus = "signing" | "pending" | "sealed";
export type OnStatus = (status: TxStatus) => void;

export interface FlowUser {
  /** 0x-prefixed, or null when no wallet is connected. */
  address: string | null;
}

/** An account's FLOW and storage (units of 1e-8 FLOW; bytes). */
export interface AccountStorage {
  balance: bigint;
  /** FLOW not held back for storage: what a transaction may spend. */
  availableBalance: bigint;
  storageUsed: bigint;
  storageCapacity: bigint;
}

// The API modules own these shapes; the page takes them as they are.
export type { ScheduledPricing, PricingAnnouncement } from "../../../src/api/pricing";
export type { EscrowSettings } from "../../../src/api/subscriptions";

export interface NewSubscription {
  provider: string;
  /** UFix64 decimal text. */
  deposit: string;
  maxBudgetPerPeriod: string | null;
  allowedModels: string[] | null;
}

export interface SubscriptionChanges {
  maxBudgetPerPeriod: string | null;
  allowedModels: string[] | null;
}

export interface FlowClient {
  onUser(callback: (user: FlowUser) => void): () => void;
  logIn(): Promise<void>;
  logOut(): Promise<void>;
  listSubscriptions(customer: string): Promise<Subscription[]>;
  getSubscription(id: bigint): Promise<Subscription | null>;
  /** Every pricing version, oldest first, announced ones included (get_pricing_schedule). */
  getPricingSchedule(): Promise<ScheduledPricing[]>;
  getEscrowSettings(): Promise<EscrowSettings>;
  accountStorage(address: string): Promise<AccountStorage>;
  createSubscription(customer: string, input: NewSubscription, onStatus: OnStatus): Promise<{ id: bigint; transactionId: string }>;
  topUp(id: bigint, amount: string, onStatus: OnStatus): Promise<string>;
  updateSubscription(customer: string, id: bigint, changes: SubscriptionChanges, onStatus: OnStatus): Promise<string>;
  revokeKey(id: bigint, onStatus: OnStatus): Promise<string>;
  requestClose(customer: string, id: bigint, onStatus: OnStatus): Promise<string>;
  finishClose(id: bigint, onStatus: OnStatus): Promise<string>;
  setTiers(tiers: readonly Tier[], onStatus: OnStatus): Promise<PricingAnnouncement>;
  setFamilyMultiplier(family: string, multiplier: string, onStatus: OnStatus): Promise<PricingAnnouncement>;
  setDefaultMultiplier(multiplier: string, onStatus: OnStatus): Promise<PricingAnnouncement>;
  /** Withdraws every announced change not yet in force; resolves to the versions withdrawn. */
  cancelPricingChanges(onStatus: OnStatus): Promise<{ transactionId: string; versions: bigint[] }>;
  /** Signs `messageHex` (the hex of a UTF-8 text, as a key service challenge gives it) with the connected wallet. */
  signMessage(messageHex: string): Promise<UserSignature[]>;
}
