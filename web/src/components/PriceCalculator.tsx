import { useState } from "react";
import { formatFlow, multiplierFor, quoteUnits, tierDiscountBasisPoints, type PricingConfig } from "../../../src/pricing";
import { unitsTimeText } from "../format";
import type { ScheduledPricing } from "../services/flowClient";
import { AnnouncedChanges } from "./AnnouncedChanges";
import { FieldError } from "./FieldError";

const OTHER = "(a model in no family)";
const NOW = "now";

/**
 * Tokens and model to FLOW, by the TypeScript mirror of the contract's pricing (exact), under the
 * version in force or an announced one.
 */
export function PriceCalculator({
  pricing,
  source,
  pending = [],
}: {
  pricing: PricingConfig;
  source: "chain" | "default";
  pending?: readonly ScheduledPricing[];
}) {
  const [tokens, setTokens] = useState("150000");
  const [periodTokens, setPeriodTokens] = useState("0");
  const [versionChoice, setVersionChoice] = useState(NOW);
  // A withdrawn or now-in-force version falls back to the prices in force.
  const announced = pending.find((v) => v.version.toString() === versionChoice) ?? null;
  const selected = announced ?? pricing;
  const names = (config: PricingConfig) => [...Object.keys(config.modelFamilies), ...Object.keys(config.familyMultipliers)];
  const models = [...[...new Set([...names(pricing), ...names(selected)])].sort(), OTHER];
  const [model, setModel] = useState(models.includes("gpt-4o") ? "gpt-4o" : (models[0] ?? OTHER));

  const count = (text: string, label: string): bigint | string => {
    const trimmed = text.replace(/[\s,_]/g, "");
    if (!/^\d+$/.test(trimmed)) return `${label} must be a whole number.`;
    const value = BigInt(trimmed);
    return value > 18_446_744_073_709_551_615n ? `${label} is too large.` : value;
  };
  const t = count(tokens, "Tokens");
  const p = count(periodTokens, "Tokens already used");
  const name = model === OTHER ? "" : model;
  const cost = typeof t === "bigint" && typeof p === "bigint" ? quoteUnits(selected, name, t, p) : null;
  const costNow = announced && cost !== null && typeof t === "bigint" && typeof p === "bigint" ? quoteUnits(pricing, name, t, p) : null;
  const multiplier = multiplierFor(selected, name);

  return (
    <section className="card calculator" aria-label="Price calculator">
      <h2>Price calculator</h2>
      {source === "chain" && <AnnouncedChanges inForce={pricing} pending={pending} />}
      {pending.length > 0 && (
        <label className="field">
          <span className="label">Prices</span>
          <select name="version" value={announced ? versionChoice : NOW} onChange={(e) => setVersionChoice(e.target.value)}>
            <option value={NOW}>In force now{pricing.version !== undefined ? ` (version ${pricing.version.toString()})` : ""}</option>
            {pending.map((v) => (
              <option key={v.version.toString()} value={v.version.toString()}>
                Announced version {v.version.toString()}, from {unitsTimeText(v.effectiveFrom)}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="row">
        <label className="field">
          <span className="label">Tokens</span>
          <input name="tokens" inputMode="numeric" value={tokens} onChange={(e) => setTokens(e.target.value)} />
          <FieldError id="calc-tokens-error" message={typeof t === "string" ? t : undefined} />
        </label>
        <label className="field">
          <span className="label">Model</span>
          <select name="model" value={model} onChange={(e) => setModel(e.target.value)}>
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="label">Tokens already used this period</span>
          <input name="periodTokens" inputMode="numeric" value={periodTokens} onChange={(e) => setPeriodTokens(e.target.value)} />
          <FieldError id="calc-period-error" message={typeof p === "string" ? p : undefined} />
        </label>
      </div>
      <p className="quote" data-testid="quote" aria-live="polite">
        {cost === null ? "Enter whole token counts." : `${formatFlow(cost)} FLOW`}
        <span className="muted"> (multiplier {formatFlow(multiplier)}×)</span>
      </p>
      {announced && costNow !== null && (
        <p className="muted" data-testid="quote-now">
          Under version {announced.version.toString()}, from {unitsTimeText(announced.effectiveFrom)}; in force now: {formatFlow(costNow)} FLOW.
        </p>
      )}
      <table className="tiers">
        <thead>
          <tr>
            <th>Tier from</th>
            <th>FLOW per 1K tokens</th>
            <th>Volume discount</th>
          </tr>
        </thead>
        <tbody>
          {selected.tiers.map((tier, i) => (
            <tr key={tier.threshold.toString()}>
              <td>{tier.threshold.toLocaleString("en-US")} tokens</td>
              <td>{formatFlow(tier.pricePer1K)}</td>
              <td>{(Number(tierDiscountBasisPoints(selected.tiers, i)) / 100).toLocaleString("en-US")} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Graduated: each token is priced by the tier its place in the period falls in; only paid tokens count toward the tiers. Discount = 1 − price ÷
        first tier's price. {source === "chain" ? "Prices read from the contract." : "Default prices (the contract has not been read)."}
      </p>
    </section>
  );
}
