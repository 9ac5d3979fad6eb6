/**
 * Whether an account can afford a transaction that spends FLOW and stores data. Flow holds back
 * FLOW for the bytes an account stores (1 FLOW per 100 MB, so 1e-8 FLOW per byte) and refuses a
 * transaction that would leave less; this says so before the wallet is asked to sign.
 */
import { formatFlow } from "../../src/pricing/units";
import type { AccountStorage } from "./services/flowClient";
import { bytesText } from "./format";

/** A margin for transaction fees (the emulator charges none; mainnet about 1e-5 FLOW). */
export const FEE_MARGIN_UNITS = 100_000n;
/** Units of 1e-8 FLOW held back per stored byte. */
const UNITS_PER_BYTE = 1n;

export interface StorageVerdict {
  ok: boolean;
  /** What the account has and needs, in words. */
  summary: string;
  /** What to do when it cannot pay; empty when ok. */
  advice: string;
  shortfall: bigint;
}

export function storageVerdict(storage: AccountStorage, spendUnits: bigint, extraBytes: bigint, address: string): StorageVerdict {
  const need = spendUnits + extraBytes * UNITS_PER_BYTE + FEE_MARGIN_UNITS;
  const held = storage.balance > storage.availableBalance ? storage.balance - storage.availableBalance : 0n;
  const facts =
    `Your account holds ${formatFlow(storage.balance)} FLOW; ${formatFlow(held)} FLOW of it is held for the ` +
    `${bytesText(storage.storageUsed)} it stores (room for ${bytesText(storage.storageCapacity)}), so ` +
    `${formatFlow(storage.availableBalance)} FLOW is free.`;
  if (storage.availableBalance >= need) {
    return { ok: true, summary: `${facts} This transaction needs about ${formatFlow(need)} FLOW: enough.`, advice: "", shortfall: 0n };
  }
  const shortfall = need - storage.availableBalance;
  return {
    ok: false,
    summary: `${facts} This transaction needs about ${formatFlow(need)} FLOW, including what its new data holds back: ${formatFlow(shortfall)} FLOW short.`,
    advice: `Send at least ${formatFlow(shortfall)} FLOW to ${address}${spendUnits > 0n ? ", or lower the amount" : ""}, then try again.`,
    shortfall,
  };
}
