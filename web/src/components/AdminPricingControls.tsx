import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatFlow, type PricingConfig } from "../../../src/pricing";
import { parseMultiplier, parseTierRows, tierRows, type Checked, type TierRow } from "../adminValidation";
import { durationText, unitsTimeText } from "../format";
import { useAccountStorage } from "../hooks/useAccountStorage";
import { useConnected } from "../hooks/useChain";
import { useTransaction } from "../hooks/useTransaction";
import { appliesFrom, DIRECTION_WORDS, priceDirection, secondsToUnits, withDefaultMultiplier, withFamilyMultiplier, withTiers } from "../schedule";
import { sealedPricingChange } from "../queries";
import type { OnStatus, PricingAnnouncement, ScheduledPricing } from "../services/flowClient";
import { StorageChecker } from "./StorageChecker";
import { TransactionProgress } from "./TransactionProgress";

/** Pricing changes store a few hundred bytes in the admin's contract account. */
const PRICING_BYTES = 500n;

/** When a proposed version would apply if sent now, against the newest version (as the contract decides). */
function preview(latest: ScheduledPricing | null, proposed: (base: PricingConfig) => PricingConfig, now: bigint): { text: string; rise: boolean } | null {
  if (latest === null) return null;
  const direction = priceDirection(latest, proposed(latest));
  const rise = direction === "rise" || direction === "mixed";
  const from = unitsTimeText(appliesFrom(latest, rise, now));
  return {
    rise,
    text: rise
      ? `This ${DIRECTION_WORDS[direction]}: sent now, it applies from about ${from}, after the notice period.`
      : `This ${DIRECTION_WORDS[direction]}: sent now, it applies from the next usage window (about ${from}).`,
  };
}

/** Each reason the contract would refuse an edit, beside its input. */
const refusals = (checked: Checked<unknown>) =>
  !checked.ok &&
  checked.errors.map((error) => (
    <span key={error} className="error">
      {" "}
      {error}
    </span>
  ));

/** What a sealed announcement says, from its event. */
function announcementText(a: PricingAnnouncement): string {
  if (a.effectiveFrom === 0n) return `Version ${a.version}: in force at once (no subscription exists yet, so there is nobody to give notice to).`;
  return a.increase
    ? `Version ${a.version} raises a price, so it applies after the notice period: from ${unitsTimeText(a.effectiveFrom)}.`
    : `Version ${a.version} raises no price: it applies from ${unitsTimeText(a.effectiveFrom)} (the next usage window).`;
}

/**
 * Tiers and multipliers, for the admin account only; the contract's checks run before signing.
 * Every change is an announcement: a rise applies after the notice period, anything else from the
 * next window; announced changes can be withdrawn until they apply.
 */
