import { BenchError } from "./errors";
/**
 * Where a Flow transaction's computation goes, by kind: the emulator's computation report
 * (`--computation-reporting`) counts each kind's intensity; computation is the sum of intensity ×
 * weight / 2^16 (FLIP 753, "the internal precision of the execution effort meter is 2^16").
 *
 * The weights are mainnet's as the pinned emulator applies them: flow-go's
 * fvm/environment/meter.go `MainnetExecutionEffortWeights` (flow-go v0.45.0-experimental-cadence-
 * v1.8.7.0.20260109014156-2abea7b5732a, the version tools/flow-toolchain/go.mod pins; the
 * emulator falls back to them, flow-emulator v1.15.3 emulator/blockchain.go). Kinds not listed
 * weigh nothing. `breakdown` checks the weighted sum against the computation the emulator
 * reported, so a toolchain with other weights fails loudly instead of printing wrong shares.
 */
const WEIGHTS: Readonly<Record<string, number>> = {
  CreateAccount: 2143437,
  BLSVerifyPOP: 1538600,
  GetAccountBalance: 485476,
  BLSAggregatePublicKeys: 402728,
  GetStorageCapacity: 397087,
  GetAccountAvailableBalance: 375235,
  UpdateAccountContractCode: 369407,
  BLSAggregateSignatures: 325309,
  GenerateAccountLocalID: 75507,
  GetAccountContractNames: 32771,
  GetStorageUsed: 25416,
  AccountKeysCount: 24709,
  AllocateSlabIndex: 15372,
  AtreeMapGet: 8837,
  AtreeMapRemove: 7373,
  CreateArrayValue: 4364,
  CreateDictionaryValue: 3818,
  AtreeMapSet: 3656,
  AtreeArrayInsert: 3652,
  AtreeMapReadIteration: 3325,
  EncodeEvent: 2911,
  TransferCompositeValue: 2358,
  AtreeArrayAppend: 1907,
  Statement: 1770,
  AtreeArraySet: 1737,
  FunctionInvocation: 1399,
  AtreeMapPopIteration: 1210,
  AtreeArrayPopIteration: 736,
  RLPDecoding: 516,
  GraphemesIteration: 278,
  UfixParse: 257,
  FixParse: 223,
  Loop: 179,
  AtreeArrayBatchConstruction: 177,
  TransferDictionaryValue: 125,
  BigIntParse: 69,
  TransferArrayValue: 48,
  SetValue: 48,
  UintParse: 31,
  IntParse: 28,
  GetValue: 23,
  StringToLower: 5,
  EVMGasUsage: 3,
};

/** One transaction's entry in the emulator's /emulator/computationReport. */
export interface ComputationReportEntry {
  computation: number;
  intensities: Record<string, number>;
}

/** Computation by kind (weighted), largest first; throws if the weights do not add up to `computation`. */
export function breakdown(entry: ComputationReportEntry): { kind: string; computation: number }[] {
  const parts = Object.entries(entry.intensities)
    .map(([kind, intensity]) => ({ kind, computation: (intensity * (WEIGHTS[kind] ?? 0)) / 65536 }))
    .filter((p) => p.computation > 0)
    .sort((a, b) => b.computation - a.computation);
  const total = parts.reduce((n, p) => n + p.computation, 0);
  // The meter rounds once per transaction; anything beyond that means other weights.
  if (Math.abs(total - entry.computation) > 1) {
    throw new BenchError(`the weighted kinds add up to ${total.toFixed(1)}, the emulator reported ${entry.computation}: its weights are not flow-go's mainnet weights of scripts/flow-effort-weights.ts`);
  }
  return parts;
}

/** Reads one transaction's entry from an emulator started with computation reporting. */
export async function computationReport(adminUrl: string, txId: string): Promise<ComputationReportEntry> {
  const res = await fetch(`${adminUrl}/emulator/computationReport`);
  if (!res.ok) throw new BenchError(`computation report: HTTP ${res.status} (is the emulator started with --computation-reporting?)`);
  const doc = (await res.json()) as { transactions?: Record<string, ComputationReportEntry> };
  const entry = doc.transactions?.[txId.replace(/^0x/, "")] ?? doc.transactions?.[txId];
  if (!entry) throw new BenchError(`computation report: no entry for transaction ${txId}`);
  return entry;
}
