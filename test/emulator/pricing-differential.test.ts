import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlowEmulator } from "../../src/local/emulator";
import { flowNetwork } from "../../src/config/networks";
import { contractAddresses } from "../../src/config/flow-json";
import { deployFlow } from "../../src/deploy/flow-deploy";
import { flowSigner } from "../../src/deploy/flow-signer";
import { runScript, type FlowContext } from "../../src/flow/runtime";
import { pricingGetPricing, pricingQuote } from "../../src/flow/generated/scripts";
import { pricingTestingQuoteWithTiers } from "../flow-generated/scripts";
import {
  formatUFix64,
  pricingFromCadence,
  quoteUnits,
  quoteWithTiersUnits,
  type PricingConfig,
  type Tier,
} from "../../src/pricing";

// The TypeScript pricing mirror against the Cadence quote scripts on the
// emulator: the same inputs give the same UFix64, or the same refusal.
describe("pricing: TypeScript mirror = Cadence", () => {
  let emulator: FlowEmulator;
  let ctx: FlowContext;
  let config: PricingConfig;
  let dir: string;

  beforeAll(async () => {
    emulator = await FlowEmulator.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-pricing-"));
    const network = flowNetwork("emulator");
    const signer = flowSigner(network);
    await deployFlow({ network, accessNode: emulator.restUrl, signer, yes: false, log: () => undefined, deploymentsDir: dir });
    ctx = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", signer.address) };
    const onChain = await runScript(ctx, pricingGetPricing, {});
    config = pricingFromCadence({
      ...onChain,
      tiers: onChain.tiers.map((t) => ({ threshold: t.threshold.toString(), pricePer1K: t.pricePer1K })),
    });
  });

  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tokenCount = fc.oneof(
    fc.bigInt({ min: 0n, max: 2_000_000n }),
    fc.bigInt({ min: 0n, max: 50_000_000n }),
    fc.constantFrom(0n, 1n, 99_999n, 100_000n, 100_001n, 999_999n, 1_000_000n, 10_000_000n, 10_000_001n),
  );

  it("quotes the configured pricing identically for 300 random (model, tokens, period-to-date)", async () => {
    const models = [...Object.keys(config.modelFamilies), ...Object.keys(config.familyMultipliers), "unmapped-model", ""];
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...models), tokenCount, tokenCount, async (model, tokens, periodTokens) => {
        runs++;
        const cadence = await runScript(ctx, pricingQuote, { model, tokens, periodTokens });
        expect(cadence).toBe(formatUFix64(quoteUnits(config, model, tokens, periodTokens)));
      }),
      { numRuns: 300 },
    );
    expect(runs).toBe(300);
  });

  const tierTable = fc
    .uniqueArray(fc.bigInt({ min: 1n, max: 20_000_000n }), { maxLength: 5 })
    .chain((thresholds) =>
      fc.tuple(
        fc.constant([0n, ...thresholds.sort((a, b) => (a < b ? -1 : 1))]),
        fc.array(fc.bigInt({ min: 1n, max: 5_000_000n }), { minLength: thresholds.length + 1, maxLength: thresholds.length + 1 }),
      ),
    )
    .map(([thresholds, prices]): Tier[] => thresholds.map((threshold, i) => ({ threshold, pricePer1K: prices[i]! })));

  it("quotes 200 random tier tables and multipliers identically", async () => {
    await fc.assert(
      fc.asyncProperty(tierTable, fc.bigInt({ min: 1n, max: 500_000_000n }), tokenCount, tokenCount, async (tiers, multiplier, tokens, periodTokens) => {
        const cadence = await runScript(ctx, pricingTestingQuoteWithTiers, {
          thresholds: tiers.map((t) => t.threshold),
          pricesPer1K: tiers.map((t) => formatUFix64(t.pricePer1K)),
          multiplier: formatUFix64(multiplier),
          tokens,
          periodTokens,
        });
        expect(cadence).toBe(formatUFix64(quoteWithTiersUnits(tiers, multiplier, tokens, periodTokens)));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses the same 20 invalid tables with the same message", async () => {
    const invalid = fc.oneof(
      fc.constant<Tier[]>([]),
      tierTable.filter((t) => t.length > 1).map((t) => [t[1]!, t[0]!, ...t.slice(2)]),
      tierTable.map((t) => [...t, { ...t[t.length - 1]! }]),
      tierTable.map((t) => t.map((x, i) => (i === 0 ? { ...x, pricePer1K: 0n } : x))),
      tierTable.map((t) => t.map((x, i) => (i === 0 ? { ...x, threshold: 5n } : x))),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (tiers) => {
        let tsError = "";
        try {
          quoteWithTiersUnits(tiers, 100_000_000n, 1000n, 0n);
        } catch (error) {
          tsError = (error as Error).message;
        }
        expect(tsError).not.toBe("");
        const cadence = runScript(ctx, pricingTestingQuoteWithTiers, {
          thresholds: tiers.map((t) => t.threshold),
          pricesPer1K: tiers.map((t) => formatUFix64(t.pricePer1K)),
          multiplier: "1.0",
          tokens: 1000n,
          periodTokens: 0n,
        });
        await expect(cadence).rejects.toThrow(tsError);
      }),
      { numRuns: 20 },
    );
  });
});
