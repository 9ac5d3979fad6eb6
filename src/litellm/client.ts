/**
 * Typed client for the LiteLLM admin API (the endpoints FlareFlow uses).
 *
 * Every key argument accepts a raw `sk-` key or its sha256 hash; the client
 * always sends the hash, so raw keys never appear in URLs or request logs of
 * anything between here and LiteLLM.
 */
import { resolveClientConfig, type LiteLLMClientOptions } from "./config";
import { ceilToSecond, floorToSecond, formatLiteLLMDate } from "./dates";
import { LiteLLMError } from "./errors";
import { hashKey, newRawKey, toKeyHash } from "./hash";
import {
  parseDeleteKeysResponse,
  parseGenerateKeyResponse,
  parseKeyInfoResponse,
  parseKeyListAnswer,
  parseUpdateKeyResponse,
} from "./parse";
import { parseKeyInfo, parseSpendLogsPage } from "./parse";
import { Transport } from "./transport";
import type {
  DeleteKeysRequest,
  DeleteKeysResponse,
  GenerateKeyRequest,
  GenerateKeyResponse,
  KeyInfo,
  KeyListPage,
  KeyUsage,
  ListKeysParams,
  SpendLogRow,
  SpendLogsPage,
  SpendLogsParams,
  UpdateKeyRequest,
} from "./types";
import { aggregateUsage } from "./usage";
import { ShapeError } from "./validate";

/** /key/list pages: LiteLLM caps `size` at 100. */
const MAX_PAGE_SIZE = 100;
/** /spend/logs/v2 pages: LiteLLM 1.110.2 takes `page_size` up to 1,000 (`ui_view_spend_logs`, le=1000); 100 unless asked. */
const MAX_SPEND_PAGE_SIZE = 1000;
const DEFAULT_SPEND_PAGE_SIZE = 100;
/** Pages fetched by an iteration before it gives up: a guard against a server that never ends. */
const MAX_PAGES = 100_000;

export class LiteLLMAdminClient {
  private readonly transport: Transport;
  /** For the logger of whoever holds this client to scrub; sent nowhere but to LiteLLM. */
  readonly masterKey: string;

  constructor(options: LiteLLMClientOptions = {}) {
    const cfg = resolveClientConfig(options);
    this.transport = new Transport(cfg);
    this.masterKey = cfg.masterKey;
  }

  private async call<T>(spec: Parameters<Transport["request"]>[0], parse: (b: unknown) => T): Promise<T> {
    const body = await this.transport.request(spec);
    try {
      return parse(body);
    } catch (e) {
      if (e instanceof ShapeError) {
        throw new LiteLLMError(`LiteLLM ${spec.path} returned a malformed body: ${e.message}`, {
          kind: "invalid_response",
          status: 200,
          endpoint: spec.path,
          cause: e,
        });
      }
      throw e;
    }
  }

  /**
   * POST /key/generate. The raw key is chosen here (unless given) and sent as
   * `key`, which makes the call safe to retry: when LiteLLM refuses the alias
   * because an earlier attempt already created it, the client checks that the
   * existing key is ours (same hash, same alias) and returns it as created.
   */
  async generateKey(request: GenerateKeyRequest): Promise<GenerateKeyResponse> {
    const rawKey = request.key ?? newRawKey();
    if (!rawKey.startsWith("sk-")) {
      throw new LiteLLMError("a LiteLLM virtual key must start with sk-", { kind: "config" });
    }
    const token = hashKey(rawKey);
    try {
      const res = await this.call({ method: "POST", path: "/key/generate", body: { ...request, key: rawKey } }, parseGenerateKeyResponse);
      if (res.key !== rawKey || res.token !== token) {
        throw new LiteLLMError("LiteLLM /key/generate returned a key or token other than the one requested", {
          kind: "invalid_response",
          status: 200,
          endpoint: "/key/generate",
        });
      }
      return res;
    } catch (e) {
      if (!(e instanceof LiteLLMError) || e.kind !== "http" || e.status !== 400) throw e;
      const existing = await this.keyInfoOrNull(token);
      if (existing === null || existing.key_alias !== request.key_alias) throw e;
      return {
        key: rawKey,
        token,
        key_alias: existing.key_alias,
        key_name: existing.key_name,
        expires: existing.expires,
        models: existing.models,
        max_budget: existing.max_budget,
        budget_duration: existing.budget_duration,
        metadata: existing.metadata,
      };
    }
  }

