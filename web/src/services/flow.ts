/**
 * The FlowClient on FCL and the API modules (src/api: the customer's subscriptionApi, the
 * pricing admin's pricingApi), which own every chain fact the page reads or changes; only the
 * wallet's own account figures come straight from a binding. The page imports this module
 * lazily (import("./services/flow")): FCL is most of the page's JavaScript and the shell must not
 * wait for it.
 */
import * as fcl from "@onflow/fcl";
import { pricingApi } from "../../../src/api/pricing";
import { subscriptionApi } from "../../../src/api/subscriptions";
import { runScript, type FlowContext } from "../../../src/flow/runtime";
import { parseUFix64, UNITS_PER_FLOW } from "../../../src/pricing";
import { accountAccountStorage } from "../../../src/flow/generated/scripts/account/account_storage";
import type { PageConfig } from "../config";
import type { FlowClient, OnStatus } from "./flowClient";
import { PageError } from "../errors";

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

  // The API's sendTransaction reports "pending" once the wallet has signed and the node has the
  // transaction; "signing" is the page's own word for the wait before, so each call says it first.
  const chainStatus = (onStatus?: OnStatus) => onStatus && ((s: string) => onStatus(s === "sealed" ? "sealed" : "pending"));
  // Neither API asks the wallet for anything until a transaction is signed, so reads build them too.
  const customerApi = (onStatus?: OnStatus, customerAddress?: string) =>
    subscriptionApi({ ...ctx, customer: fcl.authz, customerAddress, onStatus: chainStatus(onStatus) });
  const adminApi = (onStatus?: OnStatus) => pricingApi({ ...ctx, admin: fcl.authz, onStatus: chainStatus(onStatus) });
  const signed = async <T>(onStatus: OnStatus, call: () => Promise<T>): Promise<T> => {
    onStatus("signing");
    return call();
  };

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
    listSubscriptions: (customer) => customerApi().getUserSubscriptions(customer),
    getSubscription: (id) => customerApi().getSubscription(id),
    getPricingSchedule: () => adminApi().getPricingSchedule(),
    getEscrowSettings: () => customerApi().getEscrowSettings(),
    async accountStorage(address) {
      const raw = await runScript(ctx, accountAccountStorage, { account: address });
      const field = (name: string) => parseUFix64(raw[name] ?? "0.0");
      // The script gives storage in bytes, as UFix64 whole numbers.
      return {
        balance: field("balance"),
        availableBalance: field("availableBalance"),
        storageUsed: field("storageUsed") / UNITS_PER_FLOW,
        storageCapacity: field("storageCapacity") / UNITS_PER_FLOW,
      };
    },
    async createSubscription(customer, input, onStatus) {
      const created = await signed(onStatus, () =>
        customerApi(onStatus, customer).createSubscriptionVault(input.provider, input.deposit, customer, {
          maxBudgetPerPeriod: input.maxBudgetPerPeriod,
          allowedModels: input.allowedModels,
        }),
      );
      return { id: created.vaultId, transactionId: created.transactionId };
    },
    topUp: (id, amount, onStatus) => signed(onStatus, () => customerApi(onStatus).topUp(id, amount)),
    updateSubscription: (customer, id, changes, onStatus) =>
      signed(onStatus, () =>
        customerApi(onStatus, customer).updateSubscription(id, {
          maxBudget: changes.maxBudgetPerPeriod,
          permissions: { allowedModels: changes.allowedModels },
        }),
      ),
    revokeKey: (id, onStatus) => signed(onStatus, () => customerApi(onStatus).revokeKey(id)),
    requestClose: (customer, id, onStatus) => signed(onStatus, () => customerApi(onStatus, customer).deleteSubscription(id)),
    finishClose: (id, onStatus) => signed(onStatus, () => customerApi(onStatus).finishClose(id)),
    setTiers: (tiers, onStatus) => signed(onStatus, () => adminApi(onStatus).setTiers(tiers)),
    setFamilyMultiplier: (family, multiplier, onStatus) => signed(onStatus, () => adminApi(onStatus).setFamilyMultiplier(family, multiplier)),
    setDefaultMultiplier: (multiplier, onStatus) => signed(onStatus, () => adminApi(onStatus).setDefaultMultiplier(multiplier)),
    cancelPricingChanges: (onStatus) => signed(onStatus, () => adminApi(onStatus).cancelPricingChanges()),
    async signMessage(messageHex) {
      const turn = signing.then(() => fcl.currentUser.signUserMessage(messageHex));
      signing = turn.catch(() => undefined);
      const signatures = await turn;
      if (!Array.isArray(signatures) || signatures.length === 0) throw new PageError("The wallet returned no signature.");
      return signatures.map((s) => ({ addr: fcl.withPrefix(s.addr), keyId: s.keyId, signature: s.signature }));
    },
  };
}
