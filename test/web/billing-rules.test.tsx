// @vitest-environment jsdom
/**
 * The page under issue 13's billing rules: the minimum deposit (to open, and to resume an escrow
 * that ran out), why a subscription is paused, the cap that pauses and never discounts, announced
 * pricing versions in the calculator, and the admin's announcements and withdrawals.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PRICING, parseUFix64, type PricingConfig } from "../../src/pricing";
import { App } from "../../web/src/App";
import { AdminPricingControls } from "../../web/src/components/AdminPricingControls";
import { CreateSubscriptionForm } from "../../web/src/components/CreateSubscriptionForm";
import { PriceCalculator } from "../../web/src/components/PriceCalculator";
import { SubscriptionTile } from "../../web/src/components/SubscriptionTile";
import { timeText, unitsTimeText } from "../../web/src/format";
import type { FlowClient } from "../../web/src/services/flowClient";
import { queryKeys } from "../../web/src/queries";
import { ADMIN, CUSTOMER, PROVIDER, announcement, at, config, escrowSettings, flowMock, keysMock, renderPage, renderWith, scheduled, subscription } from "./fixtures";

afterEach(cleanup);

const FLOW = 100_000_000n;
const DAY = 86_400n * FLOW;
const settings = (minimumDeposit: bigint) => ({ ...escrowSettings, minimumDeposit });
const field = (name: RegExp) => screen.getByRole("textbox", { name });

describe("minimum deposit: the create form", () => {
  const form = (flow: FlowClient) => {
    renderWith(<CreateSubscriptionForm defaultProvider={PROVIDER} />, { flow });
    return flow;
  };
  const create = () => fireEvent.click(screen.getByRole("button", { name: /create subscription/i }));

  it("shows the minimum read from Flow and refuses a smaller deposit before any wallet prompt", async () => {
    const flow = form(flowMock({ getEscrowSettings: vi.fn(async () => settings(250_000_000n)) }));
    await waitFor(() => expect(screen.getByTestId("minimum-deposit").textContent).toBe("At least 2.5 FLOW: the minimum deposit set on Flow."));
    fireEvent.change(field(/deposit/i), { target: { value: "2.49999999" } });
    create();
    expect(await screen.findByText("The deposit must be at least the minimum deposit of 2.5 FLOW.")).toBeTruthy();
    expect(field(/deposit/i).getAttribute("aria-invalid")).toBe("true");
    expect(flow.createSubscription).not.toHaveBeenCalled();
    expect(flow.signMessage).not.toHaveBeenCalled();
    expect(screen.queryByTestId("tx-status")).toBeNull();
  });

  it("sends a deposit of exactly the minimum", async () => {
    const flow = form(flowMock({ getEscrowSettings: vi.fn(async () => settings(250_000_000n)) }));
    await waitFor(() => expect(screen.getByTestId("minimum-deposit").textContent).toContain("2.5 FLOW"));
    fireEvent.change(field(/deposit/i), { target: { value: "2.5" } });
    create();
    await waitFor(() => expect(flow.createSubscription).toHaveBeenCalledWith(CUSTOMER, expect.objectContaining({ deposit: "2.5" }), expect.any(Function)));
  });

  it("checks the minimum afresh on submit: one the admin raised since the page loaded refuses the deposit", async () => {
    const getEscrowSettings = vi.fn().mockResolvedValueOnce(settings(FLOW)).mockResolvedValue(settings(5n * FLOW));
    const flow = form(flowMock({ getEscrowSettings }));
    await waitFor(() => expect(screen.getByTestId("minimum-deposit").textContent).toContain("At least 1.0 FLOW"));
    fireEvent.change(field(/deposit/i), { target: { value: "3" } });
    create();
    expect(await screen.findByText("The deposit must be at least the minimum deposit of 5.0 FLOW.")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("minimum-deposit").textContent).toContain("At least 5.0 FLOW"));
    expect(flow.createSubscription).not.toHaveBeenCalled();
  });

  it("when the minimum cannot be read, says so and leaves the refusal to the chain, shown in words", async () => {
    const flow = form(
      flowMock({
        getEscrowSettings: vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
        createSubscription: vi.fn(async () => {
          throw new Error("create_subscription failed: error: pre-condition failed: SimpleUsageSubscriptions: the deposit must be at least the minimum deposit of 1.00000000 FLOW\n --> 01cf");
        }),
      }),
    );
    await waitFor(() => expect(screen.getByTestId("minimum-deposit").textContent).toMatch(/could not be read.*Flow refuses a deposit below it/));
    fireEvent.change(field(/deposit/i), { target: { value: "0.5" } });
    create();
    await waitFor(() => expect(screen.getByTestId("tx-status").getAttribute("data-state")).toBe("error"));
    expect(screen.getByTestId("tx-status").textContent).toContain("The deposit must be at least the minimum deposit of 1.00000000 FLOW.");
  });
});

const tile = (over: Parameters<typeof subscription>[0], flow: FlowClient, keys = keysMock().service) => {
  const { invalidate } = renderWith(<SubscriptionTile subscription={subscription(over)} pricing={DEFAULT_PRICING} nowSeconds={Date.now() / 1000} />, { flow, keys });
  return invalidate;
};
const openTopUp = () => fireEvent.click(screen.getByRole("button", { name: "Top up" }));
const signTopUp = (amount: string) => {
  fireEvent.change(screen.getByRole("textbox", { name: /amount/i }), { target: { value: amount } });
  fireEvent.click(screen.getByRole("button", { name: "Sign top-up" }));
};
const exhausted = { status: "Suspended", suspendedFor: "escrow", balance: "0.00000000", spent: "10.00000000", periodSpent: "10.00000000" } as const;

describe("minimum deposit: resuming an escrow that ran out", () => {
  it("says why the subscription is paused and what resumes it", async () => {
    tile(exhausted, flowMock({ getEscrowSettings: vi.fn(async () => settings(2n * FLOW)) }));
    expect(screen.getByTestId("status").textContent).toBe("Paused: escrow used up");
    await waitFor(() => expect(screen.getByTestId("suspension").textContent).toContain("Paused: escrow used up — top up at least 2.0 FLOW to resume."));
  });

  it("refuses a top-up below the minimum deposit, in words, before the wallet or the storage check", async () => {
    const flow = flowMock({ getEscrowSettings: vi.fn(async () => settings(2n * FLOW)) });
    const invalidate = tile(exhausted, flow);
    await waitFor(() => expect(screen.getByTestId("suspension").textContent).toContain("2.0 FLOW"));
    openTopUp();
    expect(screen.getByTestId("topup-minimum").textContent).toBe("The escrow ran out: resume it with at least 2.0 FLOW, the minimum deposit.");
    signTopUp("1.99999999");
    expect(await screen.findByText("The escrow ran out: resume it with at least the minimum deposit of 2.0 FLOW.")).toBeTruthy();
    expect(flow.topUp).not.toHaveBeenCalled();
    expect(flow.accountStorage).not.toHaveBeenCalled();
    signTopUp("2");
    await waitFor(() => expect(flow.topUp).toHaveBeenCalledWith(7n, "2.0", expect.any(Function)));
    await waitFor(() => expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.subscriptions(CUSTOMER) }));
  });

  it("checks the minimum afresh before sending a resume", async () => {
    const getEscrowSettings = vi.fn().mockResolvedValueOnce(settings(2n * FLOW)).mockResolvedValue(settings(3n * FLOW));
    const flow = flowMock({ getEscrowSettings });
    tile(exhausted, flow);
    await waitFor(() => expect(screen.getByTestId("suspension").textContent).toContain("2.0 FLOW"));
    openTopUp();
    signTopUp("2.5");
    expect(await screen.findByText("The escrow ran out: resume it with at least the minimum deposit of 3.0 FLOW.")).toBeTruthy();
    expect(flow.topUp).not.toHaveBeenCalled();
  });

  it("lets an escrow that has not run out take a top-up below the minimum", async () => {
    const flow = flowMock({ getEscrowSettings: vi.fn(async () => settings(2n * FLOW)) });
    tile({}, flow);
    openTopUp();
    expect(screen.queryByTestId("topup-minimum")).toBeNull();
    signTopUp("0.5");
    await waitFor(() => expect(flow.topUp).toHaveBeenCalledWith(7n, "0.5", expect.any(Function)));
    expect(flow.getEscrowSettings).not.toHaveBeenCalled();
  });
});

describe("the period cap pauses, it never discounts", () => {
  const capped = { status: "Suspended", suspendedFor: "cap", maxBudgetPerPeriod: "2.50000000", periodSpent: "2.50000000" } as const;

  it("says a subscription is paused at its cap, and until when", () => {
    tile(capped, flowMock());
    const end = subscription(capped).periodEnd;
    expect(screen.getByTestId("status").textContent).toBe("Paused: period cap reached");
    const notice = screen.getByTestId("suspension");
    expect(notice.textContent).toContain(`Paused: period cap reached — raise the cap or wait for the period to end on ${timeText(end)}.`);
    expect(notice.textContent).toContain("This period's billed spend is 2.5 FLOW; a cap above it resumes the key.");
    expect(notice.textContent).toContain("never reduces what is owed for usage already made");
  });

  it("an active subscription shows no pause notice", () => {
    tile({}, flowMock());
    expect(screen.queryByTestId("suspension")).toBeNull();
    expect(screen.getByTestId("status").textContent).toBe("Active");
  });

  it("the cap's help text, on the create form and the change form, says it pauses and never reduces what is owed", () => {
    const flow = flowMock();
    renderWith(<CreateSubscriptionForm defaultProvider={PROVIDER} />, { flow });
    const help = /pauses the key.*never reduces what is owed for usage already made/;
    expect(field(/spending cap/i).closest("label")?.textContent).toMatch(help);
    cleanup();
    tile({ maxBudgetPerPeriod: "5.00000000" }, flowMock());
    fireEvent.click(screen.getByRole("button", { name: "Change cap or models" }));
    const cap = field(/spending cap/i);
    expect(cap.closest("label")?.textContent).toMatch(help);
    expect(screen.queryByTestId("cap-pauses")).toBeNull();
    // This period's spend is 2.5 FLOW: a cap at or below it pauses the key at once.
    fireEvent.change(cap, { target: { value: "2.5" } });
    expect(screen.getByTestId("cap-pauses").textContent).toContain("at or below this period's billed spend (2.5 FLOW): the key pauses");
    fireEvent.change(cap, { target: { value: "2.50000001" } });
    expect(screen.queryByTestId("cap-pauses")).toBeNull();
  });

  it("estimates pending usage in full past the cap, and only up to the escrow", async () => {
    // 30,000 tokens pending (fixtures' usage): 0.643842 FLOW by the mirror.
    const keys = keysMock();
    tile({ maxBudgetPerPeriod: "2.60000000" }, flowMock(), keys.service);
    fireEvent.click(within(screen.getByTestId("pending-usage")).getByRole("button", { name: /sign in/i }));
    await waitFor(() => expect(screen.getByTestId("pending-tokens").textContent).toBe("30,000 tokens, about 0.643842 FLOW"));
    expect(screen.getByTestId("pending-short").textContent).toContain("the key pauses (escrow used up or period cap reached); it is billed in full all the same");
    cleanup();
    const poorer = keysMock();
    tile({ balance: "0.50000000" }, flowMock(), poorer.service);
    fireEvent.click(within(screen.getByTestId("pending-usage")).getByRole("button", { name: /sign in/i }));
    await waitFor(() => expect(screen.getByTestId("pending-tokens").textContent).toBe("30,000 tokens, about 0.5 FLOW"));
    expect(screen.getByTestId("pending-short").textContent).toContain("It costs about 0.643842 FLOW, more than the escrow holds: the escrow pays 0.5 FLOW");
  });

  it("projects the period without the cap as a bound, and says the key pauses there", () => {
    const periodStart = Math.floor(Date.now() / 1000) - 3 * 86_400;
    tile({ maxBudgetPerPeriod: "10.00000000", balance: "50.00000000", periodStart: `${periodStart}.00000000`, periodEnd: `${periodStart + 30 * 86_400}.00000000` }, flowMock(), null as never);
    // 2.5 FLOW in 3 of 30 days: about 25 FLOW at this rate, over the 10 FLOW cap.
    const text = screen.getByTestId("projected").textContent ?? "";
    expect(text).toMatch(/^Projected spend this period: about 2[45]\.\d+ FLOW\./);
    expect(text).toContain("the cap of 10.0 FLOW is reached: the key pauses then, and usage before the pause is billed in full");
  });
});

/** A schedule: the deployment's pricing, a gpt-4 rise in 7 days, then a halving of every tier a day later. */
function announcedSchedule(nowSeconds: number) {
  const now = at(nowSeconds);
  const v0 = scheduled(DEFAULT_PRICING, 0n, 0n);
  const rise: PricingConfig = { ...DEFAULT_PRICING, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, "gpt-4": parseUFix64("1.8") } };
  const v1 = scheduled(rise, 1n, now + 7n * DAY, now);
  const v2 = scheduled({ ...rise, tiers: rise.tiers.map((t) => ({ ...t, pricePer1K: t.pricePer1K / 2n })) }, 2n, now + 8n * DAY, now + 60n * FLOW);
  return { v0, v1, v2 };
}

