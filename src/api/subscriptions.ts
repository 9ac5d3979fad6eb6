import type { AuthorizationFunction } from "@onflow/fcl";
import { codec, eventsOf, runScript, sendTransaction, type FlowContext } from "../flow/runtime";
import { subscriptionsCreateSubscription, subscriptionsRequestClose, subscriptionsUpdateSubscription } from "../flow/generated/transactions";
import { subscriptionsGetCustomerSubscriptions, subscriptionsGetSubscription } from "../flow/generated/scripts";
import { SimpleUsageSubscriptions_SubscriptionCreated, type SimpleUsageSubscriptions_SubscriptionInfo } from "../flow/generated/types";

/** A subscription as the page and the seed's API show it. */
export type Subscription = SimpleUsageSubscriptions_SubscriptionInfo;

/** Who signs: the customer's wallet (FCL's current user in the page, a key in scripts and tests). */
export interface CustomerContext extends FlowContext {
  customer: AuthorizationFunction;
  /** The customer's address, checked against the seed API's customerAddress argument. */
  customerAddress: string;
  onStatus?: (status: string) => void;
}

/** The seed's updateSubscription changes: a period budget and the models the key may use. */
export interface SubscriptionChanges {
  /** FLOW per billing period; null removes the cap; absent keeps it. */
  maxBudget?: string | null;
  /** The seed's "permissions": which models the key may call; null allows all; absent keeps them. */
  permissions?: { allowedModels?: readonly string[] | null };
}

export interface CreatedSubscription {
  vaultId: bigint;
  transactionId: string;
}

/**
 * The seed README's API Reference, by name, on the generated bindings:
 * createSubscriptionVault, getUserSubscriptions, updateSubscription,
 * deleteSubscription (the close of DESIGN.md).
 */
export function subscriptionApi(ctx: CustomerContext) {
  const customer = codec.normalizeAddress(ctx.customerAddress, "customerAddress");

  return {
    /**
     * Escrows `depositAmount` FLOW with `providerAddress`; the customer signs.
     * Resolves once sealed, with the new subscription's id.
     */
    async createSubscriptionVault(
      providerAddress: string,
      depositAmount: string,
      customerAddress: string,
      options: { maxBudgetPerPeriod?: string | null; allowedModels?: readonly string[] | null } = {},
    ): Promise<CreatedSubscription> {
      if (codec.normalizeAddress(customerAddress, "customerAddress") !== customer) {
        throw new Error(`createSubscriptionVault: ${customerAddress} is not the signing customer ${customer}`);
      }
      const sealed = await sendTransaction(
        ctx,
        subscriptionsCreateSubscription,
        {
          provider: providerAddress,
          deposit: depositAmount,
          maxBudgetPerPeriod: options.maxBudgetPerPeriod ?? null,
          allowedModels: options.allowedModels ?? null,
        },
        ctx.customer,
        { onStatus: ctx.onStatus },
      );
      const [created] = eventsOf(sealed, ".SimpleUsageSubscriptions.SubscriptionCreated");
      const event = SimpleUsageSubscriptions_SubscriptionCreated.decode(created as never, "SubscriptionCreated");
      return { vaultId: event.id, transactionId: sealed.transactionId };
    },

    /** Every subscription `userAddress` created, oldest first. */
    getUserSubscriptions(userAddress: string): Promise<Subscription[]> {
      return runScript(ctx, subscriptionsGetCustomerSubscriptions, { customer: userAddress });
    },

    /** Changes the period budget and/or allowed models; what is not given stays as it is. */
    async updateSubscription(vaultId: bigint | number, changes: SubscriptionChanges): Promise<string> {
      const current = await runScript(ctx, subscriptionsGetSubscription, { id: vaultId });
      if (!current) throw new Error(`updateSubscription: no subscription ${vaultId}`);
      const allowedModels = changes.permissions?.allowedModels;
      const sealed = await sendTransaction(
        ctx,
        subscriptionsUpdateSubscription,
        {
          id: vaultId,
          maxBudgetPerPeriod: changes.maxBudget === undefined ? current.maxBudgetPerPeriod : changes.maxBudget,
          allowedModels: allowedModels === undefined ? current.allowedModels : allowedModels,
        },
        ctx.customer,
        { onStatus: ctx.onStatus },
      );
      return sealed.transactionId;
    },

    /**
     * Closes the subscription: it takes no new usage, the last windows are
     * still billed, then the rest of the escrow is refunded (finish_close).
     */
    async deleteSubscription(vaultId: bigint | number): Promise<string> {
      const sealed = await sendTransaction(ctx, subscriptionsRequestClose, { id: vaultId }, ctx.customer, { onStatus: ctx.onStatus });
      return sealed.transactionId;
    },
  };
}
