import { JsonRpcProvider, toBeHex, zeroPadValue, type Log } from "ethers";
import { UsageReportVerifier__factory } from "../evm/typechain";
import type { Coston2BillSource, StoredReport, VerifiedLog } from "./sources";

/**
 * Coston2BillSource over an EVM JSON-RPC endpoint (Coston2's public RPC, or the local Hardhat
 * node), through the generated UsageReportVerifier bindings.
 *
 * reportOf(window) gives the digest and voting round the verifier stored; the
 * UsageReportVerified log gives the transaction that stored them. Coston2's public RPC answers
 * eth_getLogs over at most 30 blocks ("requested too many blocks from X to Y, maximum is set to
 * 30"), so on a live network the logs are read in `maxLogBlocks` slices over the blocks between
 * the first window's start and now, several slices at a time; the local node takes one query.
 */

export type Coston2SourceOptions = {
  /** Largest eth_getLogs block range the RPC answers; undefined: no limit (one query). */
  maxLogBlocks?: number;
  /** eth_getLogs queries in flight at once. */
  concurrency?: number;
  /** The first block to search for logs (e.g. the verifier's deployment block). */
  fromBlock?: number;
  onProgress?: (done: number, total: number) => void;
};

/** Windows per log query (one OR-list of window topics). */
const WINDOWS_PER_QUERY = 400;

export function coston2BillSource(rpcUrl: string, verifierAddress: string, options: Coston2SourceOptions = {}): Coston2BillSource {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { batchMaxCount: 100, cacheTimeout: -1 });
  const verifier = UsageReportVerifier__factory.connect(verifierAddress, provider);
  const iface = UsageReportVerifier__factory.createInterface();
  const topic0 = iface.getEvent("UsageReportVerified").topicHash;
  const concurrency = options.concurrency ?? 8;

  const parse = (log: Log): VerifiedLog => {
    const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) throw new Error(`Coston2 returned a log that is not UsageReportVerified (tx ${log.transactionHash})`);
    return {
      window: parsed.args.window as bigint,
      votingRound: parsed.args.votingRound as bigint,
      digest: (parsed.args.digest as string).toLowerCase(),
      transactionHash: log.transactionHash,
      blockNumber: log.blockNumber,
    };
  };

  async function blockAt(unixSeconds: number, latest: number): Promise<number> {
    let lo = options.fromBlock ?? 0;
    let hi = latest;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const block = await provider.getBlock(mid);
      if (block === null) throw new Error(`Coston2 has no block ${mid}`);
      if (block.timestamp < unixSeconds) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    verifier: verifierAddress,

    publisherBaseUrl: () => verifier.publisherBaseUrl(),

    async reports(windows) {
      const out = new Map<bigint, StoredReport>();
      // Each call is a JSON-RPC request; the provider batches them (100 per HTTP request).
      await Promise.all(
        windows.map(async (w) => {
          const r = await verifier.reportOf(w);
          out.set(w, { verified: r.verified, digest: r.digest.toLowerCase(), votingRound: r.votingRound });
        }),
      );
      return out;
    },

    async logs(windows, firstWindowStart?: number) {
      const out = new Map<bigint, VerifiedLog>();
      if (windows.length === 0) return out;
      const latest = await provider.getBlockNumber();
      const groups: bigint[][] = [];
      for (let i = 0; i < windows.length; i += WINDOWS_PER_QUERY) groups.push(windows.slice(i, i + WINDOWS_PER_QUERY) as bigint[]);
      const from = options.maxLogBlocks === undefined || firstWindowStart === undefined ? (options.fromBlock ?? 0) : await blockAt(firstWindowStart, latest);
      const step = options.maxLogBlocks ?? latest - from + 1;
      const slices: [number, number][] = [];
      for (let b = from; b <= latest; b += step) slices.push([b, Math.min(latest, b + step - 1)]);
      const jobs = groups.flatMap((g) => slices.map((s) => [g, s] as const));
      let done = 0;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length) {
          const [group, [a, b]] = jobs[next++];
          const logs = await provider.getLogs({ address: verifierAddress, fromBlock: a, toBlock: b, topics: [topic0, group.map((w) => zeroPadValue(toBeHex(w), 32))] });
          for (const log of logs) {
            const v = parse(log);
            out.set(v.window, v);
          }
          options.onProgress?.(++done, jobs.length);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
      return out;
    },
  };
}
