import { fetchRead } from "../../fetch-read";
import { pool } from "../../pool";
import { accessNodeNumber, MAX_EVENT_RANGE } from "./access-node";
import { messageOf } from "../../errors";

/**
 * The one reader of a contract's events over a block range, and of block headers, from a Flow
 * access node's REST API (`GET /v1/events?type=&start_height=&end_height=`, `GET /v1/blocks`):
 * the key service follows SimpleUsageSubscriptions with it, the bill verifier reads
 * FlareFDCTriggers' settlements with it. Each payload's JSON-Cadence value is decoded to the plain
 * shape FCL's decode gives (composites to objects of their fields, numbers, strings and addresses
 * as their strings, optionals to the value or null, arrays, dictionaries), which the generated
 * codecs then check. The request and the fields read are those of @onflow/transport-http's
 * sendGetEventsForHeightRangeRequest.
 *
 * Why REST through fetch and not FCL (which the key service used): the verifier must run in a
 * browser and in Node with nothing but an access-node URL, while FCL reads its access node from a
 * process-wide config that the page's wallet and the key service's signer also set; and FCL's
 * decode (a lookup over ~40 decoders by regex for every value, awaited) was most of the Flow side
 * of the verifier's profile (README "How fast"). The key service needs nothing more than this
 * gives: events in chain order over any range, every payload checked; a failed read is taken up
 * again from its cursor on the next pass, so it needs no retries of FCL's beyond fetchRead's.
 * Scripts and transactions stay on FCL (client.ts): they need its argument encoding and signing.
 *
 * Errors are the caller's (`fail`, as for accessNodeNumber): each service reports what an access
 * node answered wrong under its own name and README section. Runs in Node and browsers.
 */

/** Makes the caller's error for what an access node answered wrong. */
export type Fail = (message: string, options?: { cause?: unknown }) => Error;

/** An event as the access node lists it, its payload decoded but not yet checked by a codec. */
export type RawEvent = { blockHeight: unknown; transactionId: unknown; transactionIndex: unknown; eventIndex: unknown; data: unknown };

/** An event of one of the types asked for, where it stands in the chain checked. */
export type ChainEvent = { type: string; blockHeight: number; transactionId: string; transactionIndex: number; eventIndex: number; data: unknown };

export type ReadOptions = {
  /** Slices of MAX_EVENT_RANGE blocks read at once (default 1: in order). */
  concurrency?: number;
  /** Hears the slices finished, of all. */
  onProgress?: (done: number, slices: number) => void;
  /** Each request's limit, after which it is abandoned (default: none but fetch's own). */
  timeoutMs?: number;
};

/** Types whose JSON-Cadence `value` is already what FCL returns (decodeImplicit). */
const IMPLICIT = new Set([
  "UInt", "Int", "UInt8", "Int8", "UInt16", "Int16", "UInt32", "Int32", "UInt64", "Int64", "UInt128", "Int128", "UInt256", "Int256",
  "Word8", "Word16", "Word32", "Word64", "Word128", "Word256", "UFix64", "Fix64", "UFix128", "Fix128",
  "String", "Character", "Bool", "Address", "Reference", "Path", "Capability",
]);
const COMPOSITE = new Set(["Event", "Struct", "Resource", "Enum"]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * An object without a prototype: a key the access node names `__proto__` (a dictionary key is any
 * string a transaction chose) stays an entry instead of replacing the object's prototype, which
 * FCL's own decode lets happen.
 */
const dataObject = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;

/** A JSON-Cadence value (an access node's answer: every shape checked) decoded as FCL does. */
export function decodeCadence(value: unknown, fail: Fail, at = "value"): unknown {
  if (!isRecord(value) || typeof value.type !== "string") throw fail(`the access node returned a malformed Cadence value at ${at}`);
  const { type, value: v } = value;
  if (IMPLICIT.has(type)) return v;
  if (type === "Void") return null;
  if (type === "Optional") return v === null || v === undefined ? null : decodeCadence(v, fail, at);
  if (type === "Type") return isRecord(v) ? v.staticType : undefined;
  if (type === "Array") {
    if (!Array.isArray(v)) throw fail(`the access node returned an Array that is not a list at ${at}`);
    return v.map((item, i) => decodeCadence(item, fail, `${at}[${i}]`));
  }
  if (type === "Dictionary") {
    if (!Array.isArray(v)) throw fail(`the access node returned a Dictionary that is not a list at ${at}`);
    const out = dataObject();
    for (const entry of v as unknown[]) {
      if (!isRecord(entry)) throw fail(`the access node returned a malformed Dictionary entry at ${at}`);
      out[String(decodeCadence(entry.key, fail, `${at}.key`))] = decodeCadence(entry.value, fail, `${at}.value`);
    }
    return out;
  }
  if (COMPOSITE.has(type)) {
    if (!isRecord(v) || !Array.isArray(v.fields)) throw fail(`the access node returned a ${type} without fields at ${at}`);
    const out = dataObject();
    for (const field of v.fields as unknown[]) {
      if (!isRecord(field) || typeof field.name !== "string") throw fail(`the access node returned a malformed field at ${at}`);
      out[field.name] = decodeCadence(field.value, fail, `${at}.${field.name}`);
    }
    return out;
  }
  throw fail(`the access node returned a Cadence value of an unknown type ${JSON.stringify(type)} at ${at}`);
}

/** Node's Buffer where there is one (its base64 decoder is native; Node 20's atob is not), else atob. */
const nodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: "base64"): Uint8Array } }).Buffer;

