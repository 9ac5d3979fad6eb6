// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PRICING, TIER_ERRORS } from "../../src/pricing";
import { App } from "../../web/src/App";
import { AdminPricingControls } from "../../web/src/components/AdminPricingControls";
import { CreateSubscriptionForm } from "../../web/src/components/CreateSubscriptionForm";
import { PriceCalculator } from "../../web/src/components/PriceCalculator";
import type { FlowClient } from "../../web/src/services/flowClient";
import { queryKeys } from "../../web/src/queries";
import { ADMIN, CUSTOMER, PROVIDER, config, flowMock, keysMock, renderPage, renderWith, subscription } from "./fixtures";

afterEach(cleanup);

const form = (flow = flowMock()) => {
  const { invalidate } = renderWith(<CreateSubscriptionForm defaultProvider={PROVIDER} />, { flow });
  return { flow, invalidate };
};
const field = (name: RegExp) => screen.getByRole("textbox", { name });

describe("CreateSubscriptionForm", () => {
  it("prefills the provider and reports the storage check in words", async () => {
    form();
    expect((field(/provider/i) as HTMLInputElement).value).toBe(PROVIDER);
    await waitFor(() => expect(screen.getByTestId("storage-check").getAttribute("data-ok")).toBe("true"));
    expect(screen.getByTestId("storage-check").textContent).toMatch(/Your account holds 100.0 FLOW.*enough/);
  });

  it("validates every field before the wallet is asked", async () => {
    const { flow } = form();
    fireEvent.change(field(/provider/i), { target: { value: "0x12" } });
    fireEvent.change(field(/deposit/i), { target: { value: "abc" } });
    fireEvent.change(field(/spending cap/i), { target: { value: "1.123456789" } });
    fireEvent.click(screen.getByRole("button", { name: /create subscription/i }));
    expect(await screen.findByText(/The provider is a Flow address/)).toBeTruthy();
    expect(screen.getByText(/The deposit must be a number of FLOW/)).toBeTruthy();
    expect(screen.getByText(/The spending cap has at most 8 decimals/)).toBeTruthy();
    expect(flow.createSubscription).not.toHaveBeenCalled();
  });

  it("stops at the storage check when the account is short, saying what to do", async () => {
    const flow = flowMock({
      accountStorage: vi.fn(async () => ({ balance: 500_000_000n, availableBalance: 499_000_000n, storageUsed: 1000n, storageCapacity: 500_000_000n })),
    });
    form(flow);
    fireEvent.change(field(/deposit/i), { target: { value: "10" } });
    await waitFor(() => expect(screen.getByTestId("storage-check").getAttribute("data-ok")).toBe("false"));
    fireEvent.click(screen.getByRole("button", { name: /create subscription/i }));
    expect(await screen.findByText(/^Not sent:/)).toBeTruthy();
    expect(screen.getAllByText(/Send at least 5.01101 FLOW to 0x01cf0e2f2f715450, or lower the amount/).length).toBeGreaterThan(0);
    expect(flow.createSubscription).not.toHaveBeenCalled();
  });

  it("creates with cap and models, showing signing, pending and sealed", async () => {
    let step: (s: "pending") => void = () => undefined;
    let finish: () => void = () => undefined;
    const flow = flowMock({
      createSubscription: vi.fn((_c, _i, onStatus) => {
        onStatus("signing");
        step = onStatus;
        return new Promise((resolve) => (finish = () => resolve({ id: 8n, transactionId: "f".repeat(64) })));
      }) as FlowClient["createSubscription"],
    });
    const { invalidate } = form(flow);
    fireEvent.change(field(/deposit/i), { target: { value: "25" } });
    fireEvent.change(field(/spending cap/i), { target: { value: "5.5" } });
    fireEvent.change(field(/allowed models/i), { target: { value: "gpt-4o, claude-3-haiku, gpt-4o" } });
    fireEvent.click(screen.getByRole("button", { name: /create subscription/i }));
    await waitFor(() => expect(screen.getByTestId("tx-status").textContent).toMatch(/waiting for your wallet/));
    step("pending");
    await waitFor(() => expect(screen.getByTestId("tx-status").textContent).toMatch(/waiting for it to be sealed/));
    finish();
    await waitFor(() => expect(screen.getByTestId("tx-status").textContent).toMatch(/done, sealed on Flow/));
    expect(flow.createSubscription).toHaveBeenCalledWith(
      CUSTOMER,
      { provider: PROVIDER, deposit: "25.0", maxBudgetPerPeriod: "5.5", allowedModels: ["gpt-4o", "claude-3-haiku"] },
      expect.any(Function),
    );
    // The list and the account's storage are read again.
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.subscriptions(CUSTOMER) });
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.accountStorage(CUSTOMER) });
  });

  it("shows the chain's refusal in words", async () => {
    const flow = flowMock({
      createSubscription: vi.fn(async () => {
        throw new Error("create_subscription failed: error: pre-condition failed: SimpleUsageSubscriptions: the deposit must be positive\n --> 01cf");
      }),
    });
    form(flow);
    fireEvent.click(screen.getByRole("button", { name: /create subscription/i }));
    await waitFor(() => expect(screen.getByTestId("tx-status").getAttribute("data-state")).toBe("error"));
    expect(screen.getByTestId("tx-status").textContent).toContain("The deposit must be positive.");
  });
});

