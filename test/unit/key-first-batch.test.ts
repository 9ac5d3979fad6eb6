/**
 * First keys attached together (Reconciler.attachFirstKeys): each key is journaled "sending"
 * before the one transaction goes, a key Flow skipped is settled alone afterwards (its event
 * looked for, then issue_key's answer), and only first keys made in LiteLLM are sent at all.
 */
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { LiteLLMAdminClient } from "../../src/litellm";
import type { FlowEventSource } from "../../src/keys/events";
import type { FlowKeys } from "../../src/keys/flow-keys";
import { newGeneration } from "../../src/keys/handlers";
import { awaitsFirstKey, firstKeyToAttach, Reconciler } from "../../src/keys/reconcile";
import type { SubscriptionRecord } from "../../src/keys/state";
import { silentLogger } from "../../src/log";

const KEK = randomBytes(32);

function record(id: string, litellm: "pending" | "live" = "live"): SubscriptionRecord {
  const sub: SubscriptionRecord = { id, customer: "0x01", provider: "0x02", models: [], maxBudgetPerPeriod: null, lifecycle: "active", liveBlock: null, keys: [] };
  sub.keys.push({ ...newGeneration(sub, KEK), litellm });
  return sub;
}

interface Fakes {
  saved: { id: string; flow: string; from: number | null }[];
  sentBatches: { id: string; hash: string }[][];
  singles: string[];
  deleted: string[];
}

function reconciler(options: { attachedByBatch: (ids: string[]) => string[]; single?: "attached" | "closed" }): { r: Reconciler; f: Fakes } {
  const f: Fakes = { saved: [], sentBatches: [], singles: [], deleted: [] };
  const flow = {
    issueMany: async (keys: readonly { id: string; hash: string }[]) => {
      f.sentBatches.push([...keys]);
      // Journaled before the transaction: a crash now leaves a marker for every key in it.
      for (const k of keys) expect(f.saved.some((s) => s.id === k.id && s.flow === "sending" && s.from === 41)).toBe(true);
      return { attached: new Set(options.attachedByBatch(keys.map((k) => k.id))), transactionId: "ab".repeat(32), refused: null };
    },
    attach: async (id: string) => {
      f.singles.push(id);
      return options.single ?? "attached";
    },
  } as unknown as FlowKeys;
  const events = { sealedHeight: async () => 41, range: async () => [] } as unknown as FlowEventSource;
  const litellm = {
    deleteKeys: async ({ keys }: { keys: string[] }) => {
      f.deleted.push(...keys);
      return { deleted_keys: keys };
    },
  } as unknown as LiteLLMAdminClient;
  const r = new Reconciler({
    litellm,
    flow,
    events,
    kek: KEK,
    save: (sub) => {
      const k = sub.keys[0]!;
      f.saved.push({ id: sub.id, flow: k.flow, from: k.sentFromHeight });
    },
    fault: () => undefined,
    log: silentLogger,
    tpmFor: () => undefined,
  });
  return { r, f };
}

describe("first keys attached in one transaction", () => {
  it("journals every key as sending from one height, then marks the ones Flow attached", async () => {
    const subs = [record("1"), record("2"), record("3")];
    const { r, f } = reconciler({ attachedByBatch: (ids) => ids.filter((id) => id !== "2") });
    const out = await r.attachFirstKeys(subs);
    expect(f.sentBatches).toEqual([subs.map((s) => ({ id: s.id, hash: s.keys[0]!.hash }))]);
    expect(out.map((s) => [s.id, s.keys[0]!.flow, s.keys[0]!.sentFromHeight])).toEqual([
      ["1", "attached", null],
      ["2", "sending", 41],
      ["3", "attached", null],
    ]);
    // The inputs are not changed behind the caller's back.
    expect(subs.every((s) => s.keys[0]!.flow === "pending")).toBe(true);
  });

  it("a key the batch skipped because the subscription closed is settled alone: skipped on Flow, deleted in LiteLLM", async () => {
    const { r, f } = reconciler({ attachedByBatch: () => [], single: "closed" });
    const [skipped] = await r.attachFirstKeys([record("7")]);
    expect(skipped!.keys[0]!.flow).toBe("sending");
    const done = await r.reconcile(skipped!);
    // Its KeyIssued was looked for first (none), then issue_key's own read said closed.
    expect(f.singles).toEqual(["7"]);
    expect(done.lifecycle).toBe("closed");
    expect(done.keys[0]).toMatchObject({ flow: "skipped", litellm: "deleted", sealed: null });
    expect(f.deleted).toEqual([done.keys[0]!.hash]);
  });

  it("sends nothing for a key not yet made in LiteLLM, a rotation, a closed or a revoked subscription", async () => {
    const notMade = record("1", "pending");
    const rotated = record("2");
    rotated.keys[0]!.flow = "attached";
    rotated.keys.push({ ...newGeneration(rotated, KEK), litellm: "live" });
    const closed = { ...record("3"), lifecycle: "closed" as const };
    const revoked = record("4");
    revoked.keys[0]!.revoked = true;
    const sending = record("5");
    sending.keys[0]!.flow = "sending";
    for (const sub of [notMade, rotated, closed, revoked, sending]) expect(firstKeyToAttach(sub), sub.id).toBeUndefined();
    expect(awaitsFirstKey(notMade)).toBe(true);
    expect([rotated, closed, revoked, sending].some(awaitsFirstKey)).toBe(false);
    expect(firstKeyToAttach(record("6"))).toBeDefined();
    const { r, f } = reconciler({ attachedByBatch: (ids) => ids });
    await expect(r.attachFirstKeys([record("8"), notMade])).rejects.toThrow("subscription 1: no first key waiting to be attached");
    expect(f.sentBatches).toEqual([]);
    expect(f.saved).toEqual([]);
  });

  it("reconcile leaves a first key made in LiteLLM for the batch, and attaches it alone otherwise", async () => {
    const { r, f } = reconciler({ attachedByBatch: (ids) => ids });
    const deferred = await r.reconcile(record("9"), { batchFirstKey: true });
    expect(deferred.keys[0]!.flow).toBe("pending");
    expect(f.singles).toEqual([]);
    const alone = await r.reconcile(record("10"));
    expect(alone.keys[0]!.flow).toBe("attached");
    expect(f.singles).toEqual(["10"]);
  });
});
