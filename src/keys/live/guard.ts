/**
 * The part of the live limit LiteLLM holds by itself, between two polls: the key's `tpm_limit`.
 *
 * Polling alone cannot be tight: a spend row shows in LiteLLM's log only after its batch delay
 * (PROXY_BATCH_WRITE_AT), and a key can make many calls in that time. LiteLLM counts every key's
 * tokens per minute at once, in memory, and refuses a call (429) once the minute's count has reached
 * `tpm_limit`. Set to what the remaining room pays at the dearest price the key can be billed,
 * plus the logged tokens still counted in LiteLLM's window (already priced into the room, so they
 * must not count twice; pending.ts windowTokens), it stops the key near the end of its room even
 * before the spend rows show; the key service then blocks it outright (401) once they do. Calls
 * not logged yet are in LiteLLM's count and not in the room, so what the limit still lets through
 * is the room less those calls: never more than the room.
 *
 * Why tokens and not LiteLLM's `max_budget`: LiteLLM's budget is USD at the upstream model's
 * price, input and output priced apart; FlareFlow bills FLOW per total token by tier and family.
 * The ratio differs between models by more than 30x in the default catalogue, so a USD budget
 * that can never let the escrow be overspent refuses most of the room of an expensive model.
 */
import { familyOfSpendRow, multiplierFor, PRICE_DIVISOR, pricingAt, type PricingConfig, type PricingSchedule } from "../../pricing";

/** The dearest (tier price per 1K tokens, multiplier) any of `models` can be billed at by `pricing`. */
function dearest(pricing: PricingConfig, models: readonly string[]): bigint {
  const price = pricing.tiers.reduce((max, t) => (t.pricePer1K > max ? t.pricePer1K : max), 0n);
  const all = [pricing.defaultMultiplier, ...Object.values(pricing.familyMultipliers)];
  const maxAll = all.reduce((max, m) => (m > max ? m : max), 0n);
  let multiplier = 0n;
  if (models.length === 0) multiplier = maxAll;
  for (const model of models) {
    // A name the family rules do not know may be served by a deployment that maps to any family.
    const family = familyOfSpendRow(pricing, model, model);
    const m = family === undefined ? maxAll : multiplierFor(pricing, family);
    if (m > multiplier) multiplier = m;
  }
  return price * multiplier;
}

/**
 * Tokens that `room` (units of 1e-8 FLOW) pays for at worst: every token at the highest tier price
 * and the highest multiplier among the key's models, under every pricing version that can apply
 * to usage from the window running at `now` on (announced increases included).
 */
export function tokensRoomPays(room: bigint, schedule: PricingSchedule, models: readonly string[], now: bigint, windowUnits: bigint): bigint {
  if (room <= 0n) return 0n;
  const from = now > windowUnits ? now - windowUnits : 0n;
  const current = pricingAt(schedule, from);
  let worst = dearest(current, models);
  for (const version of schedule) {
    if ((version.effectiveFrom ?? 0n) > from) {
      const d = dearest(version, models);
      if (d > worst) worst = d;
    }
  }
  return worst === 0n ? 0n : (room * PRICE_DIVISOR) / worst;
}

/** LiteLLM keeps tpm_limit as an integer; a value past this reads as no practical limit. */
export const MAX_TPM_LIMIT = 2 ** 53 - 1;

/** The key's tpm_limit: what the room pays plus the logged tokens still in LiteLLM's minute. */
export function tpmLimitFor(roomTokens: bigint, loggedInWindow: number): number {
  const sum = roomTokens + BigInt(loggedInWindow);
  return sum > BigInt(MAX_TPM_LIMIT) ? MAX_TPM_LIMIT : Number(sum);
}
