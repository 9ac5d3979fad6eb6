import { describe, expect, it } from "vitest";
import { DEFAULT_PRICING } from "../../src/pricing";
import { readConfig } from "../../web/src/config";
import { errorText } from "../../web/src/format";
import { parseKeyUsage } from "../../web/src/services/keyService";
import { storageVerdict } from "../../web/src/storage";
import { estimateUnverified, projectPeriod, unverifiedTokens } from "../../web/src/usage";
import { parseModels, validateNewSubscription } from "../../web/src/validation";
import { storageOk, subscription, usage } from "./fixtures";

describe("page logic", () => {
  it("reads its configuration from Vite env vars", () => {
    const c = readConfig({ VITE_FLOW_ADDRESSES: '{"FlowToken":"0x0ae53cb6e3f42a79","UsageBasedSubscriptions":"0xf8d6e0586b0a20c7"}', VITE_KEY_SERVICE_URL: "http://127.0.0.1:8790/" });
    expect(c.network).toBe("emulator");
    expect(c.accessNode).toBe("http://127.0.0.1:8888");
    expect(c.walletDiscovery).toBe("http://127.0.0.1:8701/fcl/authn");
    expect(c.adminAddress).toBe("0xf8d6e0586b0a20c7");
    expect(c.keyServiceUrl).toBe("http://127.0.0.1:8790");
    expect(readConfig({ VITE_FLOW_NETWORK: "mainnet" }).defaultProvider).toBe("0x6daee039a7b9c2f0");
    expect(() => readConfig({ VITE_FLOW_NETWORK: "devnet" })).toThrow(/VITE_FLOW_NETWORK/);
  });

  it("validates a new subscription", () => {
    const ok = validateNewSubscription({ provider: "0x179B6B1CB6755E31", deposit: "10", cap: "", models: " " });
    expect(ok).toEqual({ ok: true, value: { provider: "0x179b6b1cb6755e31", deposit: "10.0", depositUnits: 1_000_000_000n, maxBudgetPerPeriod: null, allowedModels: null } });
    const bad = validateNewSubscription({ provider: "", deposit: "0", cap: "-1", models: "x".repeat(129) });
    expect(bad.ok).toBe(false);
    expect(Object.keys(bad.ok ? {} : bad.errors).sort()).toEqual(["cap", "deposit", "models", "provider"]);
    expect(parseModels("a, b, a")).toEqual(["a", "b"]);
  });

  it("judges storage: free FLOW against deposit, new bytes and a fee margin", () => {
    expect(storageVerdict(storageOk, 10n * 100_000_000n, 1000n, "0x1").ok).toBe(true);
    const short = storageVerdict({ ...storageOk, availableBalance: 100_000_000n }, 100_000_000n, 1000n, "0x01");
    expect(short.ok).toBe(false);
    expect(short.shortfall).toBe(101_000n);
    expect(short.advice).toBe("Send at least 0.00101 FLOW to 0x01, or lower the amount, then try again.");
  });

  it("estimates unbilled usage with the mirror and projects the period", () => {
    const sub = subscription();
    expect(unverifiedTokens(usage, sub)).toBe(30_000n);
    const now = Number(sub.periodStart) + 3 * 86400;
    // 30K split 100:30 → 23,076 gpt-4o (×1.5) + 6,924 claude (×1.2) at the Growth tier (0.015)
    const cost = 51_921_000n + 12_463_200n;
    expect(estimateUnverified(usage, sub, DEFAULT_PRICING, now)).toEqual({ cost, charged: cost, pauses: false });
    // Charged in full up to the escrow: 0.5 FLOW left pays 0.5 of it, and the key pauses.
    expect(estimateUnverified(usage, { ...sub, balance: "0.50000000" }, DEFAULT_PRICING, now)).toEqual({ cost, charged: 50_000_000n, pauses: true });
    // The cap never discounts: a cap below the spend still charges the whole price, then pauses.
    expect(estimateUnverified(usage, { ...sub, maxBudgetPerPeriod: "2.60000000" }, DEFAULT_PRICING, now)).toEqual({ cost, charged: cost, pauses: true });
    // 2.5 FLOW in 3 of 30 days → 25 FLOW at this rate, but the escrow pays at most 2.5 + 7.5.
    expect(projectPeriod(sub, 0n, now)).toEqual({ units: 1_000_000_000n, reachesCap: false, escrowRunsOut: true });
    expect(projectPeriod({ ...sub, balance: "50.0" }, 0n, now)).toEqual({ units: 2_500_000_000n, reachesCap: false, escrowRunsOut: false });
    expect(projectPeriod(sub, 0n, Number(sub.periodStart) + 60)).toBeNull();
    // The cap is not a bound on the bill: it pauses the key when reached.
    expect(projectPeriod({ ...sub, balance: "50.0", maxBudgetPerPeriod: "10.0" }, 0n, now)).toEqual({ units: 2_500_000_000n, reachesCap: true, escrowRunsOut: false });
  });

  it("parses the key service's usage defensively", () => {
    const parsed = parseKeyUsage({ usage_summary: { total_tokens: "12" }, model_breakdown: { m: { tokens: 3 } }, recent_requests: [{ startTime: "t", spend: 0.1, total_tokens: 5 }, 4], daily_usage: "no" });
    expect(parsed.usage_summary).toEqual({ total_requests: 0, total_tokens: 12, total_cost: 0 });
    expect(parsed.recent_requests).toEqual([{ time: "t", model: "unknown", tokens: 5, cost: 0.1 }]);
    expect(parsed.daily_usage).toEqual([]);
  });

  it("puts errors in words", () => {
    expect(errorText(new Error("User rejected signature"))).toMatch(/declined/);
    expect(errorText(new Error("admin_cancel_pricing_changes failed: Declined: Externally Halted"))).toMatch(/declined/);
    // A transaction named "cancel" that Cadence refused is a refusal, not a wallet's decline.
    expect(errorText(new Error("admin_cancel_pricing_changes failed: [Error Code: 1101] panic: UsageBasedSubscriptions: no announced change is pending"))).toBe(
      "No announced change is pending.",
    );
    expect(errorText(new Error("x failed: [Error Code: 1101] panic: top_up: the signer has no FlowToken vault"))).toBe("The signer has no FlowToken vault.");
  });
});

