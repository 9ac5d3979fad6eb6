import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as fcl from "@onflow/fcl";
import { afterEach, describe, expect, it, vi } from "vitest";
import { contractEvents, decodeCadence, eventsInRange as read } from "../../src/flow/runtime/events";

const TYPE = "A.f8d6e0586b0a20c7.FlareFDCTriggers.SubscriptionCharged";
const charged = {
  type: "Event",
  value: {
    id: TYPE,
    fields: [
      { name: "id", value: { type: "UInt64", value: "12" } },
      { name: "family", value: { type: "String", value: "gpt-4 ✓" } },
      { name: "cost", value: { type: "UFix64", value: "0.00123000" } },
      { name: "who", value: { type: "Optional", value: { type: "Address", value: "0x01cf0e2f2f715450" } } },
      { name: "none", value: { type: "Optional", value: null } },
      { name: "list", value: { type: "Array", value: [{ type: "Int", value: "-3" }, { type: "Bool", value: true }] } },
      { name: "map", value: { type: "Dictionary", value: [{ key: { type: "String", value: "a" }, value: { type: "Struct", value: { id: "A.1.C.S", fields: [{ name: "x", value: { type: "UInt8", value: "1" } }] } } }] } },
      { name: "t", value: { type: "Type", value: { staticType: { kind: "Int" } } } },
      { name: "v", value: { type: "Void" } },
    ],
  },
};
class AnswerError extends Error {}
const fail = (message: string) => new AnswerError(message);
const decode = (value: unknown) => decodeCadence(value, fail);
const eventsInRange = (base: string, type: string, from: number, to: number) => read(base, type, from, to, fail);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");

let servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});
async function node(answer: (url: string) => [number, unknown]): Promise<string> {
  const server = http.createServer((req, res) => {
    const [status, body] = answer(req.url ?? "");
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("flow-events: the one reader of Flow events (the key service's and the verifier's)", () => {
  it("decodes JSON-Cadence exactly as FCL's decode does", async () => {
    const fromFcl: unknown = await fcl.decode({ encodedData: charged });
    expect(decode(charged)).toEqual(fromFcl);
  });

  it("keeps a key or field named __proto__ as data, never as the decoded object's prototype", () => {
    const hostile = {
      type: "Event",
      value: {
        id: TYPE,
        fields: [
          { name: "map", value: { type: "Dictionary", value: [{ key: { type: "String", value: "__proto__" }, value: { type: "Struct", value: { id: "A.1.C.S", fields: [{ name: "cost", value: { type: "UFix64", value: "0.00000001" } }] } } }] } },
          { name: "__proto__", value: { type: "Struct", value: { id: "A.1.C.S", fields: [{ name: "cost", value: { type: "UFix64", value: "0.00000001" } }] } } },
        ],
      },
    };
    const decoded = decode(hostile) as Record<string, Record<string, unknown>>;
    expect(Object.keys(decoded)).toEqual(["map", "__proto__"]);
    expect(Object.keys(decoded.map)).toEqual(["__proto__"]);
    expect(decoded.cost).toBeUndefined();
    expect(decoded.map.cost).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(decoded.map, "__proto__")?.value).toEqual({ cost: "0.00000001" });
  });

  it("decodes payloads with atob where there is no Buffer (the browser's path)", async () => {
    // The module looks for Buffer once, when it loads: load it without one, then give Node its Buffer back.
    vi.resetModules();
    vi.stubGlobal("Buffer", undefined);
    const loading = import("../../src/flow/runtime/events");
    const { eventsInRange: inBrowserWith } = await loading.finally(() => vi.unstubAllGlobals());
    const inBrowser = (base: string, type: string, from: number, to: number) => inBrowserWith(base, type, from, to, fail);
    vi.resetModules();
    const base = await node(() => [200, [{ block_height: "7", events: [{ type: TYPE, transaction_id: "ab", transaction_index: "0", event_index: "0", payload: b64(charged) }] }]]);
    const [event] = await inBrowser(base, TYPE, 7, 7);
    expect(event.data).toEqual(decode(charged));
    const bad = await node(() => [200, [{ block_height: "7", events: [{ type: TYPE, payload: btoa("\xff\xfe") }] }]]);
    await expect(inBrowser(bad, TYPE, 7, 7)).rejects.toThrow(/not base64 JSON/);
  });

  it("asks the REST API FCL asks, and returns each event with its block and transaction", async () => {
    let asked = "";
    const base = await node((url) => {
      asked = url;
      return [200, [
        { block_id: "aa", block_height: "7", block_timestamp: "", events: [{ type: TYPE, transaction_id: "ab".repeat(32), transaction_index: "1", event_index: "2", payload: b64(charged) }] },
        { block_id: "bb", block_height: "8", block_timestamp: "", events: [] },
      ]];
    });
    const events = await eventsInRange(base, TYPE, 5, 9);
    expect(asked).toBe(`/v1/events?type=${TYPE}&start_height=5&end_height=9`);
    expect(events).toEqual([{ blockHeight: "7", transactionId: "ab".repeat(32), transactionIndex: "1", eventIndex: "2", data: decode(charged) }]);
  });

  it("reads a range longer than the node's limit in slices, every type of a slice, merged in chain order", async () => {
    const OTHER = "A.f8d6e0586b0a20c7.FlareFDCTriggers.UsageUnbillable";
    const asked: string[] = [];
    const event = (type: string, height: number, tx: number, index: number) => ({
      block_height: String(height),
      events: [{ type, transaction_id: String(tx).padStart(64, "0"), transaction_index: String(tx), event_index: String(index), payload: b64(charged) }],
    });
    const base = await node((url) => {
      asked.push(url);
      const q = new URL(url, "http://x").searchParams;
      const [type, start] = [q.get("type") ?? "", Number(q.get("start_height"))];
      // Each slice holds one event of each type, the second type's first in the block.
      return [200, [event(type, start + 3, type === TYPE ? 2 : 1, type === TYPE ? 5 : 0)]];
    });
    const progress: string[] = [];
    const events = await contractEvents(base, [TYPE, OTHER], 100, 699, fail, { concurrency: 2, onProgress: (done, slices) => progress.push(`${done}/${slices}`) });
    expect(asked.filter((u) => u.includes(TYPE)).sort()).toEqual([
      `/v1/events?type=${TYPE}&start_height=100&end_height=349`,
      `/v1/events?type=${TYPE}&start_height=350&end_height=599`,
      `/v1/events?type=${TYPE}&start_height=600&end_height=699`,
    ]);
    expect(asked).toHaveLength(6);
    expect(progress).toEqual(["1/3", "2/3", "3/3"]);
    expect(events.map((e) => [e.type === TYPE ? "charged" : "unbillable", e.blockHeight, e.transactionIndex, e.eventIndex])).toEqual([
      ["unbillable", 103, 1, 0], ["charged", 103, 2, 5],
      ["unbillable", 353, 1, 0], ["charged", 353, 2, 5],
      ["unbillable", 603, 1, 0], ["charged", 603, 2, 5],
    ]);
    expect(await contractEvents(base, [TYPE], 5, 4, fail)).toEqual([]);
    const badId = await node(() => [200, [{ block_height: "1", events: [{ type: TYPE, transaction_id: "not-an-id", transaction_index: "0", event_index: "0", payload: b64(charged) }] }]]);
    await expect(contractEvents(badId, [TYPE], 1, 1, fail)).rejects.toThrow(AnswerError);
    await expect(contractEvents(badId, [TYPE], 1, 1, fail)).rejects.toThrow(/bad transaction id/);
  });

  it("refuses what an access node should never answer, naming it", async () => {
    const answers: [number, unknown, RegExp][] = [
      [400, { message: "too many blocks" }, /HTTP 400/],
      [200, { not: "a list" }, /no block list/],
      [200, [{ block_height: "1", events: [{ type: "A.1.Other.E", payload: b64(charged) }] }], /A\.1\.Other\.E event when asked/],
      [200, [{ block_height: "1", events: [{ type: TYPE, payload: "%%%not base64" }] }], /not base64 JSON/],
      [200, [{ block_height: "1", events: [{ type: TYPE, payload: b64({ type: "Event", value: { id: TYPE } }) }] }], /Event without fields/],
      [200, [{ block_height: "1", events: [{ type: TYPE, payload: b64({ type: "Mystery", value: 1 }) }] }], /unknown type "Mystery"/],
    ];
    for (const [status, body, message] of answers) {
      const base = await node(() => [status, body]);
      await expect(eventsInRange(base, TYPE, 1, 2)).rejects.toThrow(message);
    }
    expect(() => decode({ type: "Array", value: "x" })).toThrow(AnswerError);
  });
});
