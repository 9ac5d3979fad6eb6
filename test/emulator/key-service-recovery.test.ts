/**
 * The key service's durability: a crash in the middle of the event stream,
 * a replay of the whole stream, and LiteLLM down for a while. Each subscription
 * must get exactly one LiteLLM key and one KeyIssued event, and no transaction is sent for
 * nothing (a batch resent after a crash would attach no key: Flow skips keyed subscriptions).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { containsSecret, hashKey } from "../../src/litellm";
import { runScript, type KeySigner } from "../../src/flow/runtime";
import { subscriptionsGetSubscription } from "../../src/flow/generated/scripts";
import type { KeyService } from "../../src/keys";
import { InjectedCrash } from "../../src/faults";
import { Journal } from "../../src/keys/journal";
import {
  attached,
  captureConsole,
  chat,
  ENCRYPTION_KEY,
  createSub,
  keyEventsOnFlow,
  logLines,
  newCustomer,
  proven,
  startService,
  startStack,
  type Stack,
} from "./key-service-helpers";
import { waitFor } from "../../src/local/wait";

describe("key service: restarts, replays and outages", () => {
  let stack: Stack;
  let customer: KeySigner;
  let service: KeyService | undefined;
  const ids: string[] = [];
  const delivered: string[] = [];
  const transactions: string[] = [];
  const countTx = (_name: string, id: string): void => {
    transactions.push(id);
  };

  beforeAll(async () => {
    captureConsole();
    stack = await startStack();
    customer = await newCustomer(stack);
  });

  afterAll(async () => {
    await service?.stop();
    await stack?.stop();
  });

  async function allAttached(s: KeyService): Promise<void> {
    await waitFor(`keys of ${ids.join(", ")} attached`, () => ids.every((id) => attached(s, id)) && s.health().lagBlocks === 0);
  }

  async function expectExactlyOnce(): Promise<void> {
    const events = await keyEventsOnFlow(stack);
    for (const id of ids) expect(events.issued.get(id), `KeyIssued of ${id}`).toBe(1);
    expect(events.rotated.size).toBe(0);
    expect(new Set(transactions).size).toBe(transactions.length);
    for (const tx of transactions) expect(events.transactions.has(tx), `transaction ${tx} attached a key`).toBe(true);
    expect(stack.generated()).toBe(ids.length);
    const keys = [];
    for await (const k of stack.client.iterateKeys()) keys.push(k);
    expect(keys.map((k) => k.key_alias).sort()).toEqual(ids.map((id) => `ff-${id}`).sort());
  }

  async function deliverAndCheck(s: KeyService, id: string): Promise<void> {
    const r = await proven(s, customer, id, "reveal");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const key = String(r.body["key"]);
    delivered.push(key);
    expect((await runScript(stack.ctx, subscriptionsGetSubscription, { id }))?.keyHash).toBe(hashKey(key));
    // A new key refuses calls until the live limit has priced its subscription and set its guard
    // (a pass may not have run since LiteLLM came back); then it serves.
    await waitFor(`tpm guard of subscription ${id} set`, async () => ((await stack.client.findKeyByAlias(`ff-${id}`))?.tpm_limit ?? 0) > 0);
    expect(await chat(stack, key)).toBe(200);
  }

  it("a crash between steps in the middle of the stream: after restart each event is handled exactly once", async () => {
    for (let i = 0; i < 3; i++) ids.push(await createSub(stack, customer));
    // Crash right after the transaction attaching the three keys is sealed and before the service
    // records it: the worst moment, keys on chain that the journal does not know about.
    const sent: string[] = [];
    service = await startService(stack, {
      onTransaction: (name, id) => {
        countTx(name, id);
        sent.push(name);
        throw new InjectedCrash(`crash after ${name}`);
      },
    });
    await waitFor("the injected crash", () => service!.health().status === "stopped");
    await service.stop();
    expect(sent).toEqual(["issue_keys"]);
    for (const id of ids) expect(service.record(id)?.keys[0]?.flow, `subscription ${id} journaled as sending`).toBe("sending");
    const journal = fs.readFileSync(path.join(stack.dir, "key-service", "key-service.jsonl"), "utf8");
    expect(journal).not.toMatch(/sk-/);

    // Events keep coming while the service is down.
    for (let i = 0; i < 2; i++) ids.push(await createSub(stack, customer));

    service = await startService(stack, { onTransaction: countTx });
    await allAttached(service);
    await expectExactlyOnce();
    for (const id of ids) await deliverAndCheck(service, id);
  });

  it("replaying the whole stream from height 0 changes nothing", async () => {
    await service!.stop();
    // Rewind the durable cursor as a restored backup or an operator might.
    const { journal } = Journal.open(path.join(stack.dir, "key-service"), ENCRYPTION_KEY);
    journal.append({ cursor: { height: 0, last: null } });
    journal.close();
    service = await startService(stack, { onTransaction: countTx });
    expect(service.health().cursor.height).toBe(0);
    await allAttached(service);
    await expectExactlyOnce();
  });

  it("LiteLLM down for a while: events are recorded, retried when it is back, nothing lost or done twice", async () => {
    await stack.litellm.stop();
    const during: string[] = [];
    for (let i = 0; i < 2; i++) during.push(await createSub(stack, customer));
    ids.push(...during);
    await waitFor("the outage to be noticed", () => {
      const h = service!.health();
      return during.every((id) => h.pending.includes(id)) && h.lastError !== null;
    });
    const h = service!.health();
    expect(h.status).toBe("degraded");
    expect(h.lastError?.message).toMatch(/LiteLLM|fetch|ECONNREFUSED|network/i);
    expect(service!.record(during[0]!)?.keys[0]?.litellm).toBe("pending");
    // Delivery says "not yet", clearly, and reveals nothing.
    const early = await proven(service!, customer, during[0]!, "reveal");
    expect(early).toMatchObject({ status: 409, body: { error: { code: "key_pending" } } });

    await new Promise((r) => setTimeout(r, 800)); // a few failed retries
    await stack.startLiteLLM();
    await allAttached(service!);
    await expectExactlyOnce();
    for (const id of during) await deliverAndCheck(service!, id);
    // The follower may be a tick behind the attaching transactions' blocks (the live limit's pass
    // lengthens a tick): healthy once it has read them.
    await waitFor("health ok", () => service!.health().status === "ok");
    expect(service!.health()).toMatchObject({ status: "ok", pending: [] });
  });

  it("never wrote a plaintext key to any log line", () => {
    expect(delivered).toHaveLength(ids.length);
    expect(logLines.some((l) => l.includes("injected crash"))).toBe(true);
    for (const line of logLines) {
      expect(containsSecret(line), line).toBe(false);
      for (const key of delivered) expect(line.includes(key)).toBe(false);
    }
  });
});
