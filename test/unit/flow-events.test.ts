import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as fcl from "@onflow/fcl";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeCadence, eventsInRange, FlowEventsError } from "../../src/verify/flow-events";

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

describe("flow-events: the verifier's direct reader of Flow events", () => {
  it("decodes JSON-Cadence exactly as FCL's decode does", async () => {
    const fromFcl: unknown = await fcl.decode({ encodedData: charged });
    expect(decodeCadence(charged)).toEqual(fromFcl);
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
    const decoded = decodeCadence(hostile) as Record<string, Record<string, unknown>>;
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
    const loading = import("../../src/verify/flow-events");
    const { eventsInRange: inBrowser } = await loading.finally(() => vi.unstubAllGlobals());
    vi.resetModules();
    const base = await node(() => [200, [{ block_height: "7", events: [{ type: TYPE, transaction_id: "ab", transaction_index: "0", event_index: "0", payload: b64(charged) }] }]]);
    const [event] = await inBrowser(base, TYPE, 7, 7);
    expect(event.data).toEqual(decodeCadence(charged));
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
    expect(events).toEqual([{ blockHeight: "7", transactionId: "ab".repeat(32), transactionIndex: "1", eventIndex: "2", data: decodeCadence(charged) }]);
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
    expect(() => decodeCadence({ type: "Array", value: "x" })).toThrow(FlowEventsError);
  });
});
