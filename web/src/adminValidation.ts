/** The admin's pricing edits, checked as UsageBasedSubscriptions checks them, before any signature. */
import { formatFlow, parseUFix64, validateTiers, type Tier } from "../../src/pricing";

export interface TierRow {
  threshold: string;
  price: string;
}

export function tierRows(tiers: readonly Tier[]): TierRow[] {
  return tiers.map((t) => ({ threshold: t.threshold.toString(), price: formatFlow(t.pricePer1K) }));
}

/** The tier table, or the problem in the contract's own words (TIER_ERRORS) or the field's. */
export function parseTierRows(rows: readonly TierRow[]): { ok: true; tiers: Tier[] } | { ok: false; error: string } {
  const tiers: Tier[] = [];
  for (const [i, row] of rows.entries()) {
    const threshold = row.threshold.replace(/[\s,_]/g, "");
    if (!/^\d+$/.test(threshold) || BigInt(threshold) > 18_446_744_073_709_551_615n) {
      return { ok: false, error: `Tier ${i + 1}: the threshold must be a whole number of tokens.` };
    }
    let price: bigint;
    try {
      price = parseUFix64(row.price);
    } catch {
      return { ok: false, error: `Tier ${i + 1}: the price must be a FLOW amount with at most 8 decimals.` };
    }
    tiers.push({ threshold: BigInt(threshold), pricePer1K: price });
  }
  try {
    validateTiers(tiers);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  return { ok: true, tiers };
}

/** The contract's pre-conditions on a family multiplier. */
export function checkMultiplier(family: string | null, multiplier: string): string | null {
  if (family !== null) {
    const bytes = new TextEncoder().encode(family);
    if (bytes.length < 1 || bytes.length > 31 || !/^[\x20-\x7e]+$/.test(family)) {
      return "UsageBasedSubscriptions: a family key is 1 to 31 ASCII bytes";
    }
  }
  let units: bigint;
  try {
    units = parseUFix64(multiplier);
  } catch {
    return "The multiplier must be a number with at most 8 decimals, like 1.5.";
  }
  return units > 0n ? null : "UsageBasedSubscriptions: a multiplier must be positive";
}
