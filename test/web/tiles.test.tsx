// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PRICING } from "../../src/pricing";
import { SubscriptionList } from "../../web/src/components/SubscriptionList";
import { SubscriptionTile } from "../../web/src/components/SubscriptionTile";
import { queryKeys } from "../../web/src/queries";
import { CUSTOMER, config, flowMock, keysMock, renderWith, subscription } from "./fixtures";

afterEach(cleanup);

const tile = (over: Parameters<typeof subscription>[0] = {}, options: Parameters<typeof renderWith>[1] = {}) => {
  const flow = options.flow ?? flowMock();
  const { invalidate } = renderWith(<SubscriptionTile subscription={subscription(over)} pricing={DEFAULT_PRICING} nowSeconds={Date.now() / 1000} />, {
    ...options,
    flow,
  });
  return { flow, invalidate };
};

describe("SubscriptionTile", () => {
  it("shows status, escrow left, a masked key and verified usage from Flow", () => {
    tile();
    expect(screen.getByTestId("status").textContent).toBe("Active");
    expect(screen.getByTestId("escrow").textContent).toContain("7.5 FLOW");
    expect(screen.getByTestId("escrow").textContent).toContain("10.0 FLOW deposited");
    expect(screen.getByTestId("api-key-value").textContent).toMatch(/^sk-•+/);
    expect(screen.getByTestId("api-key-value").textContent).not.toContain("sk-test");
    const verified = screen.getByTestId("verified-usage");
    expect(verified.textContent).toContain("billed on Flow");
    expect(verified.textContent).toContain("100,000 tokens in 40 requests");
    expect(verified.textContent).toContain("2.5 FLOW");
  });

  it("keeps pending usage apart and asks for a signature before showing it", async () => {
    const keys = keysMock();
    tile({}, { keys: keys.service });
    const pending = screen.getByTestId("pending-usage");
    expect(pending.textContent).toContain("awaiting attestation");
    expect(keys.session.usage).not.toHaveBeenCalled();
    fireEvent.click(within(pending).getByRole("button", { name: /sign in/i }));
    await waitFor(() => expect(screen.getByTestId("pending-tokens").textContent).toContain("30,000 tokens"));
    expect(keys.service.signIn).toHaveBeenCalledWith(CUSTOMER, expect.any(Function));
    // cost by model priced by the mirror: 100K gpt-4o tokens from 0 = 100 × 0.020 × 1.5 = 3.0 FLOW
    const breakdown = screen.getByRole("region", { name: "Cost by model" });
    expect(within(breakdown).getByText("gpt-4o").closest("tr")?.textContent).toContain("3.0 FLOW");
    expect(screen.getByRole("region", { name: "Recent requests" }).querySelectorAll("li")).toHaveLength(2);
    expect(screen.getByRole("img", { name: /tokens per day/i }).querySelectorAll("rect")).toHaveLength(2);
    expect(screen.getByTestId("projected").textContent).toMatch(/about [\d.]+ FLOW/);
  });

  it("reveals the key only after a wallet-signed request, and copies it", async () => {
    const keys = keysMock();
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    tile({}, { keys: keys.service });
    fireEvent.click(screen.getByRole("button", { name: "Reveal key" }));
    await waitFor(() => expect(screen.getByTestId("api-key-value").textContent).toBe("sk-test-plaintext-key"));
    expect(keys.session.revealKey).toHaveBeenCalledWith(7n);
    fireEvent.click(screen.getByRole("button", { name: "Copy" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("sk-test-plaintext-key"));
    fireEvent.click(screen.getByRole("button", { name: "Hide" }));
    expect(screen.getByTestId("api-key-value").textContent).not.toContain("plaintext");
  });

  it("says when the wallet declines the key request", async () => {
    const flow = flowMock({ signMessage: vi.fn(async () => Promise.reject(new Error("Declined: Externally Halted"))) });
    const service = { signIn: vi.fn(async (_a: string, sign: (m: string) => Promise<unknown>) => { await sign("nonce"); throw new Error("unreachable"); }) };
    tile({}, { flow, keys: service as never });
    fireEvent.click(screen.getByRole("button", { name: "Reveal key" }));
    expect(await screen.findByText(/declined the request/i)).toBeTruthy();
  });

  it("says there is no key yet while the key service has not attached one", () => {
    tile({ keyHash: null });
    expect(screen.getByTestId("api-key").textContent).toMatch(/No key yet/);
    expect((screen.getByRole("button", { name: "Revoke key" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("tops up after the storage check, with progress in words", async () => {
    const { flow, invalidate } = tile();
    fireEvent.click(screen.getByRole("button", { name: "Top up" }));
    fireEvent.change(screen.getByRole("textbox", { name: /amount/i }), { target: { value: "2.5" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign top-up" }));
    await waitFor(() => expect(screen.getByTestId("tx-status").getAttribute("data-state")).toBe("sealed"));
    expect(flow.accountStorage).toHaveBeenCalled();
    expect(flow.topUp).toHaveBeenCalledWith(7n, "2.5", expect.any(Function));
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.subscriptions(CUSTOMER) });
  });

  it("refuses a top-up the account cannot afford, in words, without asking the wallet", async () => {
    const flow = flowMock({
      accountStorage: vi.fn(async () => ({ balance: 200_000_000n, availableBalance: 100_000_000n, storageUsed: 1000n, storageCapacity: 200_000_000n })),
    });
    tile({}, { flow });
    fireEvent.click(screen.getByRole("button", { name: "Top up" }));
    fireEvent.change(screen.getByRole("textbox", { name: /amount/i }), { target: { value: "5" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign top-up" }));
    expect(await screen.findByText(/FLOW short/)).toBeTruthy();
    expect(screen.getByText(/Send at least 4.001 FLOW/)).toBeTruthy();
    expect(flow.topUp).not.toHaveBeenCalled();
  });

  it("changes cap and models, validating first", async () => {
    const { flow } = tile({ maxBudgetPerPeriod: "5.00000000", allowedModels: ["gpt-4o"] });
    fireEvent.click(screen.getByRole("button", { name: "Change cap or models" }));
    const cap = screen.getByRole("textbox", { name: /spending cap/i });
    fireEvent.change(cap, { target: { value: "0" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign changes" }));
    expect(await screen.findByText("The spending cap must be more than 0.")).toBeTruthy();
    fireEvent.change(cap, { target: { value: "" } });
    fireEvent.change(screen.getByRole("textbox", { name: /allowed models/i }), { target: { value: "gpt-4o, claude-3-haiku" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign changes" }));
    await waitFor(() =>
      expect(flow.updateSubscription).toHaveBeenCalledWith(CUSTOMER, 7n, { maxBudgetPerPeriod: null, allowedModels: ["gpt-4o", "claude-3-haiku"] }, expect.any(Function)),
    );
  });

  it("shows a Cadence refusal in words", async () => {
    const flow = flowMock({
      revokeKey: vi.fn(async () => {
        throw new Error("revoke_key_customer failed: [Error Code: 1101] error caused by: 1 error occurred:\n\t* transaction execute failed: panic: revoke_key_customer: the signer has no subscriptions (no Customer resource)");
      }),
    });
    tile({}, { flow });
    fireEvent.click(screen.getByRole("button", { name: "Revoke key" }));
    fireEvent.click(screen.getByRole("button", { name: "Revoke the key" }));
    await waitFor(() => expect(screen.getByTestId("tx-status").getAttribute("data-state")).toBe("error"));
    expect(screen.getByTestId("tx-status").textContent).toContain("The signer has no subscriptions (no Customer resource).");
  });

  it("closes, then offers the refund once the grace period is over", async () => {
    const { flow } = tile();
    fireEvent.click(screen.getByRole("button", { name: "Close" }));
    fireEvent.click(screen.getByRole("button", { name: "Close the subscription" }));
    await waitFor(() => expect(flow.requestClose).toHaveBeenCalledWith(CUSTOMER, 7n, expect.any(Function)));
    cleanup();
    const past = `${Math.floor(Date.now() / 1000) - 10}.00000000`;
    tile({ status: "Closing", closeRequestedAt: past, closeGraceEndsAt: past });
    expect(screen.getByTestId("status").textContent).toMatch(/Closing/);
    fireEvent.click(screen.getByRole("button", { name: "Collect refund" }));
    await waitFor(() => expect(screen.getByTestId("tx-status").getAttribute("data-state")).toBe("sealed"));
  });

  it("rotates the key through the key service", async () => {
    const keys = keysMock();
    tile({}, { keys: keys.service });
    fireEvent.click(screen.getByRole("button", { name: "Rotate key" }));
    await waitFor(() => expect(keys.session.rotateKey).toHaveBeenCalledWith(7n));
    expect(await screen.findByText(/Rotation requested/)).toBeTruthy();
  });

  it("without a key service, says so instead of failing", () => {
    tile({}, { keys: null });
    expect(screen.getByTestId("pending-usage").textContent).toMatch(/No key service is configured/);
    expect((screen.getByRole("button", { name: "Reveal key" }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("SubscriptionList", () => {
  const list = (flow = flowMock()) =>
    renderWith(<SubscriptionList pricing={DEFAULT_PRICING} />, { flow });

  it("shows loading, then one tile per subscription, newest first", async () => {
    let release: (v: ReturnType<typeof subscription>[]) => void = () => undefined;
    const flow = flowMock({ listSubscriptions: vi.fn(() => new Promise<ReturnType<typeof subscription>[]>((r) => (release = r))) });
    list(flow);
    expect(screen.getByText(/Loading your subscriptions/)).toBeTruthy();
    release([subscription({ id: 1n }), subscription({ id: 2n })]);
    await waitFor(() => expect(screen.getAllByTestId("subscription-tile")).toHaveLength(2));
    expect(screen.getAllByTestId("subscription-tile").map((t) => t.getAttribute("data-subscription-id"))).toEqual(["2", "1"]);
  });

  it("shows the empty state", async () => {
    list(flowMock({ listSubscriptions: vi.fn(async () => []) }));
    expect(await screen.findByText(/You have no subscriptions yet/)).toBeTruthy();
  });

  it("shows the error state with a retry", async () => {
    const listSubscriptions = vi.fn().mockRejectedValueOnce(new TypeError("Failed to fetch")).mockResolvedValue([subscription()]);
    list(flowMock({ listSubscriptions }));
    expect(await screen.findByText(/access node could not be reached/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(screen.getAllByTestId("subscription-tile")).toHaveLength(1));
  });
  it("reads the list again once a tile's transaction seals", async () => {
    const listSubscriptions = vi.fn().mockResolvedValueOnce([subscription()]).mockResolvedValue([subscription({ balance: "10.00000000" })]);
    list(flowMock({ listSubscriptions }));
    await screen.findByTestId("subscription-tile");
    expect(screen.getByTestId("escrow").textContent).toContain("7.5 FLOW");
    fireEvent.click(screen.getByRole("button", { name: "Top up" }));
    fireEvent.change(screen.getByRole("textbox", { name: /amount/i }), { target: { value: "2.5" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign top-up" }));
    await waitFor(() => expect(screen.getByTestId("escrow").textContent).toContain("Escrow left: 10.0 FLOW"));
    expect(listSubscriptions).toHaveBeenCalledTimes(2);
  });

  it("polls every usagePollMs, and a failed poll keeps the tiles on screen", async () => {
    // Only the poll's clock is faked: testing-library's waits keep real timeouts.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      const listSubscriptions = vi
        .fn()
        .mockResolvedValueOnce([subscription()])
        .mockRejectedValueOnce(new TypeError("Failed to fetch"))
        .mockResolvedValue([subscription(), subscription({ id: 8n })]);
      renderWith(<SubscriptionList pricing={DEFAULT_PRICING} />, { flow: flowMock({ listSubscriptions }), pageConfig: { ...config, usagePollMs: 7_000 } });
      await screen.findByTestId("subscription-tile");
      await vi.advanceTimersByTimeAsync(6_999);
      expect(listSubscriptions).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(await screen.findByText(/Could not refresh your subscriptions/)).toBeTruthy();
      expect(screen.getAllByTestId("subscription-tile")).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(7_000);
      await waitFor(() => expect(screen.getAllByTestId("subscription-tile")).toHaveLength(2));
      expect(screen.queryByText(/Could not refresh your subscriptions/)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
