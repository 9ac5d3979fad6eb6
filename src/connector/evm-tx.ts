import { Transaction, type TransactionReceipt, type TransactionRequest, type Wallet } from "ethers";
import { ConnectorError, messageOf } from "./errors";
import type { PendingTx } from "./state";

/**
 * Exactly-once EVM transactions across crashes. The transaction is signed and its raw bytes are
 * persisted (by `record`) before the first broadcast. After a restart the same bytes are
 * broadcast again: same nonce, same hash, so the chain executes it at most once, and the
 * receipt is found by its hash whether the first broadcast got through or not.
 */

export type SendOnceHooks = {
  /** Persists the signed transaction; must be durable when it returns. */
  record(tx: PendingTx): void;
  /** Called between persisting and broadcasting (fault injection). */
  afterRecord?: () => void;
  /** Called after broadcast, before the receipt is awaited (fault injection). */
  afterBroadcast?: () => void;
};

async function broadcast(wallet: Wallet, raw: string): Promise<void> {
  const provider = wallet.provider;
  if (!provider) throw new ConnectorError("crash", "wallet has no provider");
  try {
    await provider.broadcastTransaction(raw);
  } catch (error) {
    // Already in the pool or already mined: both fine, the receipt tells which.
    const text = messageOf(error).toLowerCase();
    if (text.includes("already known") || text.includes("nonce too low") || text.includes("nonce has already been used") || text.includes("known transaction")) return;
    throw error;
  }
}

async function receiptOf(wallet: Wallet, hash: string, timeoutMs: number): Promise<TransactionReceipt> {
  const provider = wallet.provider;
  if (!provider) throw new ConnectorError("crash", "wallet has no provider");
  const receipt = await provider.waitForTransaction(hash, 1, timeoutMs);
  if (!receipt) throw new ConnectorError("unreachable", `transaction ${hash} not mined within ${timeoutMs / 1000} s`);
  return receipt;
}

/** Sends `request` once (or resumes `pending`), returning the mined receipt. Reverts throw. */
export async function sendOnce(
  wallet: Wallet,
  pending: PendingTx | undefined,
  request: () => Promise<TransactionRequest>,
  hooks: SendOnceHooks,
  timeoutMs = 180_000,
): Promise<TransactionReceipt> {
  let tx = pending;
  if (tx === undefined) {
    const populated = await wallet.populateTransaction(await request());
    const raw = await wallet.signTransaction(populated);
    tx = { hash: Transaction.from(raw).hash ?? "", raw };
    hooks.record(tx);
    hooks.afterRecord?.();
  } else {
    const known = await wallet.provider?.getTransactionReceipt(tx.hash);
    if (known) return checkStatus(known);
  }
  await broadcast(wallet, tx.raw);
  hooks.afterBroadcast?.();
  return checkStatus(await receiptOf(wallet, tx.hash, timeoutMs));
}

function checkStatus(receipt: TransactionReceipt): TransactionReceipt {
  if (receipt.status !== 1) throw new ConnectorError("rejected", `transaction ${receipt.hash} reverted`);
  return receipt;
}
