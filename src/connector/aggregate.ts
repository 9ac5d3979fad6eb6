import { parseAlias } from "../litellm";
import { familyOfSpendRow, type PricingConfig } from "../pricing";
import { isValidFamily, requestsRoot, requestsRootOf, sortLines, validateLines, type LineRequests, type RequestLeaf, type UsageLine } from "../report";
import { UINT64_MAX } from "../report";

/**
 * Spend-log rows to report lines: per subscription (from the key alias ff-<id> / ff-<id>-r<n>)
 * and model family (`familyOfSpendRow`: the row's model_group, then its deployment model, against
 * the on-chain pricing; a model in no family is billed at the default multiplier, family "").
 * The hot loop touches each row once, keys sums by (model_group, model) and sums plain numbers;
 * families are resolved once per distinct pair and bigints appear only once per line at the end.
 * Each line also gets its requests (request ids and tokens, side by side) and their Merkle root
 * (requestsRootOf, src/report/requests.ts), hashed once per request in result().
 */

/** The fields of a LiteLLM spend-log row the aggregation reads. */
export type SpendRowFields = {
  request_id: string;
  api_key: string;
  model: string;
  model_group?: string | null;
  total_tokens: number;
  startTime: string;
  status?: string | null;
  metadata: { user_api_key_alias?: string | null };
};

export type AggregateResult = {
  lines: UsageLine[];
  /** The requests of each line (same index as `lines`), in the order they were read. */
  leaves: LineRequests[];
  requestIds: string[];
  /** Rows taken into the report. */
  rows: number;
  /** Of those, rows add() was told came from an earlier window (late usage). */
  late: number;
  /** Rows ignored: failed calls, keys that are not FlareFlow's, already reported. */
  ignored: { failed: number; foreign: number; alreadyReported: number };
};

const NOT_OURS = -1n;

/** One (alias, model_group, model)'s sums and requests. */
type Bucket = { tokens: number; requests: number; ids: string[]; tokensOf: number[] };
/** One alias's buckets by model_group and model, and its rows (late ones counted apart). */
type AliasEntry = { groups: Map<string, Map<string, Bucket>>; rows: number; late: number };

export class Aggregator {
  /** alias -> model_group -> model -> running sums. Strings only in the hot loop; parsing happens once per key in result(). */
  private readonly byAlias = new Map<string, AliasEntry>();
  private readonly seen = new Set<string>();
  private failed = 0;
  private resultTaken = false;
  private alreadyReported = 0;

  constructor(
    private readonly pricing: PricingConfig,
    /** Request ids reported in earlier windows (late usage goes into the first report after it shows). */
    private readonly reported: ReadonlySet<string> = new Set(),
  ) {}

  private static subscriptionOf(alias: string): bigint {
    const parsed = parseAlias(alias);
    return parsed && /^[0-9]{1,20}$/.test(parsed.subscriptionId) && BigInt(parsed.subscriptionId) <= UINT64_MAX ? BigInt(parsed.subscriptionId) : NOT_OURS;
  }

  private readonly families = new Map<string, Map<string, string>>();

  private familyOf(group: string, model: string): string {
    let byModel = this.families.get(group);
    if (byModel === undefined) {
      byModel = new Map();
      this.families.set(group, byModel);
    }
    let family = byModel.get(model);
    if (family === undefined) {
      const mapped = familyOfSpendRow(this.pricing, group, model) ?? "";
      family = isValidFamily(mapped) ? mapped : "";
      byModel.set(model, family);
    }
    return family;
  }

  private checkOpen(): void {
    if (this.resultTaken) throw new RangeError("rows added after the aggregator's result was taken");
  }

  /** The running sums of one (alias, model_group, model), made on first use. */
  private bucket(alias: string, group: string, model: string): { entry: AliasEntry; sum: Bucket } {
    let entry = this.byAlias.get(alias);
    if (entry === undefined) {
      entry = { groups: new Map(), rows: 0, late: 0 };
      this.byAlias.set(alias, entry);
    }
    let models = entry.groups.get(group);
    if (models === undefined) {
      models = new Map();
      entry.groups.set(group, models);
    }
    let sum = models.get(model);
    if (sum === undefined) {
      sum = { tokens: 0, requests: 0, ids: [], tokensOf: [] };
      models.set(model, sum);
    }
    return { entry, sum };
  }

  /**
   * Adds one row; returns whether it was taken (foreign keys are sorted out in result()).
   * `late`: the row belongs to an earlier window than the one being reported.
   */
  add(row: SpendRowFields, late = false): boolean {
    this.checkOpen();
    const id = row.request_id;
    if (this.seen.has(id) || this.reported.has(id)) {
      this.alreadyReported++;
      return false;
    }
    if (row.status === "failure") {
      this.failed++;
      return false;
    }
    const tokens = row.total_tokens;
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError(`spend-log row ${id}: total_tokens ${tokens} is not a token count`);
    const alias = row.metadata.user_api_key_alias ?? "";
    // model_group is the name the customer asked for; model is the deployment's own name.
    const group = row.model_group ?? "";
    const model = row.model;
    const { entry, sum } = this.bucket(alias, group, model);
    sum.tokens += tokens;
    sum.requests += 1;
    sum.ids.push(id);
    sum.tokensOf.push(tokens);
    entry.rows += 1;
    if (late) entry.late += 1;
    this.seen.add(id);
    return true;
  }

