/**
 * An independent model of the escrow and billing contracts' rules for the property test:
 * subscriptions' status machine, top-ups, caps, closes, provider payments, and each line priced
 * by the TypeScript pricing mirror under the version in force at its window's start. The chain
 * must agree with it after every step.
 */
import { chargeLine, pricingAt, type PricingConfig, type SubscriptionState } from "../../../src/pricing";

export type Status = "Active" | "Suspended" | "Closing" | "Closed";

export interface ModelSub {
  id: bigint;
  provider: string;
  status: Status;
  balance: bigint;
  deposited: bigint;
  refunded: bigint;
  cap: bigint | undefined;
  periodStart: bigint;
  billingPeriod: bigint;
  periodTokens: bigint;
  periodSpent: bigint;
  closeRequestedAt: bigint | undefined;
}

export interface LineOutcome {
  id: bigint;
  family: string;
  tokens: bigint;
  cost: bigint;
  charged: bigint;
  unbillable: boolean;
}

/** Times are UFix64 units (1e-8 s) throughout, as the contracts hold them. */
export class BillingModel {
  readonly subs = new Map<bigint, ModelSub>();
  schedule: PricingConfig[];
  settledThrough = 0n;
  deposited = 0n;
  refunded = 0n;
  /** Paid out to providers with a FlowToken receiver, and owed to those without. */
  paid = 0n;
  readonly owed = new Map<string, bigint>();

  constructor(
    initial: PricingConfig,
    readonly minimumDeposit: bigint,
    readonly closeGrace: bigint,
    /** Providers that cannot receive FLOW: their earnings stay owed until collected. */
    readonly unpaidProviders: ReadonlySet<string>,
  ) {
    this.schedule = [initial];
  }

  open(id: bigint, provider: string, deposit: bigint, now: bigint, billingPeriod: bigint): void {
    this.subs.set(id, {
      id,
      provider,
      status: "Active",
      balance: deposit,
      deposited: deposit,
      refunded: 0n,
      cap: undefined,
      periodStart: now,
      billingPeriod,
      periodTokens: 0n,
      periodSpent: 0n,
      closeRequestedAt: undefined,
    });
    this.deposited += deposit;
  }

  private sub(id: bigint): ModelSub {
    const s = this.subs.get(id);
    if (s === undefined) throw new Error(`model: no subscription ${id}`);
    return s;
  }

  private cappedAt(s: ModelSub, now: bigint): boolean {
    return s.cap !== undefined && now < s.periodStart + s.billingPeriod && s.periodSpent >= s.cap;
  }

  /** Subscription.refreshSuspension. */
  private refresh(s: ModelSub, now: bigint): void {
    if (s.status !== "Active" && s.status !== "Suspended") return;
    s.status = s.balance === 0n || this.cappedAt(s, now) ? "Suspended" : "Active";
  }

  isOpen(s: ModelSub): boolean {
    return s.status === "Active" || s.status === "Suspended";
  }

  canTopUp(id: bigint, amount: bigint): boolean {
    const s = this.sub(id);
    return this.isOpen(s) && amount > 0n && (s.balance > 0n || amount >= this.minimumDeposit);
  }

  topUp(id: bigint, amount: bigint, now: bigint): void {
    const s = this.sub(id);
    s.balance += amount;
    s.deposited += amount;
    this.deposited += amount;
    this.refresh(s, now);
  }

  canUpdate(id: bigint): boolean {
    return this.isOpen(this.sub(id));
  }

  update(id: bigint, cap: bigint | undefined, now: bigint): void {
    const s = this.sub(id);
    s.cap = cap;
    this.refresh(s, now);
  }

  requestClose(id: bigint, now: bigint): void {
    const s = this.sub(id);
    s.status = "Closing";
    s.closeRequestedAt = now;
  }

  canFinishClose(id: bigint, now: bigint): boolean {
    const s = this.sub(id);
    return s.status === "Closing" && s.closeRequestedAt !== undefined && (this.settledThrough >= s.closeRequestedAt || now >= s.closeRequestedAt + this.closeGrace);
  }

