// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PRICING } from "../../src/pricing";
import { LivePause } from "../../web/src/components/LivePause";
import { SubscriptionTile } from "../../web/src/components/SubscriptionTile";
import { readAnswer } from "../../src/keys/http/actions";
import { UsageAnswer } from "../../src/keys/http/wire";
import { keysMock, renderWith, subscription } from "./fixtures";

afterEach(cleanup);

const escrow = {
  reached: "escrow",
  pendingTokens: "34000",
  pendingCost: "1.02000000",
  escrowLeft: "0.00000000",
  unpaid: "0.02000000",
  periodSpend: "1.00000000",
  cap: null,
  toLift: "0.02000001",
  periodEnd: "2027-01-01T00:00:00.000Z",
  room: "0.00000000",
  tpmLimit: 34000,
  asOf: "2026-12-02T12:00:00.000Z",
};

/** The live figures as the page reads them: through a whole usage answer's schema. */
const usageAnswer = (live: unknown) => ({ subscriptionId: "1", keyHashes: [], usage_summary: { total_requests: 0, total_tokens: 0, total_cost: 0 }, model_breakdown: {}, recent_requests: [], daily_usage: [], live });
const parseLiveLimit = (live: unknown) => readAnswer("/v1/usage", UsageAnswer, usageAnswer(live)).live;

describe("the live spending limit on the page", () => {
  it("says the key is paused at the escrow, with the figure and the top-up that lifts it", () => {
    render(<LivePause live={parseLiveLimit(escrow)} />);
    const text = screen.getByTestId("live-pause").textContent ?? "";
    expect(text).toContain("Paused: pending usage has reached your escrow");
    expect(text).toContain("1.02 FLOW");
    expect(text).toContain("0.02 FLOW more than the escrow holds");
    expect(text).toContain("at least 0.02000001 FLOW");
  });

  it("says the key is paused at the cap, with the cap raise or the new period that lifts it", () => {
    render(<LivePause live={parseLiveLimit({ ...escrow, reached: "cap", escrowLeft: "8.00000000", unpaid: "0.00000000", periodSpend: "0.51000000", cap: "0.50000000", toLift: "0.01000001" })} />);
    const text = screen.getByTestId("live-pause").textContent ?? "";
    expect(text).toContain("Paused: pending usage has reached your cap");
    expect(text).toContain("0.51 FLOW against a cap of 0.5 FLOW");
    expect(text).toContain("by at least 0.01000001 FLOW");
    expect(text).toContain("new period on 01/01/2027");
  });

  it("shows nothing while there is room or without a figure; a malformed figure is an error naming it, never drawn", () => {
    const { container } = render(<LivePause live={parseLiveLimit({ ...escrow, reached: null })} />);
    expect(container.textContent).toBe("");
    expect(parseLiveLimit(null)).toBeNull();
    expect(() => parseLiveLimit({ ...escrow, pendingCost: "lots" })).toThrow("The key service's answer to /v1/usage is malformed: live.pendingCost must be a FLOW amount (UFix64 text).");
    expect(() => parseLiveLimit("paused")).toThrow("live must be an object");
    expect(() => parseLiveLimit({ ...escrow, reached: "forever" })).toThrow("live.reached must be escrow, cap or null");
    expect(() => parseLiveLimit({ ...escrow, periodEnd: "soon" })).toThrow("live.periodEnd must be an ISO time");
  });

  it("appears on the tile once the signed usage read reports the pause", async () => {
    const base = await keysMock().session.usage(1n);
    const keys = keysMock({ usage: vi.fn(async () => ({ ...base, live: parseLiveLimit(escrow) })) });
    renderWith(<SubscriptionTile subscription={subscription({})} pricing={DEFAULT_PRICING} nowSeconds={Date.now() / 1000} />, { keys: keys.service });
    expect(screen.queryByTestId("live-pause")).toBeNull();
    fireEvent.click(within(screen.getByTestId("pending-usage")).getByRole("button", { name: /sign in/i }));
    await waitFor(() => expect(screen.getByTestId("live-pause").textContent).toContain("reached your escrow"));
  });
});
