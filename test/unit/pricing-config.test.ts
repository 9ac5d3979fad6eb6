/**
 * Reading the pricing the chain reports (get_pricing, get_pricing_schedule) and the rules that
 * guard it: what settlement and the live limit price with must be exactly what Flow holds, and
 * anything Flow could not hold is refused.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PRICING,
  MAX_PRICE_PER_1K,
  MAX_THRESHOLD,
  MAX_TIERS,
  TIER_ERRORS,
  UFIX64_MAX_UNITS,
  graduatedCostUnits,
  paidTokens,
  validateTiers,
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
    expect(() => quoteWithTiersUnits(tiers, 0n, 1_000n, 0n)).toThrow(new RangeError("UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 0.00000000"));
    // 1,000 tokens at 1 FLOW per 1,000 with a multiplier of 1e-8: one unit
    expect(quoteWithTiersUnits(tiers, 1n, 1_000n, 0n)).toBe(1n);
  });

  it("refuses a multiplier above the contract's MaxMultiplier of 100 and accepts exactly 100", () => {
    const tiers = [{ threshold: 0n, pricePer1K: flow("1") }];
    expect(() => quoteWithTiersUnits(tiers, flow("100.00000001"), 1_000n, 0n)).toThrow(
      new RangeError("UsageBasedSubscriptions: a multiplier must be positive and at most 100, not 100.00000001"),
    );
    expect(quoteWithTiersUnits(tiers, flow("100"), 1_000n, 0n)).toBe(flow("100"));
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

describe("tier tables at the contract's bounds", () => {
  const one = (threshold: bigint, pricePer1K: bigint) => ({ threshold, pricePer1K });

  it("accepts the largest table, price and threshold the contract holds", () => {
    expect(() => validateTiers(Array.from({ length: MAX_TIERS }, (_, i) => one(BigInt(i), 1n)))).not.toThrow();
    expect(() => validateTiers([one(0n, MAX_PRICE_PER_1K)])).not.toThrow();
    expect(() => validateTiers([one(0n, 1n), one(MAX_THRESHOLD, 1n)])).not.toThrow();
  });

  it("refuses one past each bound, and a negative price", () => {
    expect(() => validateTiers([one(0n, MAX_PRICE_PER_1K + 1n)])).toThrow(new RangeError(`${TIER_ERRORS.priceBound} (tier 1 costs 1000.00000001)`));
    expect(() => validateTiers([one(0n, 1n), one(MAX_THRESHOLD + 1n, 1n)])).toThrow(new RangeError(`${TIER_ERRORS.thresholdBound} (tier 2 starts at 1000000000000001)`));
    expect(() => validateTiers([one(0n, 1n), one(10n, -1n)])).toThrow(new RangeError(`${TIER_ERRORS.price} (tier 2 costs -1 units)`));
  });
});

describe("the graduated cost at tier edges", () => {
  const tiers = [
    { threshold: 0n, pricePer1K: flow("2") },
    { threshold: 1_000n, pricePer1K: flow("1") },
  ];
  const x1 = flow("1");

  it("costs nothing for no tokens, wherever the period stands", () => {
    expect(graduatedCostUnits(tiers, x1, 0n, 0n)).toBe(0n);
    expect(graduatedCostUnits(tiers, x1, 5_000n, 0n)).toBe(0n);
  });

  it("prices a line ending exactly at a threshold wholly in the lower tier, and one starting there in the upper", () => {
    expect(graduatedCostUnits(tiers, x1, 0n, 1_000n)).toBe(flow("2"));
    expect(graduatedCostUnits(tiers, x1, 1_000n, 1_000n)).toBe(flow("1"));
    expect(graduatedCostUnits(tiers, x1, 999n, 2n)).toBe(flow("0.003"));
  });

  it("caps the cost at the largest UFix64 like the contract", () => {
    const dear = [{ threshold: 0n, pricePer1K: MAX_PRICE_PER_1K }];
    expect(graduatedCostUnits(dear, MAX_PRICE_PER_1K, 0n, 1_000_000_000_000n)).toBe(UFIX64_MAX_UNITS);
  });

  it("pays for every token when the budget covers the line, and none when it covers less than one", () => {
    expect(paidTokens(tiers, x1, 0n, 1_500n, flow("2.5"))).toBe(1_500n);
    expect(paidTokens(tiers, x1, 0n, 1_500n, flow("100"))).toBe(1_500n);
    // one token costs 0.002: a budget of 0.00199999 pays for none
    expect(paidTokens(tiers, x1, 0n, 1_500n, flow("0.00199999"))).toBe(0n);
    // crossing into the cheaper tier: 1,000 tokens for 2, then 0.001 each
    expect(paidTokens(tiers, x1, 0n, 1_500n, flow("2.25"))).toBe(1_250n);
  });
});
