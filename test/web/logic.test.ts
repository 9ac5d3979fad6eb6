import { describe, expect, it } from "vitest";
import { UsageBasedSubscriptions_PricingConfig } from "../../src/flow/generated/types";
import { DEFAULT_PRICING, parseUFix64 } from "../../src/pricing";
import { readConfig } from "../../web/src/config";
import { durationText, errorText } from "../../web/src/format";
import { appliesFrom, describeChanges, priceDirection, viewSchedule } from "../../web/src/schedule";
import { announcementFromEvents, cancelledFromEvents, scheduleFromChain } from "../../src/api/pricing";
import { readAnswer } from "../../src/keys/http/actions";
import { UsageAnswer } from "../../src/keys/http/wire";
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

  it("reads the key service's usage answer by its schema; a malformed one is an error naming the field, never drawn as zeros", () => {
    const request = { request_id: "r1", model: "gpt-4", prompt_tokens: 2, completion_tokens: 3, total_tokens: 5, cost: 0.1, timestamp: "2026-12-01T00:00:00Z" };
    const answer = {
      subscriptionId: "3",
      keyHashes: ["h"],
      usage_summary: { total_requests: 1, total_tokens: 5, total_cost: 0.1 },
      model_breakdown: { "gpt-4": { requests: 1, tokens: 5, cost: 0.1 } },
      recent_requests: [request],
      daily_usage: [{ date: "2026-12-01", requests: 1, tokens: 5, cost: 0.1 }],
      live: null,
    };
    const parseKeyUsage = (raw: unknown) => readAnswer("/v1/usage", UsageAnswer, raw);
    expect(parseKeyUsage(answer)).toEqual(answer);
    const malformed: [unknown, string][] = [
      [null, "the answer must be an object"],
      [{ ...answer, usage_summary: { ...answer.usage_summary, total_tokens: "12" } }, "usage_summary.total_tokens must be a whole number"],
      [{ ...answer, recent_requests: [request, 4] }, "recent_requests[1] must be an object"],
      [{ ...answer, recent_requests: [{ ...request, prompt_tokens: -1 }] }, "recent_requests[0].prompt_tokens must be a whole number"],
      [{ ...answer, daily_usage: "no" }, "daily_usage must be an array"],
      [{ ...answer, model_breakdown: { m: { tokens: 3 } } }, "model_breakdown.m.requests must be a whole number"],
    ];
    for (const [raw, field] of malformed) {
      expect(() => parseKeyUsage(raw), JSON.stringify(raw)).toThrow(`The key service's answer to /v1/usage is malformed: ${field}.`);
    }
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
      if (url.endsWith("/v1/challenge")) {
        const messageHex = Buffer.from(`sign ${body.action}`).toString("hex");
        return new Response(JSON.stringify({ subscriptionId: body.subscriptionId, action: body.action, nonce: "a".repeat(64), messageHex, expiresAt: "2026-12-01T00:01:30.000Z" }));
      }
      if (url.endsWith("/v1/keys/reveal")) return new Response(JSON.stringify({ subscriptionId: "3", key: "sk-1", keyHash: "h", alias: "ff-3", generation: 1 }));
      return new Response(JSON.stringify({ error: { code: "nonce_expired", message: "nonce expired; request a new challenge" } }), { status: 401 });
    }) as typeof fetch;
    try {
      const signed: string[] = [];
      const session = await httpKeyService("http://ks").signIn("0x01", async (m) => {
        signed.push(m);
        return [{ addr: "0x01", keyId: 0, signature: "ff" }];
      });
      await expect(session.revealKey(3n)).resolves.toBe("sk-1");
      expect(signed).toEqual([Buffer.from("sign reveal").toString("hex")]);
      expect(calls[1]).toEqual({ url: "http://ks/v1/keys/reveal", body: { subscriptionId: "3", nonce: "a".repeat(64), signatures: [{ addr: "0x01", keyId: 0, signature: "ff" }] } });
      await expect(session.usage(3n)).rejects.toThrow("nonce expired; request a new challenge");
      expect(session.pollable).toBe(false);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe("httpKeyService against a malformed key service", () => {
  it("refuses a malformed answer with an error naming the field: no wallet prompt on a bad challenge, no key from a bad reveal", async () => {
    const { httpKeyService } = await import("../../web/src/services/keyService");
    const realFetch = globalThis.fetch;
    const challenge = { subscriptionId: "3", action: "reveal", nonce: "a".repeat(64), messageHex: "6d", expiresAt: "2026-12-01T00:01:30.000Z" };
    let answers: Record<string, unknown> = {};
    globalThis.fetch = (async (url: string) => new Response(JSON.stringify(answers[new URL(url).pathname]))) as typeof fetch;
    try {
      const signed: string[] = [];
      const session = await httpKeyService("http://ks").signIn("0x01", async (m) => {
        signed.push(m);
        return [{ addr: "0x01", keyId: 0, signature: "ff" }];
      });
      answers = { "/v1/challenge": { ...challenge, nonce: "not hex" } };
      await expect(session.revealKey(3n)).rejects.toThrow(expect.objectContaining({ name: "KeyServiceError", message: "The key service's answer to /v1/challenge is malformed: nonce must be the 64 hex digits the challenge returned." }));
      expect(signed).toEqual([]);
      answers = { "/v1/challenge": challenge, "/v1/keys/reveal": { subscriptionId: "3", key: "", keyHash: "h", alias: "ff-3", generation: 1 } };
      await expect(session.revealKey(3n)).rejects.toThrow("The key service's answer to /v1/keys/reveal is malformed: key must not be empty.");
      answers = { "/v1/challenge": challenge, "/v1/keys/rotate": "rotated" };
      await expect(session.rotateKey(3n)).rejects.toThrow("The key service's answer to /v1/keys/rotate is malformed: the answer must be an object.");
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe("pricing schedule logic (web/src/schedule.ts)", () => {
  const base = DEFAULT_PRICING;
  const withMultiplier = (family: string, m: string) => ({ ...base, familyMultipliers: { ...base.familyMultipliers, [family]: parseUFix64(m) } });

  it("compares versions for every billed name at every tier position", () => {
    expect(priceDirection(base, base)).toBe("same");
    expect(priceDirection(base, withMultiplier("gpt-4", "1.6"))).toBe("rise");
    expect(priceDirection(base, withMultiplier("llama", "0.5"))).toBe("cut");
    // Remapping a model to a dearer family raises its price, to a cheaper one lowers it.
    expect(priceDirection(base, { ...base, modelFamilies: { ...base.modelFamilies, "claude-3-haiku": "gpt-4" } })).toBe("rise");
    expect(priceDirection(base, { ...base, modelFamilies: { ...base.modelFamilies, "gpt-4o": "llama" } })).toBe("cut");
    // Unmapping: the model falls to the default multiplier (1.0): a rise for a llama model, a cut for a gpt-4 one.
    const unmap = (model: string) => {
      const modelFamilies = { ...base.modelFamilies };
      delete modelFamilies[model];
      return { ...base, modelFamilies };
    };
    expect(priceDirection(base, unmap("llama-3-8b"))).toBe("rise");
    expect(priceDirection(base, unmap("gpt-4o"))).toBe("cut");
    // A cheaper first tier with a dearer last one, or a new threshold that raises one stretch.
    const tiers = base.tiers.map((t, i) => ({ ...t, pricePer1K: i === 0 ? t.pricePer1K - 1n : i === 3 ? t.pricePer1K + 1n : t.pricePer1K }));
    expect(priceDirection(base, { ...base, tiers })).toBe("mixed");
    expect(priceDirection(base, { ...base, tiers: [base.tiers[0], { threshold: 50_000n, pricePer1K: base.tiers[1].pricePer1K }, ...base.tiers.slice(1)] })).toBe("cut");
    expect(priceDirection(base, { ...base, tiers: [...base.tiers.slice(0, 1), { threshold: 200_000n, pricePer1K: base.tiers[1].pricePer1K }, ...base.tiers.slice(2)] })).toBe("rise");
    expect(priceDirection(base, { ...base, defaultMultiplier: parseUFix64("1.01") })).toBe("rise");
  });

  it("names what changed", () => {
    expect(describeChanges(base, withMultiplier("mistral", "0.7"))).toEqual(["new family mistral ×0.7"]);
    expect(describeChanges(base, { ...withMultiplier("gpt-4", "2.0"), modelFamilies: { ...base.modelFamilies, "gpt-4o": "claude", "o1": "gpt-4" } })).toEqual([
      "gpt-4 ×1.5 → ×2.0",
      "gpt-4o billed as claude instead of gpt-4",
      "o1 billed as gpt-4",
    ]);
  });

  it("dates an announcement like the contract: a rise after the notice, never before the newest version", () => {
    const now = 1_000n * 100_000_000n;
    const latest = { ...base, version: 3n, effectiveFrom: now - 10n, announcedAt: now - 10n };
    expect(appliesFrom(latest, true, now)).toBe(now + 604_800n * 100_000_000n);
    expect(appliesFrom(latest, false, now)).toBe(now);
    const pending = { ...latest, effectiveFrom: now + 5n * 100_000_000n };
    expect(appliesFrom(pending, false, now)).toBe(pending.effectiveFrom);
    const schedule = [{ ...base, version: 0n, effectiveFrom: 0n, announcedAt: 0n }, latest, pending];
    const view = viewSchedule(schedule, now);
    expect([view.inForce.version, view.pending.map((v) => v.version), view.latest.version]).toEqual([3n, [3n], 3n]);
    expect(durationText(604_800n)).toBe("7 days");
    expect(durationText(5_400n)).toBe("1 hour 30 minutes");
    expect(durationText(3_600n)).toBe("1 hour");
  });
});

describe("chain values (src/api/pricing.ts)", () => {
  // get_pricing_schedule as FCL decodes it: UFix64 and UInt64 as decimal strings.
  const rawVersion = (version: string, effectiveFrom: string) => ({
    version,
    effectiveFrom,
    announcedAt: "1700000000.00000000",
    tiers: [
      { threshold: "0", pricePer1K: "0.02000000" },
      { threshold: "100000", pricePer1K: "0.01500000" },
    ],
    familyMultipliers: { "gpt-4": "1.50000000" },
    defaultMultiplier: "1.00000000",
    modelFamilies: { "gpt-4o": "gpt-4" },
    billingPeriod: "2592000.00000000",
    closeGracePeriod: "3600.00000000",
    minimumDeposit: "2.50000000",
    noticePeriod: "604800.00000000",
  });
  const decode = (values: unknown[]) => values.map((v, i) => UsageBasedSubscriptions_PricingConfig.decode(v as never, `schedule[${i}]`));

  it("converts the schedule exactly and refuses one out of order or malformed", () => {
    const [v0, v1] = scheduleFromChain(decode([rawVersion("0", "0.00000000"), rawVersion("7", "1700604800.00000000")]));
    expect([v1.version, v1.effectiveFrom, v1.announcedAt, v1.minimumDeposit, v1.noticePeriod]).toEqual([7n, 170060480000000000n, 170000000000000000n, 250_000_000n, 604_800n]);
    expect(v0.tiers).toEqual([{ threshold: 0n, pricePer1K: 2_000_000n }, { threshold: 100_000n, pricePer1K: 1_500_000n }]);
    expect(() => scheduleFromChain(decode([rawVersion("1", "5.0"), rawVersion("2", "4.0")]))).toThrow(/out of order/);
    expect(() => decode([{ ...rawVersion("1", "5.0"), announcedAt: "-1" }])).toThrow(/announcedAt/);
  });

  it("reads an announcement from its event among the others, and says when there is none", () => {
    const events = [
      { type: "A.0ae53cb6e3f42a79.FlowToken.TokensWithdrawn", data: { amount: "0.00001", from: null } },
      { type: "A.f8d6e0586b0a20c7.UsageBasedSubscriptions.ModelMapped", data: { version: "9", effectiveFrom: "1700604800.00000000", increase: true, model: "o1", family: "gpt-4" } },
    ];
    expect(announcementFromEvents("ab", events)).toEqual({ transactionId: "ab", version: 9n, effectiveFrom: 170060480000000000n, increase: true });
    expect(() => announcementFromEvents("ab", events.slice(0, 1))).toThrow(/without an announcement event/);
    expect(() => announcementFromEvents("ab", [{ ...events[1], data: { ...events[1].data, increase: "yes" } }])).toThrow();
    expect(cancelledFromEvents([{ type: "A.f8d6e0586b0a20c7.UsageBasedSubscriptions.PricingChangesCancelled", data: { versions: ["5", "4"] } }])).toEqual([5n, 4n]);
    expect(() => cancelledFromEvents([])).toThrow(/without a PricingChangesCancelled event/);
  });
});
