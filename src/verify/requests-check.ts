import type { UsageLine } from "../report";
import type { ClientLogEntry } from "./client-log";
import { leavesMatchRoot, type WindowLeaves } from "./leaves-doc";
import { quoteId } from "./quote";

/**
 * The customer's requests against the attested roots: the key service's leaves must hash to each
 * line's requestsRoot (so they are exactly what Flare attested and Flow billed), and must be
 * exactly the requests of the customer's client log, with the same tokens.
 */

export type RequestCheck = { requests: number; problems: string[] };

type WindowWithLines = { window: bigint; lines: UsageLine[] | undefined };

const familyName = (family: string): string => (family === "" ? "(default)" : family);

export function checkRequests(
  windows: readonly WindowWithLines[],
  leaves: readonly WindowLeaves[],
  log: ReadonlyMap<string, ClientLogEntry>,
  subscriptionId: bigint,
  range: { from: number; until: number },
): { byWindow: Map<bigint, RequestCheck>; problems: string[] } {
  const byWindow = new Map<bigint, RequestCheck>();
  const billed = new Map<string, bigint>();
  const problems: string[] = [];
  const leavesOf = new Map(leaves.map((l) => [BigInt(l.window), l]));
  const sub = subscriptionId.toString();
  for (const { window: w, lines } of windows) {
    const given = leavesOf.get(w)?.lines.filter((l) => l.subscriptionId === sub) ?? [];
    if (lines === undefined) {
      // The report itself failed (its problems are named): its requests cannot be checked, but
      // they are not "never billed" either.
      for (const g of given) for (const r of g.requests) billed.set(r.requestId, w);
      continue;
    }
    const check: RequestCheck = { requests: 0, problems: [] };
    byWindow.set(w, check);
    for (const line of lines.filter((l) => l.subscriptionId === subscriptionId)) {
      const where = `window ${w}, ${familyName(line.family)}`;
      const mine = given.find((g) => g.family === line.family);
      if (mine === undefined) {
        check.problems.push(`${where}: the key service gave none of the line's ${line.requests} requests`);
        continue;
      }
      if (mine.requestsRoot !== line.requestsRoot || !leavesMatchRoot(mine)) {
        check.problems.push(`${where}: the requests the key service gave do not hash to the attested root ${line.requestsRoot}`);
        continue;
      }
      const sum = mine.requests.reduce((n, r) => n + BigInt(r.tokens), 0n);
      if (BigInt(mine.requests.length) !== line.requests || sum !== line.tokens) {
        check.problems.push(`${where}: the attested root covers ${mine.requests.length} requests of ${sum} tokens, the line bills ${line.requests} requests of ${line.tokens}`);
      }
      for (const r of mine.requests) {
        check.requests++;
        const tokens = BigInt(r.tokens);
        const earlier = billed.get(r.requestId);
        if (earlier !== undefined) check.problems.push(`${where}: request ${quoteId(r.requestId)} was billed again (first in window ${earlier})`);
        billed.set(r.requestId, w);
        const entry = log.get(r.requestId);
        if (entry === undefined) check.problems.push(`request billed that your client log does not have: ${quoteId(r.requestId)} (${tokens} tokens) in ${where}`);
        else if (entry.totalTokens !== tokens) check.problems.push(`request billed with other tokens: ${quoteId(r.requestId)} billed ${tokens} tokens in ${where}; your client log (line ${entry.line}) says ${entry.totalTokens}`);
      }
    }
  }
  for (const entry of log.values()) {
    if (entry.created >= range.from && entry.created < range.until && !billed.has(entry.id)) {
      problems.push(`request in your client log that no checked window billed: ${quoteId(entry.id)} (line ${entry.line}, ${entry.totalTokens} tokens, created ${new Date(entry.created * 1000).toISOString()})`);
    }
  }
  return { byWindow, problems };
}
