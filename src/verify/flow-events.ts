import { fetchRead } from "./fetch-read";
import { FlareFlowError } from "../errors";

/**
 * Events of one type over a height range from a Flow access node's REST API
 * (`GET /v1/events?type=&start_height=&end_height=`), each payload's JSON-Cadence value decoded
 * to the plain shape FCL's decode gives (composites to objects of their fields, numbers, strings
 * and addresses as their strings, optionals to the value or null, arrays, dictionaries), which the
 * generated codecs then check. FCL did the same through a lookup over ~40 decoders by regex for
 * every value, awaited: most of the Flow side of the verifier's profile (README "How fast"). The
 * request and the fields read are those of @onflow/transport-http's sendGetEventsForHeightRangeRequest.
 * Runs in Node and browsers.
 */

export class FlowEventsError extends FlareFlowError {
  override readonly name = "FlowEventsError";
  override readonly docs = "README.md#verifiable-bills";
}

export type RawEvent = { blockHeight: unknown; transactionId: unknown; transactionIndex: unknown; eventIndex: unknown; data: unknown };

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
export function decodeCadence(value: unknown, at = "value"): unknown {
  if (!isRecord(value) || typeof value.type !== "string") throw new FlowEventsError(`the access node returned a malformed Cadence value at ${at}`);
  const { type, value: v } = value;
  if (IMPLICIT.has(type)) return v;
  if (type === "Void") return null;
  if (type === "Optional") return v === null || v === undefined ? null : decodeCadence(v, at);
  if (type === "Type") return isRecord(v) ? v.staticType : undefined;
  if (type === "Array") {
    if (!Array.isArray(v)) throw new FlowEventsError(`the access node returned an Array that is not a list at ${at}`);
    return v.map((item, i) => decodeCadence(item, `${at}[${i}]`));
  }
  if (type === "Dictionary") {
    if (!Array.isArray(v)) throw new FlowEventsError(`the access node returned a Dictionary that is not a list at ${at}`);
    const out = dataObject();
    for (const entry of v as unknown[]) {
      if (!isRecord(entry)) throw new FlowEventsError(`the access node returned a malformed Dictionary entry at ${at}`);
      out[String(decodeCadence(entry.key, `${at}.key`))] = decodeCadence(entry.value, `${at}.value`);
    }
    return out;
  }
  if (COMPOSITE.has(type)) {
    if (!isRecord(v) || !Array.isArray(v.fields)) throw new FlowEventsError(`the access node returned a ${type} without fields at ${at}`);
    const out = dataObject();
    for (const field of v.fields as unknown[]) {
      if (!isRecord(field) || typeof field.name !== "string") throw new FlowEventsError(`the access node returned a malformed field at ${at}`);
      out[field.name] = decodeCadence(field.value, `${at}.${field.name}`);
    }
    return out;
  }
  throw new FlowEventsError(`the access node returned a Cadence value of an unknown type ${JSON.stringify(type)} at ${at}`);
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

function payloadJson(base64: unknown, at: string): unknown {
  if (typeof base64 !== "string") throw new FlowEventsError(`the access node returned an event without a payload (${at})`);
  try {
    const bytes = base64Bytes(base64);
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown;
  } catch (error) {
    throw new FlowEventsError(`the access node returned an event payload that is not base64 JSON (${at}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Every event of `type` in heights from..to (the caller keeps the range within the node's limit). */
export async function eventsInRange(restBase: string, type: string, from: number, to: number): Promise<RawEvent[]> {
  const query = `/v1/events?type=${type}&start_height=${from}&end_height=${to}`;
  const response = await fetchRead(`${restBase}${query}`);
  if (response.status !== 200) throw new FlowEventsError(`the access node answered HTTP ${response.status} to ${query}: ${(await response.text()).slice(0, 200)}`);
  const blocks: unknown = await response.json();
  if (!Array.isArray(blocks)) throw new FlowEventsError(`the access node returned no block list for ${query}`);
  const out: RawEvent[] = [];
  for (const block of blocks as unknown[]) {
    if (!isRecord(block)) throw new FlowEventsError(`the access node returned a malformed block for ${query}`);
    if (block.events === undefined || block.events === null) continue;
    if (!Array.isArray(block.events)) throw new FlowEventsError(`the access node returned a block whose events are not a list for ${query}`);
    for (const event of block.events as unknown[]) {
      if (!isRecord(event)) throw new FlowEventsError(`the access node returned a malformed event for ${query}`);
      if (event.type !== type) throw new FlowEventsError(`the access node returned a ${String(event.type)} event when asked for ${type}`);
      const at = `tx ${String(event.transaction_id)} event ${String(event.event_index)}`;
      out.push({
        blockHeight: block.block_height,
        transactionId: event.transaction_id,
        transactionIndex: event.transaction_index,
        eventIndex: event.event_index,
        data: decodeCadence(payloadJson(event.payload, at), at),
      });
    }
  }
  return out;
}
