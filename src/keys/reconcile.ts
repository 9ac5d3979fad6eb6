/**
 * Drives LiteLLM and Flow towards a subscription's desired state. Every step
 * is journaled before the next one starts, and every step is safe to repeat:
 * a crash between two steps is resumed by running the reconciler again.
 *
 * Order of a new generation: create in LiteLLM (with the raw key stored
 * beforehand, so a retry recovers the same key) -> attach its hash on Flow ->
 * delete the generation it replaces. The old key works until the new one is
 * attached, so the subscription never lacks a working key.
 */
import {
  aliasFor,
  isLiteLLMError,
  parseAlias,
  rotateKey,
  type FlareFlowKeyMetadata,
  type LiteLLMAdminClient,
} from "../litellm";
import type { FaultHook } from "../faults";
import { fromLiteLLM } from "./audit";
import { openKey } from "./crypto";
import type { FlowEventSource } from "./events";
import { MAX_EVENT_RANGE } from "../flow/runtime/access-node";
import type { FlowKeys } from "./flow-keys";
import type { Logger } from "../log";
import { newGeneration } from "./handlers";
import { currentKey, keyLost, mustDelete, sameModels, shouldBeBlocked, type KeyGeneration, type SubscriptionRecord } from "./state";
import { keyDecision } from "./decision";
import { FlareFlowError } from "../errors";

/** The key service's fault points: after each journaled step. */
export type FaultPoint = "litellm-resolved" | "key-replaced" | "litellm-created" | "flow-sending" | "flow-attached" | "litellm-deleted";

export interface ReconcilerDeps {
  litellm: LiteLLMAdminClient;
  flow: FlowKeys;
  events: FlowEventSource;
  kek: Buffer;
  /** Journals the record (durably) and makes it the in-memory version. */
  save(sub: SubscriptionRecord): void;
  /** Called after each journaled step; tests throw InjectedCrash from it. */
  fault: FaultHook<FaultPoint, SubscriptionRecord>;
  log: Logger;
  /** tpm_limit of a new key (the live limit's guard); undefined: none. */
  tpmFor(subscriptionId: string): number | undefined;
}

function isNotFound(e: unknown): boolean {
  return isLiteLLMError(e) && e.status === 404;
}

export class Reconciler {
  constructor(private readonly d: ReconcilerDeps) {}

  private step(sub: SubscriptionRecord, step: FaultPoint): void {
    this.d.save(sub);
    this.d.fault(step, sub);
  }

  /**
   * Runs every step the subscription still needs; returns the final record. With `batchFirstKey`,
   * a first key made in LiteLLM is left for attachFirstKeys (its `flow` stays "pending").
   */
  async reconcile(input: SubscriptionRecord, options: { batchFirstKey?: boolean } = {}): Promise<SubscriptionRecord> {
    const sub = structuredClone(input);
    // Keys adopted from the chain: LiteLLM says whether (and as what) they still exist.
    for (const [i, k] of sub.keys.entries()) {
      if (k.litellm !== "unknown") continue;
      sub.keys[i] = fromLiteLLM(sub, k, await this.d.litellm.keyInfoOrNull(k.hash));
      this.step(sub, "litellm-resolved");
    }
    if (keyLost(sub)) {
      // Its plaintext is gone with the old journal and LiteLLM no longer has it: the customer gets a new key.
      sub.keys.push(newGeneration(sub, this.d.kek));
      this.step(sub, "key-replaced");
      this.d.log.warn(`subscription ${sub.id}: its key is gone from LiteLLM and cannot be made again; issuing a new one`);
    }
    // Revoked keys and every key of a closed subscription go at once: nothing waits on them.
    for (const k of sub.keys) {
      if ((sub.lifecycle === "closed" || k.revoked) && k.litellm !== "deleted") await this.deleteKey(sub, k);
    }
    const cur = currentKey(sub);
    if (cur !== undefined && !mustDelete(sub, cur)) {
      if (cur.litellm === "pending") await this.create(sub, cur);
      const deferred = options.batchFirstKey === true && cur.flow === "pending" && isFirstKey(sub, cur);
      if (!deferred && (cur.flow === "pending" || cur.flow === "sending")) await this.attach(sub, cur);
      if (cur.flow === "skipped") {
        // Flow closed the subscription before the hash landed: the key must go too.
        for (const k of sub.keys) if (k.litellm !== "deleted") await this.deleteKey(sub, k);
        return sub;
      }
      await this.syncBlocked(sub, cur);
      await this.syncModels(sub, cur);
    }
    // Superseded keys go only once their successor is attached (or there is none to wait for).
    const ready = cur === undefined || mustDelete(sub, cur) || cur.flow === "attached";
    if (ready) {
      for (const k of sub.keys) if (mustDelete(sub, k) && k.litellm !== "deleted") await this.deleteKey(sub, k);
    }
    return sub;
  }