  finishClose(id: bigint): bigint {
    const s = this.sub(id);
    const refund = s.balance;
    s.refunded += refund;
    s.balance = 0n;
    s.status = "Closed";
    this.refunded += refund;
    return refund;
  }

  /** A pricing version announced at `effectiveFrom` (the model's own decision of when). */
  announce(version: PricingConfig): void {
    const last = this.schedule[this.schedule.length - 1];
    if ((last.effectiveFrom ?? 0n) === version.effectiveFrom && (last.effectiveFrom ?? 0n) > 0n) this.schedule[this.schedule.length - 1] = version;
    else this.schedule.push(version);
  }

  cancelPending(now: bigint): number {
    let n = 0;
    while (this.schedule.length > 1 && (this.schedule[this.schedule.length - 1].effectiveFrom ?? 0n) > now) {
      this.schedule.pop();
      n++;
    }
    return n;
  }

  /**
   * Charges lines in report order; `nowOf(i)` is the time of the transaction that charged line i
   * (a chunked report spans several blocks). Then settles through `windowEnd` and pays providers.
   */
  settle(windowStart: bigint, windowEnd: bigint, lines: readonly { id: bigint; family: string; tokens: bigint }[], nowOf: (i: number) => bigint): LineOutcome[] {
    const pricing = pricingAt(this.schedule, windowStart);
    const outcomes = lines.map((line, i): LineOutcome => {
      const s = this.subs.get(line.id);
      if (s === undefined || s.status === "Closed") return { ...line, cost: 0n, charged: 0n, unbillable: true };
      const state: SubscriptionState = {
        balance: s.balance,
        periodTokens: s.periodTokens,
        periodSpent: s.periodSpent,
        maxBudgetPerPeriod: s.cap,
        closing: s.status === "Closing",
        periodStart: s.periodStart,
        billingPeriod: s.billingPeriod,
        suspended: s.status === "Suspended",
      };
      const r = chargeLine(pricing, state, line.family, line.tokens, { windowStart, now: nowOf(i) });
      s.balance = state.balance;
      s.periodTokens = state.periodTokens;
      s.periodSpent = state.periodSpent;
      s.periodStart = state.periodStart ?? s.periodStart;
      if (s.status !== "Closing") s.status = state.suspended === true ? "Suspended" : "Active";
      if (r.charged > 0n) this.owed.set(s.provider, (this.owed.get(s.provider) ?? 0n) + r.charged);
      return { ...line, cost: r.cost, charged: r.charged, unbillable: false };
    });
    if (windowEnd > this.settledThrough) this.settledThrough = windowEnd;
    for (const [provider, amount] of [...this.owed]) {
      if (this.unpaidProviders.has(provider)) continue;
      this.paid += amount;
      this.owed.delete(provider);
    }
    return outcomes;
  }

  collect(provider: string): bigint {
    const amount = this.owed.get(provider) ?? 0n;
    this.owed.delete(provider);
    this.paid += amount;
    return amount;
  }

  /** Escrow held for subscriptions. */
  escrow(): bigint {
    let sum = 0n;
    for (const s of this.subs.values()) sum += s.balance;
    return sum;
  }

  owedTotal(): bigint {
    let sum = 0n;
    for (const v of this.owed.values()) sum += v;
    return sum;
  }

  /** What a reader sees at `now` (SubscriptionInfo): the counters of the period `now` is in. */
  view(id: bigint, now: bigint): { status: Status; balance: bigint; periodTokens: bigint; periodSpent: bigint; deposited: bigint; refunded: bigint } {
    const s = this.sub(id);
    const rolled = now >= s.periodStart + s.billingPeriod;
    let status = s.status;
    if (status === "Suspended" && s.balance > 0n && !this.cappedAt(s, now)) status = "Active";
    return {
      status,
      balance: s.balance,
      periodTokens: rolled ? 0n : s.periodTokens,
      periodSpent: rolled ? 0n : s.periodSpent,
      deposited: s.deposited,
      refunded: s.refunded,
    };
  }
}
