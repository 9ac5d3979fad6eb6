import { concat, Interface, toBeHex, toQuantity, zeroPadValue } from "ethers";
// The ABI from the compiler's artifact (named import: a bundler keeps only `abi`, not the bytecode).
import { abi } from "../../artifacts/solidity/contracts/UsageReportVerifier.sol/UsageReportVerifier.json";
import type { UsageReportVerifierInterface } from "../evm/typechain/solidity/contracts/UsageReportVerifier";
import type { Coston2BillSource, StoredReport, VerifiedLog } from "./sources";
import { fetchRead } from "../fetch-read";
import { FlareFlowError, messageOf } from "../errors";
import { pool } from "../pool";

/**
 * Coston2BillSource over an EVM JSON-RPC endpoint (Coston2's public RPC, or the local Hardhat
 * node): eth_call, eth_getLogs and block numbers as plain JSON-RPC over fetch, encoded and decoded
 * by the generated UsageReportVerifier interface (ethers' Interface over the compiler's ABI). No
 * provider object: the page ships this code, and a provider brings ENS and transaction signing
 * with it.
 *
 * reportOf(window) gives the digest and voting round the verifier stored (batched, 100 calls per
 * HTTP request); the UsageReportVerified log gives the transaction that stored them. Coston2's
 * public RPC answers eth_getLogs over at most 30 blocks ("requested too many blocks from X to Y,
 * maximum is set to 30"), so on a live network the logs are read in `maxLogBlocks` slices from the
 * block of the first window's start, several at a time; the local node takes one query.
 */