  /**
   * Adds one group of rows the database already summed (src/connector/spend-db.ts): rows of one
   * key alias, model_group and model that are not failed, not reported before, each counted once,
   * with `ids` their request ids and `tokensOf` each one's tokens (which only a key of ours needs:
   * they may be left out for an alias that cannot be ours). The result is what add() gives for
   * each of those rows.
   */
  addGroup(alias: string, group: string, model: string, sums: { tokens: number; requests: number; ids: readonly string[]; tokensOf: readonly number[] }): void {
    this.checkOpen();
    const { tokens, requests, ids, tokensOf } = sums;
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError(`key ${alias}: token sum ${tokens} is not a token count`);
    if (!Number.isSafeInteger(requests) || requests < 0) throw new RangeError(`key ${alias}: ${requests} is not a row count`);
    if (requests === 0) return;
    if (Aggregator.subscriptionOf(alias) !== NOT_OURS) {
      if (ids.length !== requests || tokensOf.length !== requests) throw new RangeError(`key ${alias}: ${ids.length} request ids and ${tokensOf.length} token counts for ${requests} rows`);
      let sum = 0;
      for (const t of tokensOf) {
        if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`key ${alias}: ${t} is not a token count`);
        sum += t;
      }
      if (sum !== tokens) throw new RangeError(`key ${alias}: requests' tokens add up to ${sum}, the group's sum is ${tokens}`);
    }
    const { entry, sum: bucket } = this.bucket(alias, group, model);
    bucket.tokens += tokens;
    bucket.requests += requests;
    entry.rows += requests;
    for (const id of ids) bucket.ids.push(id);
    for (const t of tokensOf) bucket.tokensOf.push(t);
  }

  /** Rows the database path left out without reading them, counted as add() would have. */
  addIgnored(counts: { failed?: number; alreadyReported?: number }): void {
    this.failed += counts.failed ?? 0;
    this.alreadyReported += counts.alreadyReported ?? 0;
  }

  /** The lines so far. The result shares the aggregator's arrays, so nothing may be added after it. */
  result(): AggregateResult {
    this.resultTaken = true;
    // A line's requests are its first bucket's arrays, copied only when a second bucket joins it
    // (most lines have one): no second copy of a window's million ids.
    const sums = new Map<string, { line: Omit<UsageLine, "requestsRoot">; requests: { ids: string[]; tokens: number[] }; copied: boolean }>();
    const requestIds: string[] = [];
    let foreign = 0;
    let late = 0;
    for (const [alias, entry] of this.byAlias) {
      const subscriptionId = Aggregator.subscriptionOf(alias);
      if (subscriptionId === NOT_OURS) {
        foreign += entry.rows;
        continue;
      }
      late += entry.late;
      for (const [group, models] of entry.groups) {
        for (const [model, s] of models) {
          for (const id of s.ids) requestIds.push(id);
          if (!Number.isSafeInteger(s.tokens)) throw new RangeError(`key ${alias}: token sum exceeds 2^53 in one window`);
          const family = this.familyOf(group, model);
          const key = `${subscriptionId}\u0000${family}`;
          const sum = sums.get(key);
          if (sum === undefined) {
            sums.set(key, { line: { subscriptionId, family, tokens: BigInt(s.tokens), requests: BigInt(s.requests) }, requests: { ids: s.ids, tokens: s.tokensOf }, copied: false });
            continue;
          }
          sum.line.tokens += BigInt(s.tokens);
          sum.line.requests += BigInt(s.requests);
          if (!sum.copied) {
            sum.requests = { ids: [...sum.requests.ids], tokens: [...sum.requests.tokens] };
            sum.copied = true;
          }
          for (let i = 0; i < s.ids.length; i++) {
            sum.requests.ids.push(s.ids[i]);
            sum.requests.tokens.push(s.tokensOf[i]);
          }
        }
      }
    }
    const withRequests = [...sums.values()].map((e) => ({ line: { ...e.line, requestsRoot: requestsRootOf(e.requests) }, requests: e.requests }));
    const byLine = new Map<UsageLine, LineRequests>(withRequests.map((e) => [e.line, e.requests]));
    const lines = sortLines(withRequests.map((e) => e.line));
    validateLines(lines);
    return {
      lines,
      leaves: lines.map((l) => byLine.get(l) ?? { ids: [], tokens: [] }),
      requestIds,
      rows: requestIds.length,
      late,
      ignored: { failed: this.failed, foreign, alreadyReported: this.alreadyReported },
    };
  }
}

/**
 * The obvious implementation, kept as the benchmark's baseline: materialize every row, parse
 * each alias and model afresh, sum in bigints under a JSON key.
 */
export function aggregateNaive(rows: readonly SpendRowFields[], pricing: PricingConfig): UsageLine[] {
  const groups: Record<string, { tokens: bigint; requests: bigint; leaves: RequestLeaf[] }> = {};
  const unique = [...new Map(rows.map((r) => [r.request_id, r])).values()].filter((r) => r.status !== "failure");
  for (const row of unique) {
    const parsed = parseAlias(row.metadata.user_api_key_alias ?? "");
    if (!parsed) continue;
    const family = familyOfSpendRow(pricing, row.model_group, row.model) ?? "";
    const key = JSON.stringify([parsed.subscriptionId, family]);
    const g = groups[key] ?? { tokens: 0n, requests: 0n, leaves: [] };
    g.tokens += BigInt(row.total_tokens);
    g.requests += 1n;
    g.leaves.push({ requestId: row.request_id, tokens: BigInt(row.total_tokens) });
    groups[key] = g;
  }
  return sortLines(
    Object.entries(groups).map(([key, g]) => {
      const [id, family] = JSON.parse(key) as [string, string];
      return { subscriptionId: BigInt(id), family, tokens: g.tokens, requests: g.requests, requestsRoot: requestsRoot(g.leaves) };
    }),
  );
}
