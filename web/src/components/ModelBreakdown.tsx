import type { PricingConfig } from "../../../src/pricing";
import { flowUnitsText } from "../format";
import type { KeyUsage } from "../services/keyService";
import { modelCostUnits } from "../usage";

/** Cost by model: tokens per model priced with the contract's tiers and multipliers. */
export function ModelBreakdown({ usage, pricing }: { usage: KeyUsage | null; pricing: PricingConfig }) {
  const rows = usage ? Object.entries(usage.model_breakdown).sort((a, b) => b[1].tokens - a[1].tokens) : [];
  return (
    <section className="breakdown" aria-label="Cost by model">
      <h4>Cost by model</h4>
      {rows.length === 0 ? (
        <p className="muted">{usage ? "No requests yet." : "Shown once live usage loads."}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Model</th>
              <th>Requests</th>
              <th>Tokens</th>
              <th>FLOW (est.)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([model, m]) => (
              <tr key={model}>
                <td>{model}</td>
                <td>{m.requests.toLocaleString("en-US")}</td>
                <td>{m.tokens.toLocaleString("en-US")}</td>
                <td>{flowUnitsText(modelCostUnits(pricing, model, m.tokens))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