  private metadata(sub: SubscriptionRecord, k: KeyGeneration): FlareFlowKeyMetadata {
    return {
      subscription_id: sub.id,
      customer: sub.customer,
      provider: sub.provider,
      generation: k.generation,
      // For people reading LiteLLM's UI; enforcement of the cap is by suspension on Flow.
      max_budget_per_period_flow: sub.maxBudgetPerPeriod,
    };
  }

  private async create(sub: SubscriptionRecord, cur: KeyGeneration): Promise<void> {
    if (cur.sealed === null) throw new FlareFlowError(`subscription ${sub.id}: ${cur.alias} has no stored key to create`);
    const raw = openKey(this.d.kek, sub.id, cur.alias, cur.sealed);
    const prev = [...sub.keys].reverse().find((k) => k !== cur && k.litellm === "live" && !k.revoked);
    // rotateKey names the new key after the old one's generation + 1; otherwise create it directly
    // (the old key is deleted once the new one is attached, as any superseded key).
    const prevGeneration = prev === undefined ? undefined : parseAlias(prev.alias)?.generation;
    const successor = prevGeneration !== undefined && cur.alias === aliasFor(sub.id, prevGeneration + 1);
    if (prev !== undefined && successor) {
      try {
        await rotateKey(this.d.litellm, {
          currentAlias: prev.alias,
          newRawKey: raw,
          onNewKey: async () => {
            cur.litellm = "live";
            cur.blocked = prev.blocked; // rotateKey copies the old key's blocked flag
            cur.models = [...prev.models];
            this.step(sub, "litellm-created");
            this.d.log.info(`subscription ${sub.id}: ${cur.alias} created in LiteLLM to replace ${prev.alias}`);
            await this.attach(sub, cur);
          },
        });
        prev.litellm = "deleted";
        prev.sealed = null;
        this.step(sub, "litellm-deleted");
        return;
      } catch (e) {
        // The old key vanished from LiteLLM: nothing to rotate from, create the new key directly.
        if (!isNotFound(e) || cur.litellm !== "pending") throw e;
        prev.litellm = "deleted";
        prev.sealed = null;
        this.d.save(sub);
      }
    }
    const blocked = shouldBeBlocked(sub);
    await this.d.litellm.generateKey({
      key_alias: cur.alias,
      key: raw,
      models: sub.models,
      // No LiteLLM budget: LiteLLM counts USD of upstream cost, the cap on Flow is FLOW priced by
      // token tiers. The live limit blocks the key when pending usage reaches the escrow or cap.
      max_budget: null,
      metadata: this.metadata(sub, cur),
      blocked: blocked || undefined,
      // The live limit's guard from the first call on (live/guard.ts).
      tpm_limit: this.d.tpmFor(sub.id),
    });
    cur.litellm = "live";
    cur.blocked = blocked;
    cur.models = [...sub.models];
    this.step(sub, "litellm-created");
    this.d.log.info(`subscription ${sub.id}: ${cur.alias} created in LiteLLM`);
  }

  private async attach(sub: SubscriptionRecord, cur: KeyGeneration): Promise<void> {
    if (cur.flow === "attached") return;
    if (cur.flow === "sending" && cur.sentFromHeight !== null) {
      // A transaction may have landed before a crash, and Flow may have moved on since
      // (revoked, rotated): its event is the proof, and the follower handles what came after.
      if (await this.attachedSince(cur.hash, cur.sentFromHeight)) {
        cur.flow = "attached";
        cur.sentFromHeight = null;
        this.step(sub, "flow-attached");
        return;
      }
    } else {
      cur.sentFromHeight = await this.d.events.sealedHeight();
      cur.flow = "sending";
      this.step(sub, "flow-sending");
    }
    const previous = sub.keys.filter((k) => k !== cur).map((k) => k.hash);
    const result = await this.d.flow.attach(sub.id, cur.hash, previous);
    if (result === "closed") {
      cur.flow = "skipped";
      sub.lifecycle = "closed";
    } else {
      cur.flow = "attached";
    }
    cur.sentFromHeight = null;
    this.step(sub, "flow-attached");
    this.d.log.info(`subscription ${sub.id}: ${cur.alias} ${result === "closed" ? "not attached (closed on Flow)" : "attached on Flow"}`);
  }

