import { useState } from "react";
import { formatFlow, type PricingConfig } from "../../../src/pricing";
import { checkMultiplier, parseTierRows, tierRows, type TierRow } from "../adminValidation";
import { useAccountStorage } from "../hooks/useAccountStorage";
import { useTransaction } from "../hooks/useTransaction";
import type { FlowClient, OnStatus } from "../services/flowClient";
import { StorageChecker } from "./StorageChecker";
import { TransactionProgress } from "./TransactionProgress";

/** Pricing changes store a few hundred bytes in the admin's contract account. */
const PRICING_BYTES = 500n;

/** Tiers and multipliers, for the admin account only; the contract's checks run before signing. */
export function AdminPricingControls({ client, address, pricing, onChanged }: { client: FlowClient; address: string; pricing: PricingConfig; onChanged: () => void }) {
  const [rows, setRows] = useState<TierRow[]>(() => tierRows(pricing.tiers));
  const [multipliers, setMultipliers] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(pricing.familyMultipliers).map(([f, m]) => [f, formatFlow(m)])),
  );
  const [defaultMultiplier, setDefaultMultiplier] = useState(formatFlow(pricing.defaultMultiplier));
  const [newFamily, setNewFamily] = useState({ family: "", multiplier: "1.0" });
  const [what, setWhat] = useState("");
  const storage = useAccountStorage(client, address);
  const tx = useTransaction();
  const tiers = parseTierRows(rows);

  const send = async (label: string, run: (onStatus: OnStatus) => Promise<string>) => {
    setWhat(label);
    if (await tx.run(run, (id) => id)) onChanged();
  };
  const setRow = (i: number, patch: Partial<TierRow>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));

  return (
    <section className="card admin" aria-label="Admin pricing controls">
      <h2>Pricing (admin)</h2>
      <StorageChecker storage={storage} spendUnits={0n} extraBytes={PRICING_BYTES} address={address} />
      <h3>Tiers</h3>
      <table>
        <thead>
          <tr>
            <th>From tokens</th>
            <th>FLOW per 1K</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <input aria-label={`Tier ${i + 1} threshold`} value={row.threshold} onChange={(e) => setRow(i, { threshold: e.target.value })} />
              </td>
              <td>
                <input aria-label={`Tier ${i + 1} price`} value={row.price} onChange={(e) => setRow(i, { price: e.target.value })} />
              </td>
              <td>
                <button type="button" className="link" onClick={() => setRows((r) => r.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="secondary" onClick={() => setRows((r) => [...r, { threshold: "", price: "" }])}>
        Add tier
      </button>
      {tiers.ok ? (
        <p className="ok" data-testid="tier-check">The contract accepts this table.</p>
      ) : (
        <p className="error" role="alert" data-testid="tier-check">
          The contract would refuse this table: {tiers.error}
        </p>
      )}
      <button type="button" disabled={!tiers.ok || tx.busy} onClick={() => tiers.ok && void send("Setting the tiers", (s) => client.setTiers(tiers.tiers, s))}>
        Sign new tiers
      </button>

      <h3>Multipliers</h3>
      <ul className="multipliers">
        {Object.entries(multipliers).map(([family, value]) => {
          const problem = checkMultiplier(family, value);
          return (
            <li key={family}>
              <label>
                {family}{" "}
                <input aria-label={`${family} multiplier`} value={value} onChange={(e) => setMultipliers((m) => ({ ...m, [family]: e.target.value }))} />
              </label>
              <button
                type="button"
                className="secondary"
                disabled={problem !== null || tx.busy}
                onClick={() => void send(`Setting the ${family} multiplier`, (s) => client.setFamilyMultiplier(family, value.trim(), s))}
              >
                Sign
              </button>
              {problem && <span className="error"> {problem}</span>}
            </li>
          );
        })}
        <li>
          <label>
            Default (models in no family){" "}
            <input aria-label="Default multiplier" value={defaultMultiplier} onChange={(e) => setDefaultMultiplier(e.target.value)} />
          </label>
          <button
            type="button"
            className="secondary"
            disabled={checkMultiplier(null, defaultMultiplier) !== null || tx.busy}
            onClick={() => void send("Setting the default multiplier", (s) => client.setDefaultMultiplier(defaultMultiplier.trim(), s))}
          >
            Sign
          </button>
          {checkMultiplier(null, defaultMultiplier) && <span className="error"> {checkMultiplier(null, defaultMultiplier)}</span>}
        </li>
        <li>
          <input aria-label="New family" placeholder="new family" value={newFamily.family} onChange={(e) => setNewFamily((f) => ({ ...f, family: e.target.value }))} />{" "}
          <input aria-label="New family multiplier" value={newFamily.multiplier} onChange={(e) => setNewFamily((f) => ({ ...f, multiplier: e.target.value }))} />
          <button
            type="button"
            className="secondary"
            disabled={checkMultiplier(newFamily.family, newFamily.multiplier) !== null || tx.busy}
            onClick={() => void send(`Adding family ${newFamily.family}`, (s) => client.setFamilyMultiplier(newFamily.family, newFamily.multiplier.trim(), s))}
          >
            Add family
          </button>
          {newFamily.family !== "" && checkMultiplier(newFamily.family, newFamily.multiplier) && (
            <span className="error"> {checkMultiplier(newFamily.family, newFamily.multiplier)}</span>
          )}
        </li>
      </ul>
      <TransactionProgress state={tx.state} what={what} />
    </section>
  );
}
