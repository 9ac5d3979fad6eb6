import { keyAuthorization, runScript, sendTransaction, type FlowContext, type KeySigner } from "../flow/runtime";
import { subscriptionsGetSubscription } from "../flow/generated/scripts";
import { subscriptionsStartDuePeriod } from "../flow/generated/transactions";
import type { SubscriptionRecord } from "./state";

/**
 * Keys of subscriptions suspended at their period cap are blocked, so no usage comes to roll the
 * period through billing. When Flow's read of such a subscription shows it active again (its
 * period has ended), this sends `start_due_period`, whose SubscriptionResumed event then
 * unblocks the key like any other resumption.
 */
export class DuePeriods {
  private readonly lastChecked = new Map<string, number>();

  constructor(
    private readonly flow: FlowContext,
    private readonly signer: KeySigner,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** Checks each suspended subscription at most once per interval; returns the ids it rolled. */
  async run(subs: Iterable<SubscriptionRecord>): Promise<string[]> {
    const rolled: string[] = [];
    for (const sub of subs) {
      if (sub.lifecycle !== "suspended") {
        this.lastChecked.delete(sub.id);
        continue;
      }
      const last = this.lastChecked.get(sub.id) ?? 0;
      if (this.now() - last < this.intervalMs) continue;
      this.lastChecked.set(sub.id, this.now());
      const info = await runScript(this.flow, subscriptionsGetSubscription, { id: sub.id });
      if (!info || info.maxBudgetPerPeriod === null || info.balance === "0.00000000") continue; // not a cap suspension
      // The view applies the period rule at the last block's time (Active: it has rolled there);
      // a quiet chain may have no block since the period ended, so wall-clock time counts too.
      const ended = info.status === "Active" || Number(info.periodEnd) <= this.now() / 1000;
      if (!ended) continue;
      const sealed = await sendTransaction(this.flow, subscriptionsStartDuePeriod, { id: sub.id }, keyAuthorization(this.signer));
      this.log(`subscription ${sub.id}: its period ended; sent start_due_period ${sealed.transactionId}`);
      rolled.push(sub.id);
    }
    return rolled;
  }
}
