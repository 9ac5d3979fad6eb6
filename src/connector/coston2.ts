import type { Wallet } from "ethers";
import type { Web2JsonProof } from "../fdc";
import { ConnectorError } from "./errors";
import type { FlareContracts } from "./flare-contracts";
import { sendOnce, type SendOnceHooks } from "./evm-tx";
import type { PendingTx } from "./state";

/**
 * Stage 5: the proof goes to UsageReportVerifier, which verifies it through Flare's
 * FdcVerification and stores the digest. A window the verifier already holds (a crash after
 * the transaction) is read back instead of submitted again.
 */

export type StoredReport = { verified: boolean; digest: string; votingRound: bigint };

export async function storedReport(contracts: FlareContracts, window: bigint): Promise<StoredReport> {
  const r = await contracts.verifier.reportOf(window);
  return { verified: r.verified, digest: r.digest, votingRound: r.votingRound };
}

export async function submitProof(
  contracts: FlareContracts,
  wallet: Wallet,
  window: bigint,
  digest: string,
  proof: Web2JsonProof,
  pending: PendingTx | undefined,
  hooks: SendOnceHooks,
): Promise<{ txHash?: string; foundOnChain: boolean }> {
  const before = await storedReport(contracts, window);
  if (before.verified) {
    if (before.digest !== digest) {
      throw new ConnectorError("integrity", `UsageReportVerifier holds digest ${before.digest} for window ${window}, not ours ${digest}: stop and investigate`);
    }
    return { txHash: pending?.hash, foundOnChain: true };
  }
  const verifier = contracts.verifier.connect(wallet);
  const receipt = await sendOnce(wallet, pending, () => verifier.submit.populateTransaction(proof), hooks);
  const after = await storedReport(contracts, window);
  if (!after.verified || after.digest !== digest) throw new ConnectorError("integrity", `window ${window}: submit mined (${receipt.hash}) but the verifier does not hold our digest`);
  return { txHash: receipt.hash, foundOnChain: false };
}
