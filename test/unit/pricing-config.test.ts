/**
 * Reading the pricing the chain reports (get_pricing, get_pricing_schedule) and the rules that
 * guard it: what settlement and the live limit price with must be exactly what Flow holds, and
 * anything Flow could not hold is refused.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PRICING,
  TIER_ERRORS,
  formatUFix64,
  multiplierFor,
  parseUFix64,
  pricingAt,
  pricingFromCadence,
  quoteWithTiersUnits,
  scheduleFromCadence,
  type CadencePricingConfig,
} from "../../src/pricing";

const flow = parseUFix64;

/** DEFAULT_PRICING as get_pricing_schedule's decoded value, with a version and a start. */
function cadenceVersion(version: string, effectiveFrom: string, firstPrice = "0.02000000"): CadencePricingConfig {
  return {
    version,
    effectiveFrom,
    tiers: [
      { threshold: "0", pricePer1K: firstPrice },
      { threshold: "100000", pricePer1K: "0.01500000" },
    ],
    familyMultipliers: { "gpt-4": "1.50000000" },
    defaultMultiplier: "1.00000000",
    modelFamilies: { "gpt-4o": "gpt-4" },
    billingPeriod: "2592000.00000000",
    closeGracePeriod: "3600.00000000",
  };
}

describe("get_pricing_schedule", () => {
  it("reads every version with its number and start, in order", () => {
    const schedule = scheduleFromCadence([cadenceVersion("0", "0.00000000"), cadenceVersion("1", "1700000000.00000000", "0.03000000")]);
    expect(schedule.map((v) => [v.version, v.effectiveFrom])).toEqual([
      [0n, 0n],
      [1n, flow("1700000000")],
    ]);
    expect(schedule[1].tiers[0].pricePer1K).toBe(flow("0.03"));
    // settings a version does not carry stay absent rather than invented
    expect(schedule[0].minimumDeposit).toBeUndefined();
    expect(schedule[0].noticePeriod).toBeUndefined();
  });

  it("accepts two versions starting at the same time (the later one wins from then)", () => {
    const schedule = scheduleFromCadence([cadenceVersion("0", "5.00000000"), cadenceVersion("1", "5.00000000", "0.03000000")]);
    expect(pricingAt(schedule, flow("5")).version).toBe(1n);
  });

  it("refuses versions out of order and an empty schedule", () => {
    expect(() => scheduleFromCadence([cadenceVersion("0", "10.00000000"), cadenceVersion("1", "9.99999999")])).toThrow("get_pricing_schedule: versions out of order");
    expect(() => scheduleFromCadence([])).toThrow("get_pricing_schedule returned no version");
  });

  it("refuses a version whose tier table the contract would not hold", () => {
    const bad = { ...cadenceVersion("0", "0.00000000"), tiers: [{ threshold: "5", pricePer1K: "0.02000000" }] };
    expect(() => scheduleFromCadence([bad])).toThrow(TIER_ERRORS.firstNotZero);
    expect(() => pricingFromCadence(bad)).toThrow(TIER_ERRORS.firstNotZero);
  });

  it("reads periods in whole seconds and the minimum deposit in FLOW", () => {
    const config = pricingFromCadence({ ...cadenceVersion("2", "0.00000000"), minimumDeposit: "2.50000000", noticePeriod: "86400.00000000" });
    expect([config.billingPeriod, config.closeGracePeriod, config.noticePeriod, formatUFix64(config.minimumDeposit!)]).toEqual([2_592_000n, 3_600n, 86_400n, "2.50000000"]);
    expect(config.version).toBe(2n);
  });
});

describe("the pricing version in force", () => {
  const at = (from: bigint, v: bigint) => ({ ...DEFAULT_PRICING, version: v, effectiveFrom: from });

  it("uses the first version for a window before every later version, even if the first starts later", () => {
    // version 0 is the deployment's pricing: it prices anything no later version covers
    expect(pricingAt([at(100n, 0n), at(200n, 1n)], 0n).version).toBe(0n);
    expect(pricingAt([at(100n, 0n)], 0n).version).toBe(0n);
  });

  it("switches at exactly the version's start", () => {
    const schedule = [at(0n, 0n), at(200n, 1n)];
    expect([pricingAt(schedule, 199n).version, pricingAt(schedule, 200n).version]).toEqual([0n, 1n]);
  });
});

describe("quotes with a caller's tier table", () => {
  it("refuses a multiplier of zero and accepts the smallest positive one", () => {
    const tiers = [{ threshold: 0n, pricePer1K: flow("1") }];
    expect(() => quoteWithTiersUnits(tiers, 0n, 1_000n, 0n)).toThrow("UsageBasedSubscriptions: a multiplier must be positive");
    // 1,000 tokens at 1 FLOW per 1,000 with a multiplier of 1e-8: one unit
    expect(quoteWithTiersUnits(tiers, 1n, 1_000n, 0n)).toBe(1n);
  });

  it("validates the table before quoting", () => {
    expect(() => quoteWithTiersUnits([], flow("1"), 1n, 0n)).toThrow(TIER_ERRORS.empty);
  });
});

describe("model names", () => {
  it("bills a model mapped to a family with no multiplier at the default multiplier", () => {
    const config = { ...DEFAULT_PRICING, modelFamilies: { ...DEFAULT_PRICING.modelFamilies, "odd-model": "no-such-family" } };
    expect(multiplierFor(config, "odd-model")).toBe(config.defaultMultiplier);
  });

  it("does not take inherited object keys for families or model names", () => {
    expect(multiplierFor(DEFAULT_PRICING, "constructor")).toBe(DEFAULT_PRICING.defaultMultiplier);
    expect(multiplierFor(DEFAULT_PRICING, "__proto__")).toBe(DEFAULT_PRICING.defaultMultiplier);
  });
});
