/**
 * The key service end to end against the emulator and the local LiteLLM
 * server: issue on SubscriptionCreated, wallet-proven delivery, rotation,
 * revocation and close on Flow, pending usage, and every refusal of a proof.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { containsSecret, hashKey } from "../../src/litellm";
import { keyAuthorization, runScript, sendTransaction, type KeySigner } from "../../src/flow/runtime";
import { subscriptionsGetSubscription } from "../../src/flow/generated/scripts";
import { subscriptionsAdminSetPeriod, subscriptionsRequestClose, subscriptionsRevokeKeyCustomer, subscriptionsUpdateSubscription } from "../../src/flow/generated/transactions";
import { enableSettlement, settleLines } from "./settle-helpers";
import { serviceSigner } from "../../src/local/accounts";
import type { KeyService } from "../../src/keys";
import {
  attached,
  captureConsole,
  challenge,
  chat,
  createSub,
  forger,
  keyEventsOnFlow,
  levelOf,
  logLines,
  newCustomer,
  post,
  proven,
  signUserMessage,
  SPEND_LOG_DELAY_MS,
  startService,
  startStack,
  type Stack,
} from "./key-service-helpers";
import { waitFor } from "../../src/local/wait";
import { rootOf } from "../unit/fixtures/request-roots";

describe("key service: lifecycle and delivery", () => {
  let stack: Stack;
  let service: KeyService;
  let alice: KeySigner;
  let bob: KeySigner;
  let clockOffset = 0;
  const delivered: string[] = [];
  let subA = "";

  beforeAll(async () => {
    captureConsole();
    stack = await startStack();
    service = await startService(stack, { now: () => Date.now() + clockOffset, challengeTtlMs: 60_000, duePeriodCheckMs: 1000 });
    alice = await newCustomer(stack);
    bob = await newCustomer(stack);
  });

  afterAll(async () => {
    await service?.stop();
    await stack?.stop();
  });

  const onFlow = async (id: string) => runScript(stack.ctx, subscriptionsGetSubscription, { id });

  async function reveal(signer: KeySigner, id: string): Promise<string> {
    const r = await proven(service, signer, id, "reveal");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const key = String(r.body["key"]);
    delivered.push(key);
    return key;
  }

  it("issues a key on SubscriptionCreated, attaches its hash on Flow and delivers it to the customer", async () => {
    subA = await createSub(stack, alice, { models: ["gpt-4"], cap: "5.0" });
    await waitFor("key of subscription A attached", () => attached(service, subA));

    const key = await reveal(alice, subA);
    expect(key.startsWith("sk-")).toBe(true);
    const info = await onFlow(subA);
    expect(info?.keyHash).toBe(createHash("sha256").update(key).digest("hex"));

    const litellmKey = await stack.client.keyInfo(key);
    expect(litellmKey.key_alias).toBe(`ff-${subA}`);
    expect(litellmKey.models).toEqual(["gpt-4"]);
    expect(litellmKey.max_budget).toBeNull();
    expect(litellmKey.metadata).toMatchObject({ subscription_id: subA, customer: alice.address, provider: stack.provider.address });

    expect(await chat(stack, key, "gpt-4")).toBe(200);
    // The subscription's allowed models hold in LiteLLM.
    expect(await chat(stack, key, "gpt-3.5-turbo")).not.toBe(200);

    const health = (await (await fetch(`${service.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ subscriptions: 1, pending: [], lastError: null });
    expect((health["cursor"] as { height: number }).height).toBeGreaterThan(0);
  });

  it("refuses a forged signature, another customer, a replayed or expired nonce, and reveals nothing", async () => {
    // Forged: claims Alice's address, signed with a key Alice's account does not have.
    let c = await challenge(service, subA, "reveal");
    let r = await post(service, "/v1/keys/reveal", { subscriptionId: subA, nonce: c.nonce, signatures: signUserMessage(forger(alice.address), c.messageHex) });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: "bad_signature", message: expect.stringMatching(/does not verify/) } });

    // Bob, validly signed by Bob, asking for Alice's subscription.
    r = await proven(service, bob, subA, "reveal");
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: { code: "not_owner", message: expect.stringMatching(/not this subscription's customer/) } });

    // Replay: the same signed request twice; the nonce is single-use.
    c = await challenge(service, subA, "reveal");
    const request = { subscriptionId: subA, nonce: c.nonce, signatures: signUserMessage(alice, c.messageHex) };
    const first = await post(service, "/v1/keys/reveal", request);
    expect(first.status).toBe(200);
    delivered.push(String(first.body["key"]));
    r = await post(service, "/v1/keys/reveal", request);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: "nonce_unknown", message: expect.stringMatching(/already used/) } });

    // A failed attempt burns the nonce too: a forger cannot retry on the same challenge.
    c = await challenge(service, subA, "reveal");
    r = await post(service, "/v1/keys/reveal", { subscriptionId: subA, nonce: c.nonce, signatures: signUserMessage(bob, c.messageHex) });
    expect(r.status).toBe(403);
    r = await post(service, "/v1/keys/reveal", { subscriptionId: subA, nonce: c.nonce, signatures: signUserMessage(alice, c.messageHex) });
    expect(r.status).toBe(401);

    // Expired: signed correctly, sent after the challenge's expiry.
    c = await challenge(service, subA, "reveal");
    clockOffset = 61_000;
    r = await post(service, "/v1/keys/reveal", { subscriptionId: subA, nonce: c.nonce, signatures: signUserMessage(alice, c.messageHex) });
    clockOffset = 0;
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: "nonce_expired", message: expect.stringMatching(/expired/) } });

    // A nonce issued for usage does not reveal a key.
    c = await challenge(service, subA, "usage");
    r = await post(service, "/v1/keys/reveal", { subscriptionId: subA, nonce: c.nonce, signatures: signUserMessage(alice, c.messageHex) });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error: { code: "nonce_mismatch" } });

    // Malformed input gets a 400 naming the field; unknown subscriptions a 404.
    r = await post(service, "/v1/keys/reveal", { subscriptionId: "x", nonce: c.nonce, signatures: [] });
    expect(r).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/subscriptionId/) } } });
    r = await post(service, "/v1/challenge", { subscriptionId: "999", action: "reveal" });
    expect(r).toMatchObject({ status: 404, body: { error: { code: "unknown_subscription" } } });

    for (const k of delivered) {
      // No refusal above carried a key.
      expect(JSON.stringify(r.body)).not.toContain(k);
    }
  });

  it("serves pending usage over every key of the subscription behind the same proof", async () => {
    const key = delivered[0]!;
    for (let i = 0; i < 3; i++) expect(await chat(stack, key, "gpt-4")).toBe(200);
    await new Promise((res) => setTimeout(res, SPEND_LOG_DELAY_MS + 300));
    const r = await proven(service, alice, subA, "usage");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // One successful call in the first test plus three here.
    expect(r.body).toMatchObject({ subscriptionId: subA, usage_summary: { total_requests: 4 } });
    expect(Object.keys(r.body["model_breakdown"] as object)).toEqual(["gpt-4"]);
    expect(r.body["recent_requests"]).toHaveLength(4);
    expect(r.body["daily_usage"]).toHaveLength(1);
    expect((await proven(service, bob, subA, "usage")).status).toBe(403);
  });

  it("rotates on request: the new key works, the old one is refused and deleted, Flow has the new hash", async () => {
    const oldKey = delivered[0]!;
    const r = await proven(service, alice, subA, "rotate");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const newKey = String(r.body["key"]);
    delivered.push(newKey);
    expect(r.body).toMatchObject({ alias: `ff-${subA}-r1`, generation: 1, keyHash: hashKey(newKey) });
    expect(newKey).not.toBe(oldKey);

    expect((await onFlow(subA))?.keyHash).toBe(hashKey(newKey));
    expect(await chat(stack, newKey)).toBe(200);
    expect(await chat(stack, oldKey)).not.toBe(200);
    expect(await stack.client.keyInfoOrNull(oldKey)).toBeNull();
    expect(await reveal(alice, subA)).toBe(newKey);

    const events = await keyEventsOnFlow(stack);
    expect(events.issued.get(subA)).toBe(1);
    expect(events.rotated.get(subA)).toBe(1);

    // Usage still counts the rotated-out key.
    await new Promise((res) => setTimeout(res, SPEND_LOG_DELAY_MS + 300));
    const usage = await proven(service, alice, subA, "usage");
    expect(usage.body).toMatchObject({ usage_summary: { total_requests: 5 } });
    expect(usage.body["keyHashes"]).toEqual([hashKey(oldKey), hashKey(newKey)]);
  });

  it("a key revoked on Flow stops working in LiteLLM; a new one can be requested", async () => {
    const key = delivered[delivered.length - 1]!;
    await sendTransaction(stack.ctx, subscriptionsRevokeKeyCustomer, { id: subA }, keyAuthorization(alice));
    await waitFor("revoked key deleted in LiteLLM", async () => (await stack.client.keyInfoOrNull(key)) === null);
    expect(await chat(stack, key)).not.toBe(200);
    const r = await proven(service, alice, subA, "reveal");
    expect(r).toMatchObject({ status: 409, body: { error: { code: "no_key" } } });

    const again = await proven(service, alice, subA, "rotate");
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const fresh = String(again.body["key"]);
    delivered.push(fresh);
    expect(again.body).toMatchObject({ alias: `ff-${subA}-r2`, generation: 2 });
    expect((await onFlow(subA))?.keyHash).toBe(hashKey(fresh));
    expect(await chat(stack, fresh)).toBe(200);
    expect((await keyEventsOnFlow(stack)).issued.get(subA)).toBe(2);
  });

  it("suspension on Flow blocks the key, resumption unblocks it, an update changes its models", async () => {
    const subC = await createSub(stack, bob, { models: ["gpt-4"], cap: "1.0" });
    await waitFor("key of subscription C attached", () => attached(service, subC));
    const key = await reveal(bob, subC);
    expect(await chat(stack, key)).toBe(200);

    // A quorum-signed report bills more than the period cap: Flow suspends the subscription.
    await enableSettlement(stack.ctx);
    await settleLines(stack.ctx, [{ subscriptionId: BigInt(subC), family: "gpt-4", tokens: 50_000n, requests: 10n, requestsRoot: rootOf(3) }]);
    expect((await onFlow(subC))?.status).toBe("Suspended");
    await waitFor("key of subscription C blocked", async () => (await stack.client.keyInfo(key)).blocked === true);
    expect(await chat(stack, key)).not.toBe(200);
    // The live limit may block the key (cap reached) a tick before the follower reads the event.
    await waitFor("suspension of subscription C recorded", () => service.record(subC)?.lifecycle === "suspended");

    // Lifting the cap resumes it, and the new model list reaches LiteLLM.
    await sendTransaction(stack.ctx, subscriptionsUpdateSubscription, { id: subC, maxBudgetPerPeriod: null, allowedModels: ["gpt-4", "llama-3-70b"] }, keyAuthorization(bob));
    expect((await onFlow(subC))?.status).toBe("Active");
    await waitFor("key of subscription C unblocked", async () => (await stack.client.keyInfo(key)).blocked === false);
    await waitFor("models of subscription C updated", async () => (await stack.client.keyInfo(key)).models.length === 2);
    expect(await chat(stack, key, "llama-3-70b")).toBe(200);
  });

  it("a close request blocks the key at once", async () => {
    const subB = await createSub(stack, bob, { models: null, cap: null });
    await waitFor("key of subscription B attached", () => attached(service, subB));
    const key = await reveal(bob, subB);
    expect(await chat(stack, key, "claude-3-sonnet")).toBe(200); // no model list: every model

    await sendTransaction(stack.ctx, subscriptionsRequestClose, { id: subB }, keyAuthorization(bob));
    await waitFor("key of subscription B blocked", async () => (await stack.client.keyInfo(key)).blocked === true);
    expect(await chat(stack, key)).not.toBe(200);
    expect(service.record(subB)?.lifecycle).toBe("closing");
    // Rotation is refused on a closing subscription.
    expect(await proven(service, bob, subB, "rotate")).toMatchObject({ status: 409, body: { error: { code: "not_open" } } });
  });

  it("a new billing period lifts a cap suspension without any usage, and the key works again", async () => {
    const admin = keyAuthorization(serviceSigner());
    // The contract's shortest period (60 s), so the test sees one end.
    await sendTransaction(stack.ctx, subscriptionsAdminSetPeriod, { seconds: "60.0" }, admin);
    try {
      const subD = await createSub(stack, bob, { models: null, cap: "1.0" });
      await waitFor("key of subscription D attached", () => attached(service, subD));
      const key = await reveal(bob, subD);
      await enableSettlement(stack.ctx);
      await settleLines(stack.ctx, [{ subscriptionId: BigInt(subD), family: "gpt-4", tokens: 50_000n, requests: 10n, requestsRoot: rootOf(4) }]);
      expect((await onFlow(subD))?.status).toBe("Suspended");
      await waitFor("key of subscription D blocked", async () => (await stack.client.keyInfo(key)).blocked === true);
      // No usage can come (the key is blocked): the service starts the due period itself.
      await waitFor("key of subscription D unblocked by the new period", async () => (await stack.client.keyInfo(key)).blocked === false, 150_000);
      expect(service.record(subD)?.lifecycle).toBe("active");
      expect((await onFlow(subD))?.periodSpent).toBe("0.00000000");
      expect(await chat(stack, key)).toBe(200);
    } finally {
      await sendTransaction(stack.ctx, subscriptionsAdminSetPeriod, { seconds: "2592000.0" }, admin);
    }
  }, 200_000);

  it("a burst of new customers: their first keys are attached together, in one transaction", async () => {
    await service.stop();
    const burst: string[] = [];
    for (let i = 0; i < 6; i++) burst.push(await createSub(stack, i % 2 === 0 ? alice : bob, { models: ["gpt-4"] }));
    // One of them asks to close before its key exists: it still gets one, blocked.
    await sendTransaction(stack.ctx, subscriptionsRequestClose, { id: burst[5]! }, keyAuthorization(bob));
    const sent: string[] = [];
    // Four a transaction (and a pass): the burst takes two, the second after following events again.
    service = await startService(stack, { now: () => Date.now() + clockOffset, challengeTtlMs: 60_000, duePeriodCheckMs: 1000, firstKeysPerTransaction: 4, onTransaction: (name) => sent.push(name) });
    await waitFor("keys of the burst attached", () => burst.every((id) => attached(service, id)));
    expect(sent).toEqual(["issue_keys", "issue_keys"]);
    const events = await keyEventsOnFlow(stack);
    for (const id of burst) expect(events.issued.get(id), `KeyIssued of ${id}`).toBe(1);
    for (const [i, id] of burst.entries()) {
      const key = await reveal(i % 2 === 0 ? alice : bob, id);
      expect((await onFlow(id))?.keyHash).toBe(hashKey(key));
      await waitFor(`tpm guard of subscription ${id} set`, async () => ((await stack.client.findKeyByAlias(`ff-${id}`))?.tpm_limit ?? 0) > 0);
      expect(await chat(stack, key)).toBe(i === 5 ? 401 : 200);
    }
  });

  it("never wrote a plaintext key to any log line", () => {
    expect(delivered.length).toBeGreaterThanOrEqual(4);
    expect(logLines.length).toBeGreaterThan(20);
    // The key service's own lines among them, as written (JSON, after redaction).
    expect(logLines.filter((l) => levelOf(l) !== undefined && l.includes('"service":"key-service"')).length).toBeGreaterThan(10);
    for (const line of logLines) {
      expect(containsSecret(line), line).toBe(false);
      for (const key of delivered) expect(line.includes(key)).toBe(false);
    }
  });
});
