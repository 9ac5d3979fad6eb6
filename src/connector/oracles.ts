import { SigningKey } from "ethers";
import {
  attestationFor,
  oraclePublicKey,
  planChunks,
  signAttestation,
  signChunkedAttestation,
  type OracleSignature,
} from "../report";
import { runScript, type FlowContext } from "../flow/runtime";
import { oracleGetConfig } from "../flow/generated/scripts";
import type { UsageReportVerifier } from "../evm/typechain";
import { ConnectorError, messageOf } from "./errors";
import { parseReportDocument } from "./report-doc";

/**
 * Stage 6: oracle signatures. Each oracle works from public facts only: it fetches the published
 * report, recomputes the digest from its lines, reads the digest and voting round Coston2
 * stored for the window, and signs only if they agree. (Here the oracles run in the connector's
 * process with their own keys; each could as well be its own service with its own RPC node.)
 */

export type OracleIdentity = { id: bigint; key: SigningKey };

/** Finds each key's oracle id in FlareOracleVerifier; a key that is not registered is an error. */
export async function resolveOracles(flow: FlowContext, privateKeys: readonly string[]): Promise<{ oracles: OracleIdentity[]; threshold: number }> {
  const config = await runScript(flow, oracleGetConfig, {});
  const registered = config.oracles;
  if (typeof registered !== "object" || registered === null) throw new ConnectorError("integrity", "FlareOracleVerifier.getOracles returned no dictionary");
  const byKey = new Map<string, bigint>();
  for (const [id, key] of Object.entries(registered as Record<string, unknown>)) {
    if (typeof key === "string") byKey.set(key.toLowerCase().replace(/^0x/, ""), BigInt(id));
  }
  const oracles = privateKeys.map((k, i) => {
    const key = new SigningKey(k);
    const id = byKey.get(oraclePublicKey(key).toLowerCase());
    if (id === undefined) throw new ConnectorError("config", `oracle key #${i} (public key ${oraclePublicKey(key).slice(0, 16)}…) is not registered in FlareOracleVerifier: register it with the oracle/register_oracle transaction`);
    return { id, key };
  });
  const threshold = Number(config.threshold);
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new ConnectorError("config", "FlareOracleVerifier has no threshold set");
  if (oracles.length < threshold) throw new ConnectorError("config", `${oracles.length} oracle key(s) configured, the threshold is ${threshold}`);
  return { oracles, threshold };
}

export type SignedReport = {
  kind: "single" | "chunked";
  votingRound: bigint;
  chunkCount: bigint;
  chunkChain?: string;
  signatures: OracleSignature[];
};

async function fetchReport(url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new ConnectorError("unreachable", `oracle: report ${url} is unreachable: ${messageOf(error)}`, { cause: error });
  }
  if (res.status !== 200) throw new ConnectorError("unreachable", `oracle: report ${url}: HTTP ${res.status}`);
  return res.json() as Promise<unknown>;
}

/** One oracle's check and signature. Throws (signs nothing) if Coston2 disagrees with the report. */
export async function oracleSign(
  oracle: OracleIdentity,
  source: { chainId: bigint; verifier: UsageReportVerifier; verifierAddress: string },
  reportUrl: string,
  window: bigint,
  maxLinesPerTransaction: number,
): Promise<{ signature: OracleSignature; kind: "single" | "chunked"; votingRound: bigint; chunkCount: bigint; chunkChain?: string }> {
  const { lines, summary } = parseReportDocument(await fetchReport(reportUrl));
  if (summary.window !== window) throw new ConnectorError("integrity", `oracle ${oracle.id}: ${reportUrl} is the report of window ${summary.window}`);
  const stored = await source.verifier.reportOf(window);
  if (!stored.verified) throw new ConnectorError("integrity", `oracle ${oracle.id}: Coston2 has not verified window ${window}; refusing to sign`);
  if (stored.digest !== summary.digest) throw new ConnectorError("integrity", `oracle ${oracle.id}: Coston2 digest ${stored.digest} differs from the report's ${summary.digest}; refusing to sign`);
  const attestation = attestationFor({ chainId: source.chainId, verifier: source.verifierAddress }, window, lines, stored.votingRound);
  if (lines.length <= maxLinesPerTransaction) {
    return { signature: signAttestation(oracle.key, oracle.id, attestation), kind: "single", votingRound: stored.votingRound, chunkCount: 1n };
  }
  const plan = planChunks(window, lines, maxLinesPerTransaction);
  const chunked = { ...attestation, chunkCount: plan.chunkCount, chunkChain: plan.chunkChain };
  return { signature: signChunkedAttestation(oracle.key, oracle.id, chunked), kind: "chunked", votingRound: stored.votingRound, chunkCount: plan.chunkCount, chunkChain: plan.chunkChain };
}

/** Collects signatures until the threshold is met. */
export async function collectSignatures(
  oracles: readonly OracleIdentity[],
  threshold: number,
  source: { chainId: bigint; verifier: UsageReportVerifier; verifierAddress: string },
  reportUrl: string,
  window: bigint,
  maxLinesPerTransaction: number,
): Promise<SignedReport> {
  const signatures: OracleSignature[] = [];
  let shape: Omit<SignedReport, "signatures"> | undefined;
  const failures: string[] = [];
  for (const oracle of oracles) {
    if (signatures.length >= threshold) break;
    try {
      const signed = await oracleSign(oracle, source, reportUrl, window, maxLinesPerTransaction);
      shape = { kind: signed.kind, votingRound: signed.votingRound, chunkCount: signed.chunkCount, chunkChain: signed.chunkChain };
      signatures.push(signed.signature);
    } catch (error) {
      failures.push(messageOf(error));
    }
  }
  if (!shape || signatures.length < threshold) {
    throw new ConnectorError("integrity", `window ${window}: ${signatures.length} of ${threshold} oracle signatures: ${failures.join("; ")}`);
  }
  return { ...shape, signatures };
}
