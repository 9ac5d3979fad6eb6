/**
 * The FlowClient on FCL, the generated bindings and the seed API. The page imports this module
 * lazily (import("./services/flow")): FCL is most of the page's JavaScript and the shell must not
 * wait for it.
 */
import * as fcl from "@onflow/fcl";
import { subscriptionApi } from "../../../src/api/subscriptions";
import { runScript, sendTransaction, type FlowContext, type SealedTransaction, type TransactionDefinition } from "../../../src/flow/runtime";
import { pricingGetPricingSchedule } from "../../../src/flow/generated/scripts/pricing/get_pricing_schedule";
import { subscriptionsGetEscrowSettings } from "../../../src/flow/generated/scripts/subscriptions/get_escrow_settings";
import { subscriptionsGetSubscription } from "../../../src/flow/generated/scripts/subscriptions/get_subscription";
import { subscriptionsGetCustomerSubscriptions } from "../../../src/flow/generated/scripts/subscriptions/get_customer_subscriptions";
import { subscriptionsTopUp } from "../../../src/flow/generated/transactions/subscriptions/top_up";
import { subscriptionsRevokeKeyCustomer } from "../../../src/flow/generated/transactions/subscriptions/revoke_key_customer";
import { subscriptionsFinishClose } from "../../../src/flow/generated/transactions/subscriptions/finish_close";
import { pricingAdminSetTiers } from "../../../src/flow/generated/transactions/pricing/admin_set_tiers";
import { pricingAdminSetFamilyMultiplier } from "../../../src/flow/generated/transactions/pricing/admin_set_family_multiplier";
import { pricingAdminSetDefaultMultiplier } from "../../../src/flow/generated/transactions/pricing/admin_set_default_multiplier";
import { pricingAdminCancelPricingChanges } from "../../../src/flow/generated/transactions/pricing/admin_cancel_pricing_changes";
import { formatUFix64, parseUFix64 } from "../../../src/pricing";
import { accountAccountStorage } from "../../../src/flow/generated/scripts/account/account_storage";
import type { PageConfig } from "../config";
import { announcementFromEvents, cancelledFromEvents, escrowSettingsFromChain, scheduleFromChain } from "./chainValues";
import type { FlowClient, OnStatus } from "./flowClient";

