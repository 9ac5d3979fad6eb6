/**
 * The bill verifier in the browser: the same code as `npm run verify-bill` (src/verify/bill.ts)
 * over the same public endpoints (the Flow access node, the EVM RPC of UsageReportVerifier, the
 * publisher whose base URL that contract pins). Loaded lazily, on the first "Show evidence".
 */
import type { PageConfig } from "../config";
import { billEvidence, verifyBill, type WindowEvidence, type WindowVerdict } from "../../../src/verify/bill";
import { coston2BillSource } from "../../../src/verify/coston2-source";
import { flowBillSource } from "../../../src/verify/flow-source";
import { httpPublisherSource } from "../../../src/verify/publisher-source";
import type { BillSources } from "../../../src/verify/sources";

export type { WindowEvidence, WindowVerdict };

export interface BillVerifier {
  /** The last `last` charged windows of the subscription, with their evidence. */
  evidence(subscriptionId: bigint, last: number): Promise<WindowEvidence[]>;
  /** Every check of one window, in this browser. */
  verify(subscriptionId: bigint, window: bigint): Promise<WindowVerdict | undefined>;
}

/** Where the EVM side is: the RPC and UsageReportVerifier (VITE_EVM_RPC_URL, VITE_VERIFIER_ADDRESS). */
export function evmEndpoints(env: Record<string, string | boolean | undefined>): { rpcUrl: string; verifier: string } | null {
  const rpcUrl = env.VITE_EVM_RPC_URL;
  const verifier = env.VITE_VERIFIER_ADDRESS;
  return typeof rpcUrl === "string" && rpcUrl !== "" && typeof verifier === "string" && /^0x[0-9a-fA-F]{40}$/.test(verifier) ? { rpcUrl, verifier } : null;
}

export function createBillVerifier(config: PageConfig, evm: { rpcUrl: string; verifier: string }): BillVerifier {
  const sources = (): BillSources => ({
    flow: flowBillSource({ accessNode: config.accessNode, addresses: config.addresses }),
    coston2: coston2BillSource(evm.rpcUrl, evm.verifier, config.network === "emulator" ? {} : { maxLogBlocks: 30 }),
    publisher: httpPublisherSource(),
  });
  return {
    evidence: (subscriptionId, last) => billEvidence(sources(), { subscriptionId, last }),
    verify: async (subscriptionId, window) => (await verifyBill(sources(), { subscriptionId, only: [window] })).windows[0],
  };
}