describe("announced pricing changes in the price calculator", () => {
  it("lists each announced version with its date and whether it raises or lowers prices against the version in force", () => {
    const { v0, v1, v2 } = announcedSchedule(Date.now() / 1000);
    render(<PriceCalculator pricing={v0} source="chain" pending={[v1, v2]} />);
    const items = within(screen.getByRole("region", { name: "Announced pricing changes" })).getAllByTestId("announcement");
    expect(items.map((i) => [i.getAttribute("data-version"), i.getAttribute("data-direction")])).toEqual([
      ["1", "rise"],
      ["2", "cut"],
    ]);
    expect(items[0].textContent).toContain(`Version 1 applies from ${unitsTimeText(v1.effectiveFrom)}`);
    expect(items[0].textContent).toContain("raises prices — gpt-4 ×1.5 → ×1.8");
    // Against the version in force, version 2 (×1.8 on half the tier prices) is a cut for every model.
    expect(items[1].textContent).toContain(`Version 2 applies from ${unitsTimeText(v2.effectiveFrom)}`);
    expect(items[1].textContent).toContain("lowers prices");
    expect(screen.getByRole("region", { name: "Announced pricing changes" }).textContent).toContain("applies only 7 days after it is announced");
  });

  it("prices a quote under an announced version, beside the price in force", () => {
    const { v0, v1, v2 } = announcedSchedule(Date.now() / 1000);
    render(<PriceCalculator pricing={v0} source="chain" pending={[v1, v2]} />);
    fireEvent.change(screen.getByRole("combobox", { name: "Model" }), { target: { value: "gpt-4" } });
    expect(screen.getByTestId("quote").textContent).toMatch(/^4\.125 FLOW/);
    expect(screen.queryByTestId("quote-now")).toBeNull();
    fireEvent.change(screen.getByRole("combobox", { name: "Prices" }), { target: { value: "1" } });
    // (100 × 0.020 + 50 × 0.015) × 1.8
    expect(screen.getByTestId("quote").textContent).toMatch(/^4\.95 FLOW \(multiplier 1\.8×\)/);
    expect(screen.getByTestId("quote-now").textContent).toBe(`Under version 1, from ${unitsTimeText(v1.effectiveFrom)}; in force now: 4.125 FLOW.`);
    fireEvent.change(screen.getByRole("combobox", { name: "Prices" }), { target: { value: "2" } });
    // (100 × 0.010 + 50 × 0.0075) × 1.8
    expect(screen.getByTestId("quote").textContent).toMatch(/^2\.475 FLOW/);
    expect(screen.getAllByRole("row")[1]?.textContent).toBe("0 tokens0.010 %");
  });

  it("says when nothing is announced", () => {
    render(<PriceCalculator pricing={scheduled(DEFAULT_PRICING, 0n, 0n)} source="chain" pending={[]} />);
    expect(screen.getByRole("region", { name: "Announced pricing changes" }).textContent).toContain("None");
    expect(screen.queryByRole("combobox", { name: "Prices" })).toBeNull();
  });

  it("on the page, prices by the version in force now (the mirror's pricingAt) and lists only what is still to come", async () => {
    const now = Date.now() / 1000;
    const cut = scheduled({ ...DEFAULT_PRICING, tiers: DEFAULT_PRICING.tiers.map((t) => ({ ...t, pricePer1K: t.pricePer1K / 2n })) }, 1n, at(now - 3600), at(now - 3600));
    const later = scheduled({ ...cut, defaultMultiplier: parseUFix64("2.0") }, 2n, at(now) + 7n * DAY, at(now));
    const client = flowMock({ getPricingSchedule: vi.fn(async () => [scheduled(DEFAULT_PRICING, 0n, 0n), cut, later]) });
    renderPage(<App />, { config, loadFlow: async () => client, keys: null });
    const calculator = screen.getByRole("region", { name: "Price calculator" });
    await waitFor(() => expect(within(calculator).getAllByTestId("announcement").map((i) => i.getAttribute("data-version"))).toEqual(["2"]));
    expect(within(calculator).getAllByRole("row")[1]?.textContent).toBe("0 tokens0.010 %");
    expect(within(calculator).getByTestId("announcement").textContent).toContain("models in no family ×1.0 → ×2.0");
    expect(within(calculator).getByRole("option", { name: "In force now (version 1)" })).toBeTruthy();
  });
});

