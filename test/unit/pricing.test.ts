import { describe, expect, it } from "vitest";
import fc from "fast-check";
import vectors from "./pricing-vectors.json";
import {
  DEFAULT_PRICING,
  TIER_ERRORS,
  UFIX64_MAX_UNITS,
  chargeLines,
  familyOf,
  formatFlow,
  formatUFix64,
  graduatedCostUnits,
  multiplierFor,
  paidTokens,
  parseUFix64,
  parseUInt64,
  pricingAt,
  pricingFromCadence,
  quoteUnits,
  quoteWithTiersUnits,
  tierDiscountBasisPoints,
  UINT64_MAX,
  validateTiers,
  type SubscriptionState,
  type Tier,
} from "../../src/pricing";

const flow = parseUFix64;
const tiersOf = (thresholds: string, prices: string): Tier[] =>
  thresholds.split("|").map((t, i) => ({ threshold: BigInt(t), pricePer1K: flow(prices.split("|")[i]) }));

describe("pricing vectors shared with cadence/tests/pricing_test.cdc", () => {
  it("has about fifty cases", () => {
    expect(vectors.default.length + vectors.custom.length).toBeGreaterThanOrEqual(50);
  });

  for (const [model, tokens, periodTokens, expected, note] of vectors.default) {
    it(`${model} ${tokens} tokens after ${periodTokens}: ${expected} (${note})`, () => {
      expect(formatUFix64(quoteUnits(DEFAULT_PRICING, model, BigInt(tokens), BigInt(periodTokens)))).toBe(expected);
    });
  }

  for (const [thresholds, prices, multiplier, tokens, periodTokens, expected, note] of vectors.custom) {
    it(`custom tiers ${thresholds} @ ${prices} x${multiplier}: ${expected} (${note})`, () => {
      const units = quoteWithTiersUnits(tiersOf(thresholds, prices), flow(multiplier), BigInt(tokens), BigInt(periodTokens));
      expect(formatUFix64(units)).toBe(expected);
    });
  }
});

describe("DESIGN.md pricing", () => {
  it("150,000 GPT-4 tokens in a fresh period cost 4.125 FLOW", () => {
    expect(formatFlow(quoteUnits(DEFAULT_PRICING, "gpt-4", 150_000n, 0n))).toBe("4.125");
  });

  it("shows the volume discount as 1 - price / 0.020", () => {
    expect(DEFAULT_PRICING.tiers.map((_, i) => tierDiscountBasisPoints(DEFAULT_PRICING.tiers, i))).toEqual([0n, 2500n, 5000n, 6000n]);
  });

  it("resolves model names to families, unmapped to the default multiplier", () => {
    expect(familyOf(DEFAULT_PRICING, "gpt-4o")).toBe("gpt-4");
    expect(familyOf(DEFAULT_PRICING, "claude")).toBe("claude");
    expect(familyOf(DEFAULT_PRICING, "mistral")).toBeUndefined();
    expect(multiplierFor(DEFAULT_PRICING, "mistral")).toBe(flow("1.0"));
    expect(multiplierFor(DEFAULT_PRICING, "toString")).toBe(flow("1.0"));
  });

  it("splitting a line never changes its total (graduated, exact)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 50_000_000n }), fc.bigInt({ min: 0n, max: 50_000_000n }), fc.bigInt({ min: 0n, max: 50_000_000n }), (period, a, b) => {
        const mult = multiplierFor(DEFAULT_PRICING, "gpt-4");
        // Before truncation the sum is additive; with gpt-4 prices every step is whole units.
        const whole = graduatedCostUnits(DEFAULT_PRICING.tiers, mult, period, a + b);
        const split = graduatedCostUnits(DEFAULT_PRICING.tiers, mult, period, a) + graduatedCostUnits(DEFAULT_PRICING.tiers, mult, period + a, b);
        expect(split).toBe(whole);
      }),
    );
  });

  it("crossing a threshold never makes a bill smaller", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 20_000_000n }), fc.bigInt({ min: 0n, max: 20_000_000n }), (period, tokens) => {
        const more = quoteUnits(DEFAULT_PRICING, "claude", tokens + 1n, period);
        expect(more >= quoteUnits(DEFAULT_PRICING, "claude", tokens, period)).toBe(true);
      }),
    );
  });
});

