/**
 * Lost and stale state (issue 15, items 2 and 3): the key service started on an older copy of
 * its journal, with no journal at all, or on a journal cut at a line boundary must rebuild the
 * truth from the chain and LiteLLM: a revoked key stays revoked, a live key is adopted (never a
 * second KeyIssued), keys it made that Flow never carried are deleted, nothing stays key_pending.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { hashKey, type KeyInfo } from "../../src/litellm";
import { keyAuthorization, runScript, sendTransaction, type KeySigner } from "../../src/flow/runtime";
import { subscriptionsGetSubscription } from "../../src/flow/generated/scripts";
import { subscriptionsRequestClose, subscriptionsRevokeKeyCustomer } from "../../src/flow/generated/transactions";
import { StateFileError } from "../../src/keys/state-validate";
import { JOURNAL_FILE } from "../../src/keys/journal";
import type { KeyService } from "../../src/keys";
import {
  attached,
  captureConsole,
  chat,
  createSub,
  keyEventsOnFlow,
  newCustomer,
  proven,
  startService,
  startStack,
  type Stack,
} from "../emulator/key-service-helpers";
import { waitFor } from "../../src/local/wait";

describe("key service recovery from the chain and LiteLLM", () => {
  let stack: Stack;
  let customer: KeySigner;
  let service: KeyService | undefined;
  let stateDir: string;
  let backupDir: string;
  const sent: string[] = [];
  const count = (name: string) => sent.push(name);
  /** Subscriptions: A (rotated after the backup), R (revoked before it), C (revoked after it), N and K (created after it). */
  const s = { A: "", R: "", C: "", N: "", K: "", E: "" };
  const keys: Record<string, string> = {};

  async function reveal(id: string): Promise<string> {
    const r = await proven(service!, customer, id, "reveal");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return String(r.body["key"]);
  }

  async function healthy(svc: KeyService): Promise<void> {
    await waitFor("the service caught up, audited LiteLLM and has nothing pending", () => svc.health().status === "ok", 60_000);
  }

  /** LiteLLM's keys of our subscriptions, by alias. */
  async function litellmKeys(): Promise<Map<string, KeyInfo>> {
    const out = new Map<string, KeyInfo>();
    for await (const k of stack.client.iterateKeys()) if (k.key_alias?.startsWith("ff-")) out.set(k.key_alias, k);
    return out;
  }

  beforeAll(async () => {
    captureConsole();
    stack = await startStack();
    customer = await newCustomer(stack);
    stateDir = path.join(stack.dir, "key-service");
    backupDir = path.join(stack.dir, "key-service-backup");

    service = await startService(stack, { onTransaction: count });
    s.A = await createSub(stack, customer);
    s.R = await createSub(stack, customer);
    s.C = await createSub(stack, customer);
    await waitFor("A, R, C attached", () => [s.A, s.R, s.C].every((id) => attached(service!, id)));
    keys.A0 = await reveal(s.A);
    keys.C0 = await reveal(s.C);
    await sendTransaction(stack.ctx, subscriptionsRevokeKeyCustomer, { id: s.R }, keyAuthorization(customer));
    await waitFor("R revoked and its key deleted", () => service!.record(s.R)?.keys.at(-1)?.revoked === true && service!.health().status === "ok");
    expect((await litellmKeys()).has(`ff-${s.R}`)).toBe(false);

    // The backup: a copy of the journal taken while the service is stopped.
    await service.stop();
    fs.cpSync(stateDir, backupDir, { recursive: true });
    service = await startService(stack, { onTransaction: count });
    await healthy(service);

    // What happens after the backup and is not in it.
    const rotated = await proven(service, customer, s.A, "rotate");
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    keys.A1 = String(rotated.body["key"]);
    s.N = await createSub(stack, customer);
    s.K = await createSub(stack, customer);
    await waitFor("N and K attached", () => attached(service!, s.N) && attached(service!, s.K));
    keys.N = await reveal(s.N);
    keys.K = await reveal(s.K);
    await sendTransaction(stack.ctx, subscriptionsRevokeKeyCustomer, { id: s.C }, keyAuthorization(customer));
    await waitFor("C's key deleted", async () => (await stack.client.keyInfoOrNull(keys.C0!)) === null);
    await healthy(service);
    // A rotation of A that this service began after the backup and crashed before attaching.
    await stack.client.generateKey({ key_alias: `ff-${s.A}-r7`, metadata: { subscription_id: s.A, customer: customer.address, provider: stack.provider.address } });
    await service.stop();
    service = undefined;
  }, 300_000);

  afterAll(async () => {
    await service?.stop();
    await stack?.stop();
  });

  it("journal restored from an older backup: later keys are adopted, later revocations kept, no transaction sent, unknown keys deleted", async () => {
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.cpSync(backupDir, stateDir, { recursive: true });
    const before = sent.length;
    service = await startService(stack, { onTransaction: count });
    await healthy(service);
    expect(sent.slice(before)).toEqual([]);

    const events = await keyEventsOnFlow(stack);
    for (const id of [s.A, s.R, s.C, s.N, s.K]) expect(events.issued.get(id), `KeyIssued of ${id}`).toBe(1);
    expect(events.rotated.get(s.A)).toBe(1);
    // LiteLLM holds exactly the keys Flow carries: A's rotated key, N's and K's.
    const live = await litellmKeys();
    expect([...live.keys()].sort()).toEqual([`ff-${s.A}-r1`, `ff-${s.K}`, `ff-${s.N}`].sort());
    expect(live.get(`ff-${s.A}-r1`)?.token).toBe(hashKey(keys.A1!));
    expect(await chat(stack, keys.A1!)).toBe(200);
    expect(await chat(stack, keys.N!)).toBe(200);
    expect(await chat(stack, keys.A0!)).toBe(401);
    expect(await chat(stack, keys.C0!)).toBe(401);
    // Revoked stays revoked, before and after the backup.
    for (const id of [s.R, s.C]) {
      expect((await runScript(stack.ctx, subscriptionsGetSubscription, { id }))?.keyHash).toBeNull();
      expect(await proven(service, customer, id, "reveal")).toMatchObject({ status: 409, body: { error: { code: "no_key" } } });
    }
    // A's key was made after the backup: it works, but its plaintext is not in this journal.
    expect(await proven(service, customer, s.A, "reveal")).toMatchObject({ status: 409, body: { error: { code: "key_not_stored" } } });
    // A rotation from the adopted key works and names the next generation.
    const again = await proven(service, customer, s.A, "rotate");
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ alias: `ff-${s.A}-r2` });
    keys.A2 = String(again.body["key"]);
    expect(await chat(stack, keys.A2)).toBe(200);
    expect((await keyEventsOnFlow(stack)).rotated.get(s.A)).toBe(2);
  }, 120_000);

  it("journal lost: state rebuilt from the chain and LiteLLM, the revoked key stays revoked, a half-made key is replaced without an alias conflict", async () => {
    await service!.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    // While the service is down: a new subscription whose key an earlier run made in LiteLLM and
    // never attached (its journal lost with it).
    s.E = await createSub(stack, customer);
    const orphan = await stack.client.generateKey({ key_alias: `ff-${s.E}`, metadata: { subscription_id: s.E, customer: customer.address, provider: stack.provider.address } });
    const before = sent.length;
    service = await startService(stack, { onTransaction: count });
    await healthy(service);
    // One transaction: E's key. Nothing re-issued for anyone else.
    expect(sent.slice(before)).toEqual(["issue_key"]);
    const events = await keyEventsOnFlow(stack);
    for (const id of [s.A, s.R, s.C, s.N, s.K, s.E]) expect(events.issued.get(id), `KeyIssued of ${id}`).toBe(1);
    expect(events.rotated.get(s.A)).toBe(2);
    expect(await chat(stack, orphan.key)).toBe(401);
    const e = await reveal(s.E);
    expect(await chat(stack, e)).toBe(200);
    expect((await runScript(stack.ctx, subscriptionsGetSubscription, { id: s.E }))?.keyHash).toBe(hashKey(e));
    // The revoked subscription got no new key.
    expect((await runScript(stack.ctx, subscriptionsGetSubscription, { id: s.R }))?.keyHash).toBeNull();
    const live = await litellmKeys();
    expect([...live.keys()].filter((a) => a.startsWith(`ff-${s.R}`) || a.startsWith(`ff-${s.C}`))).toEqual([]);
    expect(await chat(stack, keys.A2!)).toBe(200);
    expect(await proven(service, customer, s.A, "reveal")).toMatchObject({ status: 409, body: { error: { code: "key_not_stored" } } });
  }, 120_000);

  it("a journal cut at a line boundary inside its snapshot is refused; cut after it, it recovers and a closing customer's key is blocked", async () => {
    // Reopening compacts: the file is a header, one line per record and the cursor.
    await service!.stop();
    service = await startService(stack, { onTransaction: count });
    await healthy(service);
    await service.stop();
    const file = path.join(stateDir, JOURNAL_FILE);
    const snapshot = fs.readFileSync(file, "utf8");
    const lines = snapshot.split("\n").filter(Boolean);
    // The header says how many snapshot lines follow (appends after it, such as the cursor moving
    // past blocks sealed since, are not counted).
    const records = (JSON.parse(lines[0] ?? "{}") as { header?: { records?: number } }).header?.records;
    expect(records).toBeGreaterThan(2);
    fs.writeFileSync(file, `${lines.slice(0, 2).join("\n")}\n`);
    let refusal: unknown;
    try {
      service = await startService(stack, { onTransaction: count });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(StateFileError);
    expect((refusal as Error).message).toMatch(new RegExp(`${JOURNAL_FILE}:2: the journal ends after line 2, but its header \\(line 1\\) announces ${records} snapshot records`));

    // The whole snapshot back; then K's customer asks to close and the lines recording it are lost.
    fs.writeFileSync(file, snapshot);
    service = await startService(stack, { onTransaction: count });
    await healthy(service);
    await sendTransaction(stack.ctx, subscriptionsRequestClose, { id: s.K }, keyAuthorization(customer));
    await waitFor("K's key blocked", async () => (await stack.client.keyInfo(keys.K!)).blocked === true);
    await service.stop();
    fs.writeFileSync(file, snapshot);
    // Someone unblocks K's key behind the service's back while it is down.
    await stack.client.unblockKey(keys.K!);
    expect(await chat(stack, keys.K!)).toBe(200);
    service = await startService(stack, { onTransaction: count });
    await healthy(service);
    expect(service.health().subscriptions).toBe(6);
    expect(service.record(s.K)?.lifecycle).toBe("closing");
    expect(await chat(stack, keys.K!)).not.toBe(200);
  }, 120_000);
});