  /**
   * Attaches the first keys of `subs` (each made in LiteLLM, not yet on Flow: see
   * firstKeyToAttach) in one issue_keys transaction, with the same crash marker as one key: every
   * key is journaled "sending" from one sealed height before the transaction goes. Returns the
   * records; a key Flow skipped or refused stays "sending", for reconcile() to settle alone (its
   * KeyIssued is looked for first, then issue_key says why, or that the subscription closed).
   */
  async attachFirstKeys(subs: readonly SubscriptionRecord[]): Promise<SubscriptionRecord[]> {
    const batch = subs.map((s) => structuredClone(s));
    const keys = batch.map((sub) => {
      const cur = firstKeyToAttach(sub);
      if (cur === undefined) throw new FlareFlowError(`subscription ${sub.id}: no first key waiting to be attached`);
      return cur;
    });
    const from = await this.d.events.sealedHeight();
    for (const [i, sub] of batch.entries()) {
      keys[i].sentFromHeight = from;
      keys[i].flow = "sending";
      this.step(sub, "flow-sending");
    }
    const { attached, transactionId, refused } = await this.d.flow.issueMany(batch.map((sub, i) => ({ id: sub.id, hash: keys[i].hash })));
    for (const [i, sub] of batch.entries()) {
      if (!attached.has(sub.id)) continue;
      keys[i].flow = "attached";
      keys[i].sentFromHeight = null;
      this.step(sub, "flow-attached");
    }
    if (refused !== null) this.d.log.warn(`issue_keys refused for ${batch.length} first keys (each is tried alone next): ${refused}`);
    else this.d.log.info(`${attached.size} of ${batch.length} first keys attached on Flow in transaction ${transactionId}`);
    return batch;
  }

  private async attachedSince(hash: string, from: number): Promise<boolean> {
    const head = await this.d.events.sealedHeight();
    for (let start = from; start <= head; start += MAX_EVENT_RANGE) {
      const end = Math.min(head, start + MAX_EVENT_RANGE - 1);
      const events = await this.d.events.range(start, end, ["KeyIssued", "KeyRotated"]);
      if (events.some((e) => (e.name === "KeyIssued" ? e.data.keyHash : e.name === "KeyRotated" ? e.data.newKeyHash : "") === hash)) return true;
    }
    return false;
  }

  private async deleteKey(sub: SubscriptionRecord, k: KeyGeneration): Promise<void> {
    try {
      await this.d.litellm.deleteKeys({ keys: [k.hash] });
    } catch (e) {
      if (!isNotFound(e)) throw e; // already gone: done
    }
    k.litellm = "deleted";
    k.sealed = null; // crypto-shred: nothing left to deliver
    this.step(sub, "litellm-deleted");
    this.d.log.info(`subscription ${sub.id}: ${k.alias} deleted in LiteLLM`);
  }

  private async syncBlocked(sub: SubscriptionRecord, cur: KeyGeneration): Promise<void> {
    const want = shouldBeBlocked(sub);
    if (cur.litellm !== "live" || cur.blocked === want) return;
    try {
      if (want) await this.d.litellm.blockKey(cur.hash);
      else await this.d.litellm.unblockKey(cur.hash);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // The key disappeared from LiteLLM behind our back: create it again (same raw key) next pass.
      this.d.log.warn(`subscription ${sub.id}: ${cur.alias} is missing in LiteLLM; it will be created again`);
      cur.litellm = "pending";
      this.d.save(sub);
      return;
    }
    cur.blocked = want;
    this.d.save(sub);
    const why = keyDecision(sub.lifecycle, sub.liveBlock).reason;
    this.d.log.info(`subscription ${sub.id}: ${cur.alias} ${want ? `blocked (${why})` : "unblocked"} (${sub.lifecycle})`);
  }

  private async syncModels(sub: SubscriptionRecord, cur: KeyGeneration): Promise<void> {
    if (cur.litellm !== "live" || sameModels(cur.models, sub.models)) return;
    await this.d.litellm.updateKey({ key: cur.hash, models: sub.models });
    cur.models = [...sub.models];
    this.d.save(sub);
  }
}

/** The subscription's only key, made in LiteLLM and never sent to Flow: issue_key's case, never rotate_key's. */
function isFirstKey(sub: SubscriptionRecord, cur: KeyGeneration): boolean {
  return sub.keys.length === 1 && sub.keys[0] === cur && cur.generation === 0;
}

/** The subscription's first key, while it has not been sent to Flow yet. */
function waitingFirstKey(sub: SubscriptionRecord): KeyGeneration | undefined {
  const cur = currentKey(sub);
  if (cur === undefined || mustDelete(sub, cur) || !isFirstKey(sub, cur) || cur.flow !== "pending") return undefined;
  return cur;
}

/** Whether the subscription still waits for its first key to be attached on Flow. */
export function awaitsFirstKey(sub: SubscriptionRecord): boolean {
  return waitingFirstKey(sub) !== undefined;
}

/** The key attachFirstKeys may send for `sub`: its first key, made in LiteLLM, not yet sent to Flow. */
export function firstKeyToAttach(sub: SubscriptionRecord): KeyGeneration | undefined {
  const cur = waitingFirstKey(sub);
  return cur?.litellm === "live" ? cur : undefined;
}
