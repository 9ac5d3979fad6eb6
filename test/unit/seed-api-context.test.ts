/**
 * subscriptionApi without a customerAddress: the page builds it that way for the operations that
 * act as whoever signs (top-up, revoke, finish close), so the one call that checks the address
 * must refuse rather than send unchecked. No emulator: the refusal comes before any network call
 * (the access node below is closed, so a send would fail with a different error).
 */
import { describe, expect, it } from "vitest";
import { subscriptionApi } from "../../src/api/subscriptions";

const closed = { accessNode: "http://127.0.0.1:9", addresses: {} };
const customer = "0x01cf0e2f2f715450";
const signer = (() => {
  throw new Error("no signature may be asked for");
}) as never;

describe("subscriptionApi's customer address", () => {
  it("refuses createSubscriptionVault when the context names no customer to check against", async () => {
    const api = subscriptionApi({ ...closed, customer: signer });
    await expect(api.createSubscriptionVault("0xf8d6e0586b0a20c7", "25.0", customer)).rejects.toThrow(/no customerAddress/);
  });

  it("refuses a customerAddress argument other than the context's", async () => {
    const api = subscriptionApi({ ...closed, customer: signer, customerAddress: customer });
    await expect(api.createSubscriptionVault("0xf8d6e0586b0a20c7", "25.0", "0xf8d6e0586b0a20c7")).rejects.toThrow(/not the signing customer/);
  });
});
