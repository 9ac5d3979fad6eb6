// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_PRICING } from "../../src/pricing";
import { LivePause } from "../../web/src/components/LivePause";
import { SubscriptionTile } from "../../web/src/components/SubscriptionTile";
import { parseLiveLimit } from "../../web/src/liveLimit";
import { parseKeyUsage } from "../../web/src/services/keyService";
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

  it("shows nothing while there is room, and nothing for a malformed or absent figure", () => {
    const { container } = render(<LivePause live={parseLiveLimit({ ...escrow, reached: null })} />);
    expect(container.textContent).toBe("");
    expect(parseLiveLimit({ ...escrow, pendingCost: "lots" })).toBeNull();
    expect(parseLiveLimit("paused")).toBeNull();
    expect(parseKeyUsage({}).live).toBeNull();
    expect(parseLiveLimit({ ...escrow, reached: "forever" })?.reached).toBeNull();
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