describe("AdminPricingControls", () => {
  const admin = (flow = flowMock()) => {
    renderWith(<AdminPricingControls pricing={DEFAULT_PRICING} />, { flow, address: ADMIN });
    return flow;
  };

  it("shows the contract's tier validation before signing", async () => {
    const flow = admin();
    expect(screen.getByTestId("tier-check").textContent).toMatch(/accepts/);
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 3 threshold" }), { target: { value: "50000" } });
    expect(screen.getByTestId("tier-check").textContent).toContain(TIER_ERRORS.order);
    expect((screen.getByRole("button", { name: "Sign new tiers" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 3 threshold" }), { target: { value: "1000000" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 1 threshold" }), { target: { value: "5" } });
    expect(screen.getByTestId("tier-check").textContent).toContain(TIER_ERRORS.firstNotZero);
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 1 threshold" }), { target: { value: "0" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 2 price" }), { target: { value: "0" } });
    expect(screen.getByTestId("tier-check").textContent).toContain(TIER_ERRORS.price);
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 2 price" }), { target: { value: "0.012" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign new tiers" }));
    await waitFor(() => expect(flow.setTiers).toHaveBeenCalled());
    const tiers = (flow.setTiers as ReturnType<typeof vi.fn>).mock.calls[0]?.[0];
    expect(tiers[1]).toEqual({ threshold: 100_000n, pricePer1K: 1_200_000n });
    for (let i = 0; i < 4; i++) fireEvent.click(screen.getAllByRole("button", { name: "Remove" })[0] as HTMLElement);
    expect(screen.getByTestId("tier-check").textContent).toContain(TIER_ERRORS.empty);
  });

  it("reports every refused cell and input, not just the first", () => {
    admin();
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 2 threshold" }), { target: { value: "18446744073709551616" } });
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 3 price" }), { target: { value: "0.123456789" } });
    expect(screen.getByTestId("tier-check").textContent).toBe(
      "The contract would refuse this table: Tier 2: the threshold must be a whole number of tokens. Tier 3: the price must be a FLOW amount with at most 8 decimals.",
    );
    fireEvent.change(screen.getByRole("textbox", { name: "New family" }), { target: { value: "é" } });
    fireEvent.change(screen.getByRole("textbox", { name: "New family multiplier" }), { target: { value: "x" } });
    const row = screen.getByRole("textbox", { name: "New family" }).closest("li") as HTMLElement;
    expect(within(row).getByText(/a family key is 1 to 31 ASCII bytes/)).toBeTruthy();
    expect(within(row).getByText(/The multiplier must be a number with at most 8 decimals/)).toBeTruthy();
    expect((within(row).getByRole("button", { name: "Add family" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("checks multipliers and family keys like the contract", async () => {
    const flow = admin();
    fireEvent.change(screen.getByRole("textbox", { name: "claude multiplier" }), { target: { value: "0" } });
    expect(screen.getByText(/a multiplier must be positive/)).toBeTruthy();
    // The chain refuses a multiplier over its MaxMultiplier: the page says so before a transaction.
    fireEvent.change(screen.getByRole("textbox", { name: "claude multiplier" }), { target: { value: "100.00000001" } });
    expect(screen.getByText(/a multiplier must be positive and at most 100/)).toBeTruthy();
    fireEvent.change(screen.getByRole("textbox", { name: "New family" }), { target: { value: "x".repeat(32) } });
    expect(screen.getByText(`UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes, not '${"x".repeat(32)}' (32 bytes)`)).toBeTruthy();
    fireEvent.change(screen.getByRole("textbox", { name: "New family" }), { target: { value: "mistral" } });
    fireEvent.change(screen.getByRole("textbox", { name: "New family multiplier" }), { target: { value: "0.7" } });
    fireEvent.click(screen.getByRole("button", { name: "Add family" }));
    await waitFor(() => expect(flow.setFamilyMultiplier).toHaveBeenCalledWith("mistral", "0.7", expect.any(Function)));
  });
});

describe("PriceCalculator", () => {
  it("prices DESIGN.md's example exactly and shows the discount as 1 − price/0.020", () => {
    render(<PriceCalculator pricing={DEFAULT_PRICING} source="default" />);
    fireEvent.change(screen.getByRole("combobox", { name: "Model" }), { target: { value: "gpt-4" } });
    expect(screen.getByTestId("quote").textContent).toMatch(/^4\.125 FLOW/);
    const rows = screen.getAllByRole("row").slice(1).map((r) => r.textContent);
    expect(rows).toEqual(["0 tokens0.020 %", "100,000 tokens0.01525 %", "1,000,000 tokens0.0150 %", "10,000,000 tokens0.00860 %"]);
    fireEvent.change(screen.getByRole("textbox", { name: "Tokens" }), { target: { value: "12x" } });
    expect(screen.getByText("Tokens must be a whole number.")).toBeTruthy();
  });
});

describe("App", () => {
  const app = (address: string | null, flow?: FlowClient) => {
    const client = flow ?? flowMock({ onUser: vi.fn((cb) => { cb({ address }); return () => undefined; }) });
    renderPage(<App />, { config, loadFlow: async () => client, keys: keysMock().service });
    return client;
  };

  it("renders the shell and the calculator before the wallet library loads", () => {
    renderPage(<App />, { config, loadFlow: () => new Promise(() => undefined), keys: null });
    expect(screen.getByRole("heading", { name: "FlareFlow" })).toBeTruthy();
    expect(screen.getByText(/Loading the wallet library/)).toBeTruthy();
    expect(screen.getByRole("region", { name: "Price calculator" })).toBeTruthy();
  });

  it("asks to connect when no wallet is connected", async () => {
    const client = app(null);
    fireEvent.click(await screen.findByRole("button", { name: "Connect wallet" }));
    expect(client.logIn).toHaveBeenCalled();
    expect(screen.getByText(/Connect your wallet to create/)).toBeTruthy();
  });

  it("shows pricing controls to the admin account only", async () => {
    app(CUSTOMER);
    expect(await screen.findByTestId("subscription-tile")).toBeTruthy();
    expect(screen.queryByRole("region", { name: "Admin pricing controls" })).toBeNull();
    cleanup();
    app(ADMIN);
    expect(await screen.findByRole("region", { name: "Admin pricing controls" })).toBeTruthy();
  });

  it("shows a subscription the wallet just created, without reloading the page", async () => {
    const listSubscriptions = vi.fn().mockResolvedValueOnce([]).mockResolvedValue([subscription({ id: 8n })]);
    app(CUSTOMER, flowMock({ listSubscriptions }));
    expect(await screen.findByText(/You have no subscriptions yet/)).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("storage-check").getAttribute("data-ok")).toBe("true"));
    fireEvent.click(screen.getByRole("button", { name: /create subscription/i }));
    const tile = await screen.findByTestId("subscription-tile");
    expect(tile.getAttribute("data-subscription-id")).toBe("8");
  });

  it("reads the pricing schedule again once the admin's announcement seals", async () => {
    const client = app(ADMIN, flowMock({ onUser: vi.fn((cb) => { cb({ address: ADMIN }); return () => undefined; }) }));
    const admin = await screen.findByRole("region", { name: "Admin pricing controls" });
    await waitFor(() => expect(client.getPricingSchedule).toHaveBeenCalledTimes(1));
    fireEvent.click(within(admin).getByRole("button", { name: "Sign new tiers" }));
    await waitFor(() => expect(client.getPricingSchedule).toHaveBeenCalledTimes(2));
  });

  it("says so when the wallet library fails to load", async () => {
    renderPage(<App />, { config, loadFlow: async () => Promise.reject(new Error("chunk failed")), keys: null });
    expect(await screen.findByText(/The wallet library did not load/)).toBeTruthy();
  });
});
