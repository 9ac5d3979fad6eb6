/**
 * The oracle quorum for emulator tests: registers the local oracle keys on FlareFDCTriggers'
 * verifier and settles usage lines the only way Flow allows, a quorum-signed report relayed
 * through FlareFDCTriggers (the same signing code and relay the connector uses). Tests that need
 * a subscription charged or suspended go through here: nothing else can bill.
 */
import { getAddress } from "ethers";
import { keyAuthorization, runScript, sendTransaction, type FlowContext } from "../../src/flow/runtime";
import { oracleGetConfig, triggersGetState } from "../../src/flow/generated/scripts";
import { oracleRegisterOracle, oracleSetSource, oracleSetThreshold, triggersSetWindowSeconds } from "../../src/flow/generated/transactions";
import { LOCAL_ORACLE_KEYS, LOCAL_ORACLE_PUBLIC_KEYS } from "../../src/config/local-oracles";
import { serviceSigner } from "../../src/local/accounts";
import { attestationFor, planChunks, signAttestation, signChunkedAttestation, sortLines, type UsageLine } from "../../src/report";
import { settleOnFlow } from "../../src/connector/flow";
import { MAX_LINES_PER_TRANSACTION } from "../../src/connector/config";

/** Any address: these tests settle without Coston2, so the oracles name a fixed verifier. */
export const TEST_VERIFIER = getAddress("0x00000000000000000000000000000000000f10f1");
export const TEST_CHAIN_ID = 31_337n;
const THRESHOLD = 2;
const MAX_LINES = MAX_LINES_PER_TRANSACTION;

/**
 * Registers the local oracles (threshold 2) and sets the window length; idempotent. Call before
 * the first settlement (the window length is fixed from then on).
 */
export async function enableSettlement(ctx: FlowContext, windowSeconds = 1): Promise<void> {
  const admin = keyAuthorization(serviceSigner());
  const config = await runScript(ctx, oracleGetConfig, {});
  const registered = new Set(Object.values((config.oracles ?? {}) as Record<string, string>).map((k) => k.toLowerCase()));
  for (const key of LOCAL_ORACLE_PUBLIC_KEYS) {
    if (!registered.has(key)) await sendTransaction(ctx, oracleRegisterOracle, { publicKey: key }, admin);
  }
  if (Number(config.threshold) !== THRESHOLD) await sendTransaction(ctx, oracleSetThreshold, { threshold: THRESHOLD }, admin);
  await sendTransaction(ctx, oracleSetSource, { coston2ChainId: TEST_CHAIN_ID, verifier: TEST_VERIFIER }, admin);
  const state = await runScript(ctx, triggersGetState, {});
  if (state.lastSettledWindow === null || state.lastSettledWindow === undefined) {
    await sendTransaction(ctx, triggersSetWindowSeconds, { seconds: windowSeconds }, admin);
  }
}

async function chainTime(ctx: FlowContext): Promise<bigint> {
  const res = await fetch(`${ctx.accessNode}/v1/blocks?height=sealed`);
  const [block] = (await res.json()) as Array<{ header: { timestamp: string } }>;
  return BigInt(Math.floor(Date.parse(block.header.timestamp) / 1000));
}

/**
 * Settles `lines` as the report of the next window that has ended (waiting for one if needed):
 * signed by two local oracles, relayed through FlareFDCTriggers (in chunks of 500 lines above
 * that). Returns the window and the lines in report order; `onTransaction` sees each transaction.
 */
export async function settleLines(
  ctx: FlowContext,
  lines: readonly UsageLine[],
  votingRound = 1n,
  onTransaction: (id: string) => void = () => {},
): Promise<{ window: bigint; sorted: UsageLine[] }> {
  const state = await runScript(ctx, triggersGetState, {});
  const seconds = BigInt(String(state.windowSeconds));
  const last = state.lastSettledWindow === null || state.lastSettledWindow === undefined ? -1n : BigInt(String(state.lastSettledWindow));
  let window = last + 1n;
  for (;;) {
    const now = await chainTime(ctx);
    const latestEnded = now / seconds - 1n;
    if (latestEnded >= window) {
      window = latestEnded;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const sorted = sortLines([...lines]);
  const attestation = attestationFor({ chainId: TEST_CHAIN_ID, verifier: TEST_VERIFIER }, window, sorted, votingRound);
  const oracles = LOCAL_ORACLE_KEYS.slice(0, THRESHOLD).map((key, i) => ({ key, id: BigInt(i + 1) }));
  const relayer = serviceSigner();
  if (sorted.length <= MAX_LINES) {
    const sigs = oracles.map((o) => signAttestation(o.key, o.id, attestation));
    await settleOnFlow(ctx, relayer, window, sorted, { kind: "single", votingRound, chunkCount: 1n, signers: sigs.map((s) => s.oracleId), signatures: sigs.map((s) => s.signature), digest: attestation.digest }, MAX_LINES, { onTransaction });
  } else {
    const plan = planChunks(window, sorted, MAX_LINES);
    const chunked = { ...attestation, chunkCount: plan.chunkCount, chunkChain: plan.chunkChain };
    const sigs = oracles.map((o) => signChunkedAttestation(o.key, o.id, chunked));
    await settleOnFlow(
      ctx,
      relayer,
      window,
      sorted,
      { kind: "chunked", votingRound, chunkCount: plan.chunkCount, chunkChain: plan.chunkChain, signers: sigs.map((s) => s.oracleId), signatures: sigs.map((s) => s.signature), digest: attestation.digest },
      MAX_LINES,
      { onTransaction },
    );
  }
  return { window, sorted };
}