export type Coston2SourceOptions = {
  /** Largest eth_getLogs block range the RPC answers; undefined: no limit (one query). */
  maxLogBlocks?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** The first block to search for logs (e.g. the verifier's deployment block). */
  fromBlock?: number;
  onProgress?: (done: number, total: number) => void;
};

/** Windows per log query (one OR-list of window topics), and calls per JSON-RPC batch. */
const WINDOWS_PER_QUERY = 400;
const CALLS_PER_BATCH = 100;

type RpcLog = { topics: string[]; data: string; transactionHash: string; blockNumber: string };

export class Coston2SourceError extends FlareFlowError {
  override readonly name = "Coston2SourceError";
  override readonly docs = "README.md#verifiable-bills";
}

export function coston2BillSource(rpcUrl: string, verifierAddress: string, options: Coston2SourceOptions = {}): Coston2BillSource {
  const iface = new Interface(abi) as UsageReportVerifierInterface;
  // Fragments, topic and selector looked up once: ethers hashes a fragment's signature again each
  // time it is named or matched (parseLog hashes every event's), most of the Coston2 decoding cost
  // in the verifier's profile.
  const verified = iface.getEvent("UsageReportVerified");
  const topic0 = verified.topicHash;
  const reportOf = iface.getFunction("reportOf");
  const reportOfSelector = reportOf.selector;
  const coder = iface.getAbiCoder();
  const concurrency = options.concurrency ?? 8;
  let id = 0;

  async function batch(calls: readonly { method: string; params: unknown[] }[]): Promise<unknown[]> {
    const body = calls.map((c) => ({ jsonrpc: "2.0", id: ++id, method: c.method, params: c.params }));
    let answer: unknown;
    try {
      const response = await fetchRead(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      answer = await response.json();
    } catch (error) {
      // fetch's own message is only "fetch failed"; the reason (refused, reset, timed out) is its cause.
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw new Coston2SourceError(`the EVM RPC ${rpcUrl} did not answer (${messageOf(error)}${cause})`, { cause: error });
    }
    if (!Array.isArray(answer)) throw new Coston2SourceError(`the EVM RPC ${rpcUrl} answered a batch with ${JSON.stringify(answer).slice(0, 200)}`);
    const byId = new Map((answer as { id?: unknown; result?: unknown; error?: { message?: unknown } }[]).map((a) => [a.id, a]));
    return body.map((b) => {
      const a = byId.get(b.id);
      if (a === undefined || a.error !== undefined || !("result" in a)) throw new Coston2SourceError(`the EVM RPC refused ${b.method}: ${String(a?.error?.message ?? "no answer")}`);
      return a.result;
    });
  }
  const call = async (method: string, params: unknown[]): Promise<unknown> => (await batch([{ method, params }]))[0];
  const ethCall = (data: string) => ({ method: "eth_call", params: [{ to: verifierAddress, data }, "latest"] });

  function decodeVerified(log: RpcLog) {
    try {
      // decodeEventLog checks topic0 again (one hash per log, not one per event of the ABI).
      return iface.decodeEventLog(verified, log.data, log.topics);
    } catch (error) {
      throw new Coston2SourceError(`the EVM RPC returned a UsageReportVerified log that does not decode (tx ${log.transactionHash}): ${messageOf(error)}`, { cause: error });
    }
  }

  async function blockTime(n: number): Promise<number> {
    const block = (await call("eth_getBlockByNumber", [toQuantity(n), false])) as { timestamp?: string } | null;
    if (!block?.timestamp) throw new Coston2SourceError(`the EVM RPC has no block ${n}`);
    return Number(BigInt(block.timestamp));
  }

  async function blockAt(unixSeconds: number, latest: number): Promise<number> {
    let lo = options.fromBlock ?? 0;
    let hi = latest;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await blockTime(mid)) < unixSeconds) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    verifier: verifierAddress,

    async publisherBaseUrl() {
      const raw = (await call("eth_call", [{ to: verifierAddress, data: iface.encodeFunctionData("publisherBaseUrl") }, "latest"])) as string;
      return iface.decodeFunctionResult("publisherBaseUrl", raw)[0] as string;
    },

    async reports(windows) {
      const out = new Map<bigint, StoredReport>();
      const groups: bigint[][] = [];
      for (let i = 0; i < windows.length; i += CALLS_PER_BATCH) groups.push(windows.slice(i, i + CALLS_PER_BATCH) as bigint[]);
      await pool(groups, concurrency, async (group) => {
        const results = await batch(group.map((w) => ethCall(concat([reportOfSelector, coder.encode(reportOf.inputs, [w])]))));
        group.forEach((w, i) => {
          const [r] = (iface as Interface).decodeFunctionResult(reportOf, results[i] as string);
          out.set(w, { verified: r.verified as boolean, digest: (r.digest as string).toLowerCase(), votingRound: r.votingRound as bigint });
        });
      });
      return out;
    },

    async logs(windows, firstWindowStart) {
      const out = new Map<bigint, VerifiedLog>();
      if (windows.length === 0) return out;
      const latest = Number(BigInt((await call("eth_blockNumber", [])) as string));
      const from = options.maxLogBlocks === undefined || firstWindowStart === undefined ? (options.fromBlock ?? 0) : await blockAt(firstWindowStart, latest);
      const step = options.maxLogBlocks ?? latest - from + 1;
      const groups: bigint[][] = [];
      for (let i = 0; i < windows.length; i += WINDOWS_PER_QUERY) groups.push(windows.slice(i, i + WINDOWS_PER_QUERY) as bigint[]);
      const jobs: [bigint[], number, number][] = [];
      for (const g of groups) for (let b = from; b <= latest; b += step) jobs.push([g, b, Math.min(latest, b + step - 1)]);
      let done = 0;
      await pool(jobs, concurrency, async ([group, a, b]) => {
        const logs = (await call("eth_getLogs", [{ address: verifierAddress, fromBlock: toQuantity(a), toBlock: toQuantity(b), topics: [topic0, group.map((w) => zeroPadValue(toBeHex(w), 32))] }])) as RpcLog[];
        for (const log of logs) {
          if (!Array.isArray(log.topics) || log.topics[0] !== topic0) throw new Coston2SourceError(`the EVM RPC returned a log that is not UsageReportVerified (tx ${log.transactionHash})`);
          const args = decodeVerified(log);
          const window = args.window as bigint;
          out.set(window, {
            window,
            votingRound: args.votingRound as bigint,
            digest: (args.digest as string).toLowerCase(),
            transactionHash: log.transactionHash,
            blockNumber: Number(BigInt(log.blockNumber)),
          });
        }
        options.onProgress?.(++done, jobs.length);
      });
      return out;
    },
  };
}