  /**
   * POST /key/update. LiteLLM answers `{key, ...the updated key row}` (key_management_endpoints.py
   * `update_key_fn`); the row is checked and returned.
   */
  async updateKey(request: UpdateKeyRequest): Promise<KeyInfo> {
    return this.call(
      { method: "POST", path: "/key/update", body: { ...request, key: toKeyHash(request.key) } },
      parseUpdateKeyResponse,
    );
  }

  /** POST /key/delete by keys (raw or hashed) or by aliases. */
  async deleteKeys(request: DeleteKeysRequest): Promise<DeleteKeysResponse> {
    const body = "keys" in request ? { keys: request.keys.map(toKeyHash) } : { key_aliases: [...request.key_aliases] };
    return this.call({ method: "POST", path: "/key/delete", body }, parseDeleteKeysResponse);
  }

  /** POST /key/block: the key stops working at once; returns the stored row. */
  async blockKey(apiKeyOrHash: string): Promise<KeyInfo> {
    return this.call({ method: "POST", path: "/key/block", body: { key: toKeyHash(apiKeyOrHash) } }, (b) => parseKeyInfo(b, ""));
  }

  async unblockKey(apiKeyOrHash: string): Promise<KeyInfo> {
    return this.call({ method: "POST", path: "/key/unblock", body: { key: toKeyHash(apiKeyOrHash) } }, (b) => parseKeyInfo(b, ""));
  }

  /** GET /key/info. Throws a 404 LiteLLMError for an unknown (or deleted) key. */
  async keyInfo(apiKeyOrHash: string): Promise<KeyInfo> {
    const res = await this.call({ method: "GET", path: "/key/info", query: { key: toKeyHash(apiKeyOrHash) } }, parseKeyInfoResponse);
    return res.info;
  }

  async keyInfoOrNull(apiKeyOrHash: string): Promise<KeyInfo | null> {
    try {
      return await this.keyInfo(apiKeyOrHash);
    } catch (e) {
      if (e instanceof LiteLLMError && e.status === 404) return null;
      throw e;
    }
  }

  /**
   * GET /key/list, one page, asking for full objects. A proxy that answers key hashes instead
   * (the default form, or a release that ignores `return_full_object`) is read too: each hash is
   * completed from /key/info, so callers always get key rows.
   */
  async listKeys(params: ListKeysParams = {}): Promise<KeyListPage> {
    const size = Math.min(MAX_PAGE_SIZE, Math.max(1, params.size ?? MAX_PAGE_SIZE));
    const page = await this.call(
      {
        method: "GET",
        path: "/key/list",
        query: {
          page: Math.max(1, params.page ?? 1),
          size,
          key_alias: params.key_alias,
          key_hash: params.key_hash,
          return_full_object: true,
        },
      },
      parseKeyListAnswer,
    );
    const keys: KeyInfo[] = [];
    for (const entry of page.entries) {
      if (entry.kind === "full") {
        keys.push(entry.info);
        continue;
      }
      // A key deleted between the list and this lookup is simply no longer listed.
      const info = await this.keyInfoOrNull(entry.token);
      if (info !== null) keys.push({ ...info, token: entry.token });
    }
    return { keys, total_count: page.total_count, current_page: page.current_page, total_pages: page.total_pages };
  }