describe("httpKeyService", () => {
  it("proves each request with a fresh challenge signed by the wallet (src/keys/http routes)", async () => {
    const { httpKeyService } = await import("../../web/src/services/keyService");
    const calls: { url: string; body: unknown }[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      calls.push({ url, body });
      if (url.endsWith("/v1/challenge")) return new Response(JSON.stringify({ nonce: "a".repeat(64), message: `sign ${body.action}` }));
      if (url.endsWith("/v1/keys/reveal")) return new Response(JSON.stringify({ key: "sk-1" }));
      return new Response(JSON.stringify({ error: { code: "nonce_expired", message: "nonce expired; request a new challenge" } }), { status: 401 });
    }) as typeof fetch;
    try {
      const signed: string[] = [];
      const session = await httpKeyService("http://ks").signIn("0x01", async (m) => {
        signed.push(m);
        return [{ addr: "0x01", keyId: 0, signature: "ff" }];
      });
      await expect(session.revealKey(3n)).resolves.toBe("sk-1");
      expect(signed).toEqual(["sign reveal"]);
      expect(calls[1]).toEqual({ url: "http://ks/v1/keys/reveal", body: { subscriptionId: "3", nonce: "a".repeat(64), signatures: [{ addr: "0x01", keyId: 0, signature: "ff" }] } });
      await expect(session.usage(3n)).rejects.toThrow("nonce expired; request a new challenge");
      expect(session.pollable).toBe(false);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