describe("UFix64 units", () => {
  it("round-trips", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: UFIX64_MAX_UNITS }), (units) => {
        expect(flow(formatUFix64(units))).toBe(units);
      }),
    );
  });

  it("rejects what is not a UFix64", () => {
    for (const bad of ["", "-1", "1e3", "0.123456789", "184467440737.09551616", "1.", "abc"]) {
      expect(() => flow(bad)).toThrow(RangeError);
    }
    expect(flow("184467440737.09551615")).toBe(UFIX64_MAX_UNITS);
    expect(flow("0.02")).toBe(2_000_000n);
  });

  it("reads a value with surrounding whitespace (a line of an env file, a pasted amount)", () => {
    expect(flow(" 4.125\n")).toBe(412_500_000n);
    expect(flow("\t7 ")).toBe(700_000_000n);
  });

  it("names the refused text in its error, so a bad config value can be found", () => {
    expect(() => flow("4,5")).toThrow('not a UFix64: "4,5"');
    expect(() => flow("184467440737.09551616")).toThrow("UFix64 out of range: 184467440737.09551616");
  });

  it("formats only what a UFix64 can hold: never a negative amount or one past the largest", () => {
    expect(formatUFix64(0n)).toBe("0.00000000");
    expect(formatUFix64(UFIX64_MAX_UNITS)).toBe("184467440737.09551615");
    expect(() => formatUFix64(-1n)).toThrow(new RangeError("UFix64 out of range: -1 units"));
    expect(() => formatUFix64(UFIX64_MAX_UNITS + 1n)).toThrow(new RangeError("UFix64 out of range: 18446744073709551616 units"));
    expect(() => formatFlow(-100_000_000n)).toThrow(RangeError);
  });
});

describe("UInt64 values (JSON-Cadence carries them as strings)", () => {
  it("reads a string, a number or a bigint from 0 to 2^64 - 1", () => {
    expect(parseUInt64("0")).toBe(0n);
    expect(parseUInt64(42)).toBe(42n);
    expect(parseUInt64(7n)).toBe(7n);
    expect(parseUInt64("18446744073709551615")).toBe(UINT64_MAX);
    expect(UINT64_MAX).toBe(2n ** 64n - 1n);
  });

  it("refuses a negative value or one past 2^64 - 1, naming it", () => {
    expect(() => parseUInt64("-1")).toThrow(new RangeError("UInt64 out of range: -1"));
    expect(() => parseUInt64(-1n)).toThrow(RangeError);
    expect(() => parseUInt64("18446744073709551616")).toThrow(new RangeError("UInt64 out of range: 18446744073709551616"));
  });
});

describe("tier tables are validated like setTiers", () => {
  // The contract's whole messages (cadence/tests/pricing_test.cdc asserts the same words).
  const cases: [string, Tier[], string][] = [
    ["empty", [], TIER_ERRORS.empty],
    ["not from 0", [{ threshold: 1n, pricePer1K: 1n }], `${TIER_ERRORS.firstNotZero}, not 1`],
    ["descending", [{ threshold: 0n, pricePer1K: 2n }, { threshold: 200n, pricePer1K: 1n }, { threshold: 100n, pricePer1K: 1n }], `${TIER_ERRORS.order} (tier 3 starts at 100, tier 2 at 200)`],
    ["duplicate", [{ threshold: 0n, pricePer1K: 2n }, { threshold: 100n, pricePer1K: 1n }, { threshold: 100n, pricePer1K: 1n }], `${TIER_ERRORS.order} (tier 3 starts at 100, tier 2 at 100)`],
    ["zero price", [{ threshold: 0n, pricePer1K: 0n }], `${TIER_ERRORS.price} (tier 1 costs 0.00000000)`],
    ["17 tiers", Array.from({ length: 17 }, (_, i) => ({ threshold: BigInt(i), pricePer1K: 1n })), `${TIER_ERRORS.tooMany}, not 17`],
  ];
  for (const [name, tiers, message] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => validateTiers(tiers)).toThrow(new RangeError(message));
    });
  }
});