describe("the admin's announcements", () => {
  const NOW = at(1_800_000_000);
  const v0 = scheduled(DEFAULT_PRICING, 0n, 0n);
  const admin = (flow = flowMock(), pending: ReturnType<typeof scheduled>[] = []) => {
    const latest = pending.length > 0 ? pending[pending.length - 1] : v0;
    const { invalidate } = renderWith(<AdminPricingControls pricing={v0} latest={latest} pending={pending} now={NOW} />, { flow, address: ADMIN });
    return { flow, invalidate };
  };

  it("says a rise applies after the notice period, with the date, before and after sending (from the event)", async () => {
    const effectiveFrom = NOW + 7n * DAY + 3n * FLOW;
    const { flow, invalidate } = admin(flowMock({ setTiers: vi.fn(async () => announcement({ version: 4n, increase: true, effectiveFrom })) }));
    expect(screen.getByTestId("notice-rule").textContent).toContain(`applies only after the notice period of 7 days (sent now: from about ${unitsTimeText(NOW + 7n * DAY)})`);
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 1 price" }), { target: { value: "0.025" } });
    expect(screen.getByTestId("tier-preview").textContent).toBe(` This raises prices: sent now, it applies from about ${unitsTimeText(NOW + 7n * DAY)}, after the notice period.`);
    fireEvent.click(screen.getByRole("button", { name: "Sign new tiers" }));
    await waitFor(() => expect(screen.getByTestId("announcement-result").textContent).toBe(`Version 4 raises a price, so it applies after the notice period: from ${unitsTimeText(effectiveFrom)}.`));
    expect(flow.setTiers).toHaveBeenCalled();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.pricingSchedule() });
  });

  it("says a cut applies from the next window, and a mixed table counts as a rise", async () => {
    admin(flowMock({ setTiers: vi.fn(async () => announcement({ version: 5n, increase: false, effectiveFrom: NOW })) }));
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 2 price" }), { target: { value: "0.012" } });
    expect(screen.getByTestId("tier-preview").textContent).toBe(` This lowers prices: sent now, it applies from the next usage window (about ${unitsTimeText(NOW)}).`);
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 1 price" }), { target: { value: "0.021" } });
    expect(screen.getByTestId("tier-preview").textContent).toContain("This raises some prices and lowers others: sent now, it applies from about");
    fireEvent.change(screen.getByRole("textbox", { name: "Tier 1 price" }), { target: { value: "0.020" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign new tiers" }));
    await waitFor(() => expect(screen.getByTestId("announcement-result").textContent).toBe(`Version 5 raises no price: it applies from ${unitsTimeText(NOW)} (the next usage window).`));
  });

  it("previews multiplier changes the same way, and a cut waits for an announced rise before it", () => {
    const rise = scheduled({ ...DEFAULT_PRICING, defaultMultiplier: parseUFix64("1.1") }, 1n, NOW + 7n * DAY, NOW);
    admin(flowMock(), [rise]);
    fireEvent.change(screen.getByRole("textbox", { name: "gpt-4 multiplier" }), { target: { value: "2.0" } });
    expect(screen.getByRole("textbox", { name: "gpt-4 multiplier" }).closest("li")?.textContent).toContain(`This raises prices: sent now, it applies from about ${unitsTimeText(NOW + 7n * DAY)}`);
    fireEvent.change(screen.getByRole("textbox", { name: "gpt-4 multiplier" }), { target: { value: "1.0" } });
    // Never before the newest version: the cut rides with the announced rise.
    expect(screen.getByRole("textbox", { name: "gpt-4 multiplier" }).closest("li")?.textContent).toContain(
      `This lowers prices: sent now, it applies from the next usage window (about ${unitsTimeText(NOW + 7n * DAY)}).`,
    );
  });

  it("offers to withdraw announced changes only when some are pending, and reports what was withdrawn", async () => {
    admin();
    expect((screen.getByRole("button", { name: "Withdraw announced changes" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText("No change is waiting to apply.")).toBeTruthy();
    cleanup();
    const rise = scheduled({ ...DEFAULT_PRICING, defaultMultiplier: parseUFix64("1.1") }, 1n, NOW + 7n * DAY, NOW);
    const { flow, invalidate } = admin(flowMock(), [rise]);
    expect(screen.getByTestId("admin-pending").textContent).toBe(`Version 1: from ${unitsTimeText(NOW + 7n * DAY)}, raises prices against the prices in force.`);
    fireEvent.click(screen.getByRole("button", { name: "Withdraw announced changes" }));
    await waitFor(() => expect(screen.getByTestId("announcement-result").textContent).toBe("Withdrawn: version 1. The prices in force stay."));
    expect(flow.cancelPricingChanges).toHaveBeenCalled();
    expect(invalidate).toHaveBeenCalledWith({ queryKey: queryKeys.pricingSchedule() });
  });

  it("shows the chain's refusal of a withdrawal in words", async () => {
    const rise = scheduled(DEFAULT_PRICING, 1n, NOW + DAY, NOW);
    admin(
      flowMock({
        cancelPricingChanges: vi.fn(async () => {
          throw new Error("admin_cancel_pricing_changes failed: [Error Code: 1101] panic: UsageBasedSubscriptions: no announced change is pending");
        }),
      }),
      [rise],
    );
    fireEvent.click(screen.getByRole("button", { name: "Withdraw announced changes" }));
    await waitFor(() => expect(screen.getByTestId("tx-status").getAttribute("data-state")).toBe("error"));
    expect(screen.getByTestId("tx-status").textContent).toContain("No announced change is pending.");
    expect(screen.queryByTestId("announcement-result")).toBeNull();
  });
});
