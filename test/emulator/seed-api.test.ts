import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlowEmulator } from "../../src/local/emulator";
import { createLocalAccount } from "../../src/local/accounts";
import { flowNetwork } from "../../src/config/networks";
import { contractAddresses } from "../../src/config/flow-json";
import { deployFlow } from "../../src/deploy/flow-deploy";
import { flowSigner } from "../../src/deploy/flow-signer";
import { keyAuthorization, type FlowContext, type KeySigner } from "../../src/flow/runtime";
import { subscriptionApi } from "../../src/api/subscriptions";

// The README's examples of the seed API, run against the emulator.
describe("the seed's subscription API", () => {
  let emulator: FlowEmulator;
  let flow: FlowContext;
  let provider: KeySigner;
  let customer: KeySigner;
  let dir: string;

  beforeAll(async () => {
    emulator = await FlowEmulator.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-seed-"));
    const network = flowNetwork("emulator");
    const signer = flowSigner(network);
    await deployFlow({ network, accessNode: emulator.restUrl, signer, yes: false, log: () => undefined, deploymentsDir: dir });
    flow = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", signer.address) };
    provider = await createLocalAccount(flow, "10.0");
    customer = await createLocalAccount(flow, "100.0");
  });

  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("creates, lists, updates and closes a subscription", async () => {
    const api = subscriptionApi({ ...flow, customer: keyAuthorization(customer), customerAddress: customer.address });

    const { vaultId } = await api.createSubscriptionVault(provider.address, "25.0", customer.address);
    let [subscription] = await api.getUserSubscriptions(customer.address);
    expect(subscription?.id).toBe(vaultId);
    expect(subscription?.balance).toBe("25.00000000");
    expect(subscription?.status).toBe("Active");

    await api.updateSubscription(vaultId, { maxBudget: "200.0", permissions: { allowedModels: ["gpt-4"] } });
    [subscription] = await api.getUserSubscriptions(customer.address);
    expect(subscription?.maxBudgetPerPeriod).toBe("200.00000000");
    expect(subscription?.allowedModels).toEqual(["gpt-4"]);

    await api.updateSubscription(vaultId, { maxBudget: null });
    [subscription] = await api.getUserSubscriptions(customer.address);
    expect(subscription?.maxBudgetPerPeriod).toBeNull();
    expect(subscription?.allowedModels).toEqual(["gpt-4"]);

    await api.deleteSubscription(vaultId);
    [subscription] = await api.getUserSubscriptions(customer.address);
    expect(subscription?.status).toBe("Closing");
  });

  it("tops up, reads one subscription and the escrow rules, and surfaces the contract's refusals in words", async () => {
    const api = subscriptionApi({ ...flow, customer: keyAuthorization(customer), customerAddress: customer.address });
    const { vaultId } = await api.createSubscriptionVault(provider.address, "10.0", customer.address);

    await api.topUp(vaultId, "2.5");
    const subscription = await api.getSubscription(vaultId);
    expect(subscription?.balance).toBe("12.50000000");
    expect(await api.getSubscription(999_999n)).toBeNull();

    const settings = await api.getEscrowSettings();
    expect(settings.minimumDeposit).toBeGreaterThan(0n);
    expect(settings.closeGracePeriod).toBeGreaterThanOrEqual(settings.minimumCloseGracePeriod);

    // No key was issued here and nothing was settled: both calls reach the contract, which refuses.
    await expect(api.revokeKey(vaultId)).rejects.toThrow(/no key is attached/);
    await expect(api.finishClose(vaultId)).rejects.toThrow(/request the close first/);
    await api.deleteSubscription(vaultId);
    await expect(api.finishClose(vaultId)).rejects.toThrow(/grace period has not passed/);
  });

  it("refuses a customer address that is not the signer, sending nothing", async () => {
    const api = subscriptionApi({ ...flow, customer: keyAuthorization(customer), customerAddress: customer.address });
    const before = await api.getUserSubscriptions(provider.address);
    await expect(api.createSubscriptionVault(provider.address, "1.0", provider.address)).rejects.toThrow(/not the signing customer/);
    expect(await api.getUserSubscriptions(provider.address)).toEqual(before);
  });

  it("surfaces Cadence's refusal of a zero deposit in words", async () => {
    const api = subscriptionApi({ ...flow, customer: keyAuthorization(customer), customerAddress: customer.address });
    await expect(api.createSubscriptionVault(provider.address, "0.0", customer.address)).rejects.toThrow(/deposit/i);
  });
});
