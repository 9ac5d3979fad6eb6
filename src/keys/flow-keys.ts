/**
 * The provider's side on Flow: read a subscription, attach or replace its key
 * hash. Sending is made safe to repeat by reading Flow first and, after a
 * failure, reading it again: a transaction that did land is recognised.
 */
import { getSubscription } from "../flow/generated/scripts";
import { issueKey, rotateKey as rotateKeyTx } from "../flow/generated/transactions";
import type { SimpleUsageSubscriptions_SubscriptionInfo } from "../flow/generated/types";
import { keyAuthorization, runScript, sendTransaction, TransactionError, type FlowContext, type KeySigner } from "../flow/runtime";
import type { AuthorizationFunction } from "@onflow/fcl";

export type SubscriptionInfo = SimpleUsageSubscriptions_SubscriptionInfo;

export class FlowKeyConflictError extends Error {
  override readonly name = "FlowKeyConflictError";
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
    return runScript(this.ctx, getSubscription, { id });
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
        const sealed = await sendTransaction(this.ctx, issueKey, { id, keyHash: hash }, this.authz);
        this.onTransaction("issue_key", sealed.transactionId);
      } else if (previousHashes.includes(before.keyHash)) {
        const sealed = await sendTransaction(this.ctx, rotateKeyTx, { id, newKeyHash: hash }, this.authz);
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
}