function hexOfText(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function createFlowClient(config: PageConfig): FlowClient {
  fcl.config({
    "flow.network": config.network === "emulator" ? "local" : config.network,
    "accessNode.api": config.accessNode,
    "discovery.wallet": config.walletDiscovery,
    "app.detail.title": "FlareFlow",
    // No icon URL: the wallet would fetch it, and nothing may leave the stack.
    "app.detail.icon": "data:,",
  });
  const ctx: FlowContext = { accessNode: config.accessNode, addresses: config.addresses };
  // FCL shows one wallet view at a time: a signUserMessage made while another is open fails (a
  // key reveal and the first pending-usage read start together). Signature requests queue up.
  let signing: Promise<unknown> = Promise.resolve();

  // sendTransaction reports "pending" once the wallet has signed and the node has the transaction.
  const sendSealed = async <Args>(tx: TransactionDefinition<Args>, args: Args, onStatus: OnStatus): Promise<SealedTransaction> => {
    onStatus("signing");
    return sendTransaction(ctx, tx, args, fcl.authz, { onStatus: (s) => onStatus(s === "sealed" ? "sealed" : "pending") });
  };
  const send = async <Args>(tx: TransactionDefinition<Args>, args: Args, onStatus: OnStatus): Promise<string> =>
    (await sendSealed(tx, args, onStatus)).transactionId;
  const api = (customer: string, onStatus?: OnStatus) =>
    subscriptionApi({
      ...ctx,
      customer: fcl.authz,
      customerAddress: customer,
      onStatus: onStatus && ((s) => onStatus(s === "sealed" ? "sealed" : "pending")),
    });

  return {
    onUser(callback) {
      return fcl.currentUser.subscribe((user) => callback({ address: user.loggedIn && user.addr ? fcl.withPrefix(user.addr) : null }));
    },
    async logIn() {
      await fcl.authenticate();
    },
    async logOut() {
      fcl.unauthenticate();
    },
    listSubscriptions: (customer) => runScript(ctx, subscriptionsGetCustomerSubscriptions, { customer }),
    getSubscription: (id) => runScript(ctx, subscriptionsGetSubscription, { id }),
    getPricingSchedule: async () => scheduleFromChain(await runScript(ctx, pricingGetPricingSchedule, {})),
    getEscrowSettings: async () => escrowSettingsFromChain(await runScript(ctx, subscriptionsGetEscrowSettings, {})),
    async accountStorage(address) {
      const raw = await runScript(ctx, accountAccountStorage, { account: address });
      const field = (name: string) => parseUFix64(raw[name] ?? "0.0");
      return {
        balance: field("balance"),
        availableBalance: field("availableBalance"),
        storageUsed: field("storageUsed") / 100_000_000n,
        storageCapacity: field("storageCapacity") / 100_000_000n,
      };
    },
    async createSubscription(customer, input, onStatus) {
      onStatus("signing");
      const created = await api(customer, onStatus).createSubscriptionVault(input.provider, input.deposit, customer, {
        maxBudgetPerPeriod: input.maxBudgetPerPeriod,
        allowedModels: input.allowedModels,
      });
      return { id: created.vaultId, transactionId: created.transactionId };
    },
    topUp: (id, amount, onStatus) => send(subscriptionsTopUp, { id, amount }, onStatus),
    async updateSubscription(customer, id, changes, onStatus) {
      onStatus("signing");
      return api(customer, onStatus).updateSubscription(id, {
        maxBudget: changes.maxBudgetPerPeriod,
        permissions: { allowedModels: changes.allowedModels },
      });
    },
    revokeKey: (id, onStatus) => send(subscriptionsRevokeKeyCustomer, { id }, onStatus),
    async requestClose(customer, id, onStatus) {
      onStatus("signing");
      return api(customer, onStatus).deleteSubscription(id);
    },
    finishClose: (id, onStatus) => send(subscriptionsFinishClose, { id }, onStatus),
    async setTiers(tiers, onStatus) {
      const args = { thresholds: tiers.map((t) => t.threshold), pricesPer1K: tiers.map((t) => formatUFix64(t.pricePer1K)) };
      const sealed = await sendSealed(pricingAdminSetTiers, args, onStatus);
      return announcementFromEvents(sealed.transactionId, sealed.events);
    },
    async setFamilyMultiplier(family, multiplier, onStatus) {
      const sealed = await sendSealed(pricingAdminSetFamilyMultiplier, { family, multiplier }, onStatus);
      return announcementFromEvents(sealed.transactionId, sealed.events);
    },
    async setDefaultMultiplier(multiplier, onStatus) {
      const sealed = await sendSealed(pricingAdminSetDefaultMultiplier, { multiplier }, onStatus);
      return announcementFromEvents(sealed.transactionId, sealed.events);
    },
    async cancelPricingChanges(onStatus) {
      const sealed = await sendSealed(pricingAdminCancelPricingChanges, {}, onStatus);
      return { transactionId: sealed.transactionId, versions: cancelledFromEvents(sealed.events) };
    },
    async signMessage(message) {
      const turn = signing.then(() => fcl.currentUser.signUserMessage(hexOfText(message)));
      signing = turn.catch(() => undefined);
      const signatures = await turn;
      if (!Array.isArray(signatures) || signatures.length === 0) throw new Error("The wallet returned no signature.");
      return signatures.map((s) => ({ addr: fcl.withPrefix(s.addr), keyId: s.keyId, signature: s.signature }));
    },
  };
}