function base64Bytes(base64: string): Uint8Array {
  if (nodeBuffer !== undefined) return nodeBuffer.from(base64, "base64");
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function payloadJson(base64: unknown, at: string, fail: Fail): unknown {
  if (typeof base64 !== "string") throw fail(`the access node returned an event without a payload (${at})`);
  try {
    const bytes = base64Bytes(base64);
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw fail(`the access node returned an event payload that is not base64 JSON (${at}): ${messageOf(error)}`, { cause: error });
  }
}

/** Every event of `type` in heights from..to, within the node's limit (contractEvents slices a longer range). */
export async function eventsInRange(accessNode: string, type: string, from: number, to: number, fail: Fail, init?: RequestInit): Promise<RawEvent[]> {
  const query = `/v1/events?type=${type}&start_height=${from}&end_height=${to}`;
  const response = await fetchRead(`${accessNode.replace(/\/$/, "")}${query}`, init);
  if (response.status !== 200) throw fail(`the access node answered HTTP ${response.status} to ${query}: ${(await response.text()).slice(0, 200)}`);
  const blocks: unknown = await response.json();
  if (!Array.isArray(blocks)) throw fail(`the access node returned no block list for ${query}`);
  const out: RawEvent[] = [];
  for (const block of blocks as unknown[]) {
    if (!isRecord(block)) throw fail(`the access node returned a malformed block for ${query}`);
    if (block.events === undefined || block.events === null) continue;
    if (!Array.isArray(block.events)) throw fail(`the access node returned a block whose events are not a list for ${query}`);
    for (const event of block.events as unknown[]) {
      if (!isRecord(event)) throw fail(`the access node returned a malformed event for ${query}`);
      if (event.type !== type) throw fail(`the access node returned a ${String(event.type)} event when asked for ${type}`);
      const at = `tx ${String(event.transaction_id)} event ${String(event.event_index)}`;
      out.push({
        blockHeight: block.block_height,
        transactionId: event.transaction_id,
        transactionIndex: event.transaction_index,
        eventIndex: event.event_index,
        data: decodeCadence(payloadJson(event.payload, at, fail), fail, at),
      });
    }
  }
  return out;
}

/**
 * Every event of `types` (full type ids, `A.<address>.<Contract>.<Event>`) in heights from..to
 * (inclusive), in chain order: read in slices of MAX_EVENT_RANGE blocks, the types of a slice
 * together.
 */
export async function contractEvents(accessNode: string, types: readonly string[], from: number, to: number, fail: Fail, options: ReadOptions = {}): Promise<ChainEvent[]> {
  if (to < from) return [];
  const slices: [number, number][] = [];
  for (let h = from; h <= to; h += MAX_EVENT_RANGE) slices.push([h, Math.min(to, h + MAX_EVENT_RANGE - 1)]);
  const init = (): RequestInit | undefined => (options.timeoutMs === undefined ? undefined : { signal: AbortSignal.timeout(options.timeoutMs) });
  const nat = (value: unknown, what: string) => accessNodeNumber(value, what, fail);
  const parts = await pool(
    slices,
    options.concurrency ?? 1,
    ([a, b]) =>
      Promise.all(
        types.map(async (type) =>
          (await eventsInRange(accessNode, type, a, b, fail, init())).map(
            (e): ChainEvent => ({
              type,
              blockHeight: nat(e.blockHeight, "block height"),
              transactionId: transactionId(e.transactionId, fail),
              transactionIndex: nat(e.transactionIndex, "transaction index"),
              eventIndex: nat(e.eventIndex, "event index"),
              data: e.data,
            }),
          ),
        ),
      ),
    (done) => options.onProgress?.(done, slices.length),
  );
  return parts.flat(2).sort(byChainOrder);
}

/** Events by where they stand in the chain: block, transaction, then event. */
export const byChainOrder = (a: ChainPosition, b: ChainPosition): number => a.blockHeight - b.blockHeight || a.transactionIndex - b.transactionIndex || a.eventIndex - b.eventIndex;

type ChainPosition = { blockHeight: number; transactionIndex: number; eventIndex: number };

function transactionId(value: unknown, fail: Fail): string {
  if (typeof value !== "string" || !/^[0-9a-f]{64}$/.test(value)) throw fail(`the access node returned a bad transaction id: ${JSON.stringify(value)}`);
  return value;
}

/** A block's height and time (unix seconds): `query` is `height=sealed` or `height=<n>`. */
export async function blockHeader(accessNode: string, query: string, fail: Fail, init?: RequestInit): Promise<{ height: number; timestamp: number }> {
  const response = await fetchRead(`${accessNode.replace(/\/$/, "")}/v1/blocks?${query}`, init);
  if (response.status !== 200) throw fail(`the access node answered HTTP ${response.status} to blocks?${query}`);
  const blocks = (await response.json()) as { header?: { height?: unknown; timestamp?: unknown } }[];
  const h = blocks[0]?.header;
  const timestamp = typeof h?.timestamp === "string" ? Date.parse(h.timestamp) : Number.NaN;
  if (!Number.isFinite(timestamp)) throw fail(`the access node returned a block without a timestamp (blocks?${query})`);
  return { height: accessNodeNumber(h?.height, "block height", fail), timestamp: timestamp / 1000 };
}