describe("billing a report", () => {
  it("applies several lines of one subscription in report order", () => {
    const states = new Map<bigint, SubscriptionState>([[1n, { balance: flow("100"), periodTokens: 0n, periodSpent: 0n }]]);
    const charges = chargeLines(DEFAULT_PRICING, states, [
      { subscriptionId: 1n, family: "gpt-4", tokens: 100_000n },
      { subscriptionId: 1n, family: "gpt-4", tokens: 50_000n },
      { subscriptionId: 9n, family: "gpt-4", tokens: 1n },
    ]);
    expect(charges.map((c) => formatFlow(c.charged))).toEqual(["3.0", "1.125", "0.0"]);
    expect(charges[2].unknown).toBe(true);
    expect(formatFlow(states.get(1n)!.balance)).toBe("95.875");
    expect(states.get(1n)!.periodTokens).toBe(150_000n);
  });

  it("charges what is left when the escrow runs out, counting only the paid tokens", () => {
    const states = new Map<bigint, SubscriptionState>([[1n, { balance: flow("1"), periodTokens: 0n, periodSpent: 0n }]]);
    const [a] = chargeLines(DEFAULT_PRICING, states, [{ subscriptionId: 1n, family: "gpt-4", tokens: 150_000n }]);
    expect([formatFlow(a.cost), formatFlow(a.charged), a.partial, a.suspended]).toEqual(["4.125", "1.0", true, true]);
    // 33,333 tokens cost 0.99999; 33,334 would cost 1.00002
    expect(a.paidTokens).toBe(33_333n);
    expect(states.get(1n)!.periodTokens).toBe(33_333n);
  });

  it("charges a line in full past the period cap, then suspends", () => {
    const states = new Map<bigint, SubscriptionState>([[2n, { balance: flow("100"), periodTokens: 0n, periodSpent: 0n, maxBudgetPerPeriod: flow("2") }]]);
    const [b] = chargeLines(DEFAULT_PRICING, states, [{ subscriptionId: 2n, family: "gpt-4", tokens: 150_000n }]);
    expect([formatFlow(b.charged), b.partial, b.suspended, b.paidTokens]).toEqual(["4.125", false, true, 150_000n]);
  });

  it("counts a line in the period its window started in, and a new period lifts a cap suspension", () => {
    const second = 100_000_000n;
    const day = 86_400n * second;
    const state: SubscriptionState = { balance: flow("100"), periodTokens: 100_000n, periodSpent: flow("3"), maxBudgetPerPeriod: flow("3"), periodStart: 0n, billingPeriod: day, suspended: true };
    // a late line of the first period, settled in the second: Growth, and still suspended there
    const [late] = chargeLines(DEFAULT_PRICING, new Map([[1n, state]]), [{ subscriptionId: 1n, family: "gpt-4", tokens: 1_000n }], { windowStart: day - 300n * second, now: day + 600n * second });
    expect(formatFlow(late.charged)).toBe("0.0225");
    expect(state.periodTokens).toBe(101_000n);
    // the second period's first line: Starter, counters reset, the cap suspension lifted
    const [next] = chargeLines(DEFAULT_PRICING, new Map([[1n, state]]), [{ subscriptionId: 1n, family: "gpt-4", tokens: 1_000n }], { windowStart: day, now: day + 600n * second });
    expect([formatFlow(next.charged), next.suspended, state.periodStart, state.periodTokens]).toEqual(["0.03", false, day, 1_000n]);
  });

  it("pays for exactly the tokens a budget covers (paidTokens inverts the graduated cost)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 20_000_000n }),
        fc.bigInt({ min: 1n, max: 20_000_000n }),
        fc.bigInt({ min: 0n, max: 1_000n * 100_000_000n }),
        fc.constantFrom(...Object.values(DEFAULT_PRICING.familyMultipliers), DEFAULT_PRICING.defaultMultiplier),
        (period, tokens, budget, multiplier) => {
          const k = paidTokens(DEFAULT_PRICING.tiers, multiplier, period, tokens, budget);
          expect(k >= 0n && k <= tokens).toBe(true);
          expect(graduatedCostUnits(DEFAULT_PRICING.tiers, multiplier, period, k)).toBeLessThanOrEqual(budget);
          if (k < tokens) expect(graduatedCostUnits(DEFAULT_PRICING.tiers, multiplier, period, k + 1n)).toBeGreaterThan(budget);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("bills a closing subscription without suspending it", () => {
    const states = new Map<bigint, SubscriptionState>([[1n, { balance: flow("1"), periodTokens: 0n, periodSpent: 0n, closing: true }]]);
    const [line] = chargeLines(DEFAULT_PRICING, states, [{ subscriptionId: 1n, family: "gpt-4", tokens: 150_000n }]);
    expect([formatFlow(line.charged), line.partial, line.suspended]).toEqual(["1.0", true, false]);
  });
});

describe("get_pricing decoding", () => {
  it("reads the script's JSON-Cadence decoded value", () => {
    const config = pricingFromCadence({
      tiers: [
        { threshold: "0", pricePer1K: "0.02000000" },
        { threshold: "100000", pricePer1K: "0.01500000" },
        { threshold: "1000000", pricePer1K: "0.01000000" },
        { threshold: "10000000", pricePer1K: "0.00800000" },
      ],
      familyMultipliers: { "gpt-4": "1.50000000", "gpt-3.5": "0.80000000", claude: "1.20000000", llama: "0.60000000" },
      defaultMultiplier: "1.00000000",
      modelFamilies: { ...DEFAULT_PRICING.modelFamilies },
      billingPeriod: "2592000.00000000",
      closeGracePeriod: "3600.00000000",
      minimumDeposit: "1.00000000",
      noticePeriod: "604800.00000000",
    });
    expect(config).toEqual(DEFAULT_PRICING);
  });
});

describe("the pricing schedule", () => {
  const version = (v: bigint, from: bigint, price: string) => ({ ...DEFAULT_PRICING, version: v, effectiveFrom: from, tiers: [{ threshold: 0n, pricePer1K: flow(price) }] });
  const schedule = [version(1n, 0n, "0.02"), version(2n, 1_000n, "0.03"), version(3n, 2_000n, "0.01")];

  it("prices a window by the version in force at its start", () => {
    expect(pricingAt(schedule, 0n).version).toBe(1n);
    expect(pricingAt(schedule, 999n).version).toBe(1n);
    expect(pricingAt(schedule, 1_000n).version).toBe(2n);
    expect(pricingAt(schedule, 1_999n).version).toBe(2n);
    expect(pricingAt(schedule, 5_000n).version).toBe(3n);
  });

  it("refuses an empty schedule", () => {
    expect(() => pricingAt([], 0n)).toThrow("an empty pricing schedule");
  });
});