export function AdminPricingControls({
  pricing,
  latest = null,
  pending = [],
  now = 0n,
}: {
  /** The version in force. */
  pricing: PricingConfig;
  /** The newest version, announced or in force: what a change builds on (null: not read from the chain). */
  latest?: ScheduledPricing | null;
  pending?: readonly ScheduledPricing[];
  /** The page's clock, units of 1e-8 s. */
  now?: bigint;
}) {
  const { client, address } = useConnected();
  const queries = useQueryClient();
  const base = latest ?? pricing;
  const [rows, setRows] = useState<TierRow[]>(() => tierRows(base.tiers));
  const [multipliers, setMultipliers] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(base.familyMultipliers).map(([f, m]) => [f, formatFlow(m)])),
  );
  const [defaultMultiplier, setDefaultMultiplier] = useState(formatFlow(base.defaultMultiplier));
  const [newFamily, setNewFamily] = useState({ family: "", multiplier: "1.0" });
  const [what, setWhat] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const storage = useAccountStorage();
  const tx = useTransaction();
  const tiers = parseTierRows(rows);
  const defaultChecked = parseMultiplier(null, defaultMultiplier);
  const newChecked = parseMultiplier(newFamily.family, newFamily.multiplier);
  const notice = base.noticePeriod;

  const send = async (label: string, run: (onStatus: OnStatus) => Promise<PricingAnnouncement>) => {
    setWhat(label);
    setResult(null);
    const announcement = await tx.run(run, (a) => a.transactionId);
    if (announcement) {
      setResult(announcementText(announcement));
      void sealedPricingChange(queries, address);
    }
  };
  const withdraw = async () => {
    setWhat("Withdrawing the announced changes");
    setResult(null);
    const done = await tx.run((s) => client.cancelPricingChanges(s), (r) => r.transactionId);
    if (done) {
      setResult(`Withdrawn: version${done.versions.length === 1 ? "" : "s"} ${done.versions.map(String).join(", ")}. The prices in force stay.`);
      void sealedPricingChange(queries, address);
    }
  };
  const previewLine = (p: { text: string; rise: boolean } | null, testId?: string) =>
    p && (
      <span className={p.rise ? "warning" : "muted"} data-testid={testId}>
        {" "}
        {p.text}
      </span>
    );
  const tierPreview = tiers.ok ? preview(latest, (b) => withTiers(b, tiers.value), now) : null;
  const setRow = (i: number, patch: Partial<TierRow>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));

  return (
    <section className="card admin" aria-label="Admin pricing controls">
      <h2>Pricing (admin)</h2>
      <p data-testid="notice-rule">
        Every change is announced as a new pricing version.{" "}
        {notice !== undefined
          ? `A change that raises any price applies only after the notice period of ${durationText(notice)} (sent now: from about ${unitsTimeText(now + secondsToUnits(notice))}).`
          : "A change that raises any price applies only after the notice period."}{" "}
        A change that raises none applies from the next usage window. Usage already made is never repriced.
      </p>
      <StorageChecker storage={storage} spendUnits={0n} extraBytes={PRICING_BYTES} address={address} />
      <h3>Announced changes</h3>
      {pending.length === 0 ? (
        <p className="muted">No change is waiting to apply.</p>
      ) : (
        <ul data-testid="admin-pending">
          {pending.map((v) => {
            const direction = priceDirection(pricing, v);
            return (
              <li key={v.version.toString()}>
                Version {v.version.toString()}: from {unitsTimeText(v.effectiveFrom)}, {DIRECTION_WORDS[direction]} against the prices in force.
              </li>
            );
          })}
        </ul>
      )}
      <button type="button" className="secondary" disabled={pending.length === 0 || tx.busy} onClick={() => void withdraw()}>
        Withdraw announced changes
      </button>
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
          The contract would refuse this table: {tiers.errors.join(" ")}
        </p>
      )}
      {previewLine(tierPreview, "tier-preview")}
      <button type="button" disabled={!tiers.ok || tx.busy} onClick={() => tiers.ok && void send("Announcing the tiers", (s) => client.setTiers(tiers.value, s))}>
        Sign new tiers
      </button>

      <h3>Multipliers</h3>
      <ul className="multipliers">
        {Object.entries(multipliers).map(([family, value]) => {
          const checked = parseMultiplier(family, value);
          return (
            <li key={family}>
              <label>
                {family}{" "}
                <input aria-label={`${family} multiplier`} value={value} onChange={(e) => setMultipliers((m) => ({ ...m, [family]: e.target.value }))} />
              </label>
              <button
                type="button"
                className="secondary"
                disabled={!checked.ok || tx.busy}
                onClick={() => void send(`Announcing the ${family} multiplier`, (s) => client.setFamilyMultiplier(family, value.trim(), s))}
              >
                Sign
              </button>
              {refusals(checked)}
              {checked.ok && value.trim() !== formatFlow(base.familyMultipliers[family] ?? 0n) && previewLine(preview(latest, (b) => withFamilyMultiplier(b, family, checked.value), now))}
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
            disabled={!defaultChecked.ok || tx.busy}
            onClick={() => void send("Announcing the default multiplier", (s) => client.setDefaultMultiplier(defaultMultiplier.trim(), s))}
          >
            Sign
          </button>
          {refusals(defaultChecked)}
          {defaultChecked.ok && defaultMultiplier.trim() !== formatFlow(base.defaultMultiplier) && previewLine(preview(latest, (b) => withDefaultMultiplier(b, defaultChecked.value), now))}
        </li>
        <li>
          <input aria-label="New family" placeholder="new family" value={newFamily.family} onChange={(e) => setNewFamily((f) => ({ ...f, family: e.target.value }))} />{" "}
          <input aria-label="New family multiplier" value={newFamily.multiplier} onChange={(e) => setNewFamily((f) => ({ ...f, multiplier: e.target.value }))} />
          <button
            type="button"
            className="secondary"
            disabled={!newChecked.ok || tx.busy}
            onClick={() => void send(`Announcing family ${newFamily.family}`, (s) => client.setFamilyMultiplier(newFamily.family, newFamily.multiplier.trim(), s))}
          >
            Add family
          </button>
          {newFamily.family !== "" && refusals(newChecked)}
        </li>
      </ul>
      <TransactionProgress state={tx.state} what={what} />
      {result && (
        <p className="ok" role="status" data-testid="announcement-result">
          {result}
        </p>
      )}
    </section>
  );
}
