/**
 * The provider's side on Flow: read a subscription, attach or replace its key
 * hash. Sending is made safe to repeat by reading Flow first and, after a
 * failure, reading it again: a transaction that did land is recognised.
 */
import { subscriptionsGetSubscription } from "../flow/generated/scripts";
import { subscriptionsIssueKey, subscriptionsIssueKeys, subscriptionsRotateKey } from "../flow/generated/transactions";
import type { SimpleUsageSubscriptions_SubscriptionInfo } from "../flow/generated/types";
import { eventsOf, keyAuthorization, runScript, sendTransaction, TransactionError, type FlowContext, type KeySigner, type SealedTransaction } from "../flow/runtime";
import type { AuthorizationFunction } from "@onflow/fcl";
import { FlareFlowError } from "../errors";

export type SubscriptionInfo = SimpleUsageSubscriptions_SubscriptionInfo;

export class FlowKeyConflictError extends FlareFlowError {
  override readonly name = "FlowKeyConflictError";
  override readonly docs = "README.md#services";
}

export class FlowKeys {
  private readonly authz: AuthorizationFunction;

  constructor(
    private readonly ctx: FlowContext,
    provider: KeySigner,
    /** Counts transactions sent, for tests and the health endpoint. */
    private readonly onTransaction: (name: string, transactionId: string) => void = () => undefined,
  ) {
    this.authz = keyAuthorization(provider);
  }

  async subscription(id: string): Promise<SubscriptionInfo | null> {
    return runScript(this.ctx, subscriptionsGetSubscription, { id });
  }

  /**
   * Makes Flow carry `hash` for subscription `id`: issue_key when no hash is
   * attached, rotate_key when one of `previousHashes` is. Returns "attached",
   * or "closed" when the subscription closed first (nothing to attach to).
   */
  async attach(id: string, hash: string, previousHashes: readonly string[]): Promise<"attached" | "closed"> {
    const before = await this.subscription(id);
    if (before === null) throw new FlowKeyConflictError(`subscription ${id} does not exist on Flow (wrong network or contract address?)`);
    if (before.keyHash === hash) return "attached";
    if (before.status === "Closed") return "closed";
    try {
      if (before.keyHash === null) {
        const sealed = await sendTransaction(this.ctx, subscriptionsIssueKey, { id, keyHash: hash }, this.authz);
        this.onTransaction("issue_key", sealed.transactionId);
      } else if (previousHashes.includes(before.keyHash)) {
        const sealed = await sendTransaction(this.ctx, subscriptionsRotateKey, { id, newKeyHash: hash }, this.authz);
        this.onTransaction("rotate_key", sealed.transactionId);
      } else {
        throw new FlowKeyConflictError(`subscription ${id} carries a key hash on Flow that this service did not issue; refusing to overwrite it`);
      }
    } catch (error) {
      if (!(error instanceof TransactionError)) throw error;
      // A retried or concurrent send may have landed after all.
      const after = await this.subscription(id);
      if (after?.keyHash === hash) return "attached";
      if (after?.status === "Closed") return "closed";
      throw error;
    }
    return "attached";
  }

  /**
   * First keys of many subscriptions in one issue_keys transaction. Returns the ids Flow attached
   * (by their KeyIssued events) and the transaction, or Flow's refusal. Flow skips a subscription
   * that closed or carries a key already; a refused transaction attaches none: each is then tried
   * alone with attach(), which says why.
   */
  async issueMany(keys: readonly { id: string; hash: string }[]): Promise<{ attached: Set<string>; transactionId: string | null; refused: string | null }> {
    const attached = new Set<string>();
    if (keys.length === 0) return { attached, transactionId: null, refused: null };
    let sealed: SealedTransaction;
    try {
      sealed = await sendTransaction(this.ctx, subscriptionsIssueKeys, { ids: keys.map((k) => k.id), keyHashes: keys.map((k) => k.hash) }, this.authz);
      this.onTransaction("issue_keys", sealed.transactionId);
    } catch (error) {
      if (!(error instanceof TransactionError)) throw error;
      return { attached, transactionId: error.transactionId ?? null, refused: error.message };
    }
    const wanted = new Map(keys.map((k) => [k.id, k.hash]));
    for (const e of eventsOf(sealed, ".SimpleUsageSubscriptions.KeyIssued")) {
      const { id, keyHash } = e as { id?: unknown; keyHash?: unknown };
      if (typeof id === "string" && wanted.get(id) === keyHash) attached.add(id);
    }
    return { attached, transactionId: sealed.transactionId, refused: null };
  }
}