  /** Every key matching `params`, across all pages. */
  async *iterateKeys(params: Omit<ListKeysParams, "page"> = {}): AsyncGenerator<KeyInfo> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await this.listKeys({ ...params, page });
      yield* res.keys;
      if (page >= res.total_pages || res.keys.length === 0) return;
    }
  }

  /** The key carrying `alias`, or null. Aliases are unique in LiteLLM. */
  async findKeyByAlias(alias: string): Promise<KeyInfo | null> {
    const res = await this.listKeys({ key_alias: alias, size: 2 });
    return res.keys.find((k) => k.key_alias === alias) ?? null;
  }

  /** GET /spend/logs/v2, one page. Bounds are widened to whole seconds (LiteLLM's precision). */
  async spendLogs(params: SpendLogsParams): Promise<SpendLogsPage> {
    return this.call(
      {
        method: "GET",
        path: "/spend/logs/v2",
        query: {
          start_date: formatLiteLLMDate(floorToSecond(params.startDate)),
          end_date: formatLiteLLMDate(ceilToSecond(params.endDate)),
          api_key: params.apiKey === undefined ? undefined : toKeyHash(params.apiKey),
          model: params.model,
          request_id: params.requestId,
          page: Math.max(1, params.page ?? 1),
          page_size: Math.min(MAX_SPEND_PAGE_SIZE, Math.max(1, params.pageSize ?? DEFAULT_SPEND_PAGE_SIZE)),
        },
      },
      parseSpendLogsPage,
    );
  }

  /**
   * Every spend-log row with startDate <= startTime <= endDate, newest first, each request once.
   * Pages are read until one comes back empty, never up to `total_pages`: LiteLLM caps the total
   * it reports at 10,000 rows (`total_is_capped`), so a busy window has more pages than it says.
   * Rows written while paging can shift page boundaries, so rows are de-duplicated by
   * request_id; read closed windows (end + LiteLLM's batch-write delay in the past) to be sure
   * none is missed.
   */
  async *iterateSpendLogs(params: Omit<SpendLogsParams, "page"> & { onPage?: (page: SpendLogsPage) => void }): AsyncGenerator<SpendLogRow> {
    const seen = new Set<string>();
    const lo = params.startDate.getTime();
    const hi = params.endDate.getTime();
    const { onPage, ...query } = params;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await this.spendLogs({ ...query, page });
      onPage?.(res);
      if (res.data.length === 0) return;
      for (const row of res.data) {
        const t = Date.parse(row.startTime);
        if (t < lo || t > hi || seen.has(row.request_id)) continue;
        seen.add(row.request_id);
        yield row;
      }
    }
    throw new LiteLLMError(`LiteLLM /spend/logs/v2 still had rows after ${MAX_PAGES} pages`, { kind: "invalid_response", status: 200, endpoint: "/spend/logs/v2" });
  }

  /** The seed's getKeyUsage: usage of one key (raw or hashed) from its spend logs. Default window: the last 30 days. */
  async getKeyUsage(apiKeyOrHash: string, startDate?: Date, endDate?: Date): Promise<KeyUsage> {
    return this.getUsageForKeys([apiKeyOrHash], startDate, endDate);
  }

  /** Usage over several keys, e.g. all generations of one subscription's rotated key. */
  async getUsageForKeys(apiKeysOrHashes: readonly string[], startDate?: Date, endDate?: Date): Promise<KeyUsage> {
    const end = endDate ?? new Date();
    const start = startDate ?? new Date(end.getTime() - 30 * 24 * 3600 * 1000);
    if (start.getTime() > end.getTime()) {
      throw new LiteLLMError("getKeyUsage: startDate is after endDate", { kind: "config" });
    }
    const rows: SpendLogRow[] = [];
    for (const hash of new Set(apiKeysOrHashes.map(toKeyHash))) {
      for await (const row of this.iterateSpendLogs({ startDate: start, endDate: end, apiKey: hash })) rows.push(row);
    }
    return aggregateUsage(rows);
  }
}
