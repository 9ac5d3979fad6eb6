import type { AuthorizationFunction } from "@onflow/fcl";
import { codec, eventsOf, runScript, sendTransaction, type FlowContext, type TransactionDefinition } from "../flow/runtime";
import {
  subscriptionsCreateSubscription,
  subscriptionsFinishClose,
  subscriptionsRequestClose,
  subscriptionsRevokeKeyCustomer,
  subscriptionsTopUp,
  subscriptionsUpdateSubscription,
} from "../flow/generated/transactions";
import { subscriptionsGetCustomerSubscriptions, subscriptionsGetEscrowSettings, subscriptionsGetSubscription } from "../flow/generated/scripts";
import {
  SimpleUsageSubscriptions_SubscriptionCreated,
  type SimpleUsageSubscriptions_Settings,
  type SimpleUsageSubscriptions_SubscriptionInfo,
} from "../flow/generated/types";
import { parseUFix64, UNITS_PER_FLOW } from "../pricing";
import { ApiError } from "./errors";

/** A subscription as the page and the seed's API show it. */
export type Subscription = SimpleUsageSubscriptions_SubscriptionInfo;

/** Who signs: the customer's wallet (FCL's current user in the page, a key in scripts and tests). */
export interface CustomerContext extends FlowContext {
  customer: AuthorizationFunction;
  /**
   * The customer's address, checked against createSubscriptionVault's customerAddress argument.
   * Only that call needs it: the other transactions act as whoever signs, so the page may call
   * them without knowing the address.
   */
  customerAddress?: string;
  onStatus?: (status: string) => void;
}

/** The seed's updateSubscription changes: a period budget and the models the key may use. */
export interface SubscriptionChanges {
  /** FLOW per billing period; null removes the cap; absent keeps it. */
  maxBudget?: string | null;
  /** The seed's "permissions": which models the key may call; null allows all; absent keeps them. */
  permissions?: { allowedModels?: readonly string[] | null };
}

/** get_escrow_settings as exact integers (periods in seconds, amounts in units of 1e-8 FLOW). */
export interface EscrowSettings {
  billingPeriod: bigint;
  closeGracePeriod: bigint;
  minimumCloseGracePeriod: bigint;
  /** What opens a subscription, and resumes one whose escrow ran out. */
  minimumDeposit: bigint;
}

export function escrowSettingsFromChain(raw: SimpleUsageSubscriptions_Settings): EscrowSettings {
  return {
    billingPeriod: parseUFix64(raw.billingPeriod) / UNITS_PER_FLOW,
    closeGracePeriod: parseUFix64(raw.closeGracePeriod) / UNITS_PER_FLOW,
    minimumCloseGracePeriod: parseUFix64(raw.minimumCloseGracePeriod) / UNITS_PER_FLOW,
    minimumDeposit: parseUFix64(raw.minimumDeposit),
  };
}

export interface CreatedSubscription {
  vaultId: bigint;
  transactionId: string;
}

/**
 * The seed README's API Reference, by name, on the generated bindings:
 * createSubscriptionVault, getUserSubscriptions, updateSubscription,
 * deleteSubscription (the close of DESIGN.md); then the customer's other operations
 * (topUp, revokeKey, finishClose) and the facts they read (getSubscription, getEscrowSettings),
 * so a caller never reaches past this module to the bindings.
 */
export function subscriptionApi(ctx: CustomerContext) {
  const send = async <Args>(tx: TransactionDefinition<Args>, args: Args): Promise<string> =>
    (await sendTransaction(ctx, tx, args, ctx.customer, { onStatus: ctx.onStatus })).transactionId;

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
      if (ctx.customerAddress === undefined) throw new ApiError("createSubscriptionVault: the context names no customerAddress to check");
      const customer = codec.normalizeAddress(ctx.customerAddress, "customerAddress");
      if (codec.normalizeAddress(customerAddress, "customerAddress") !== customer) {
        throw new ApiError(`createSubscriptionVault: ${customerAddress} is not the signing customer ${customer}`);
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
      if (!current) throw new ApiError(`updateSubscription: no subscription ${vaultId}`);
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
    deleteSubscription(vaultId: bigint | number): Promise<string> {
      return send(subscriptionsRequestClose, { id: vaultId });
    },

    /** One subscription, or null when no subscription has that id. */
    getSubscription(vaultId: bigint | number): Promise<Subscription | null> {
      return runScript(ctx, subscriptionsGetSubscription, { id: vaultId });
    },

    /** Adds `amount` FLOW (UFix64 text) to the escrow; resumes one that ran out at the minimum deposit. */
    topUp(vaultId: bigint | number, amount: string): Promise<string> {
      return send(subscriptionsTopUp, { id: vaultId, amount });
    },

    /** Revokes the subscription's API key: the provider accepts no more usage on it. */
    revokeKey(vaultId: bigint | number): Promise<string> {
      return send(subscriptionsRevokeKeyCustomer, { id: vaultId });
    },

    /** After deleteSubscription's grace period: bills what is left and refunds the rest of the escrow. */
    finishClose(vaultId: bigint | number): Promise<string> {
      return send(subscriptionsFinishClose, { id: vaultId });
    },

    /** The escrow's rules: billing period, close grace periods, minimum deposit. */
    async getEscrowSettings(): Promise<EscrowSettings> {
      return escrowSettingsFromChain(await runScript(ctx, subscriptionsGetEscrowSettings, {}));
    },
  };
}
