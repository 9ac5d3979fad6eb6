/**
 * The key service: follows SimpleUsageSubscriptions events from a durable
 * cursor, keeps each subscription's LiteLLM key and Flow key hash in the state
 * the events ask for, and serves wallet-proven key delivery and usage.
 */
import { isLiteLLMError } from "../litellm";
import { codec, type FlowContext } from "../flow/runtime";
import { auditLiteLLM } from "./audit";
import { deliverable } from "./delivery";
import { FlowEventSource, type PositionedEvent } from "./events";
import { MAX_EVENT_RANGE } from "../flow/runtime/access-node";
import { FlowKeys } from "./flow-keys";
import { applyEvent, newGeneration } from "./handlers";
import { ChallengeStore } from "./http/challenges";
import { keyError } from "./http/errors";
import { keyServiceRoutes, type DeliveredKey, type KeyServiceApi } from "./http/routes";
import { startJsonServer, type JsonServer } from "./http/server";
import { Journal } from "./journal";
import { createLogger, type Logger } from "../log";
import { secretsOfOptions } from "./secrets";
import { describeError } from "../redact";
import { InjectedCrash } from "../faults";
import { awaitsFirstKey, firstKeyToAttach, Reconciler } from "./reconcile";
import { KeyedSerial, Serial } from "./serial";
import { currentKey, needsWork, type Cursor, type SubscriptionRecord } from "./state";
import { StateFileError } from "./state-validate";
import { DuePeriods } from "./due-periods";
import { cursorBeyondChain, handledBy } from "./cursor";
import type { KeyServiceHealth, KeyServiceOptions } from "./options";
import { LiveLimit } from "./live/limiter";
import type { UsageAnswer } from "./http/wire";
import { KeyServiceConfigError } from "./config";
import { FlareFlowError } from "../errors";

const SERVICES_DOCS = { docs: "README.md#services" };

export type { KeyServiceHealth, KeyServiceOptions };

/**
 * First keys attached per issue_keys transaction: a burst of new customers waits on blocks, not
 * on one transaction each. At 200, `npm run bench -- scale` measured 1,325 computation per
 * transaction (6.6 per key), far inside Flow's limit of 9,999.
 */
export const FIRST_KEYS_PER_TRANSACTION = 200;

/** Events applied between two turns of the event loop, so the HTTP API answers during a burst. */
const EVENTS_PER_TURN = 50;

/** Lets pending I/O callbacks (HTTP requests) run before the loop goes on. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class KeyService implements KeyServiceApi {
  readonly flow: FlowContext;
  readonly challenges: ChallengeStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly events: FlowEventSource;
  private readonly reconciler: Reconciler;
  private readonly serial = new Serial();
  /** Customer rotations, one at a time per subscription, each answered with the key it made. */
  private readonly rotations = new KeyedSerial();
  private readonly subs: Map<string, SubscriptionRecord>;
  private cursor: Cursor;
  private readonly provider: string;
  private sealedHeight: number | null = null;
  private lastError: KeyServiceHealth["lastError"] = null;
  private lastProgressAt: number | null = null;
  private readonly retry = new Map<string, { failures: number; notBefore: number }>();
  private readonly duePeriods: DuePeriods;
  /** The live spending limit (live/limiter.ts). */
  readonly live: LiveLimit;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private running = false;
  private crashed = false;
  /** The follower has reached the sealed head once since start: every key hash ever on Flow is in a record. */
  private caughtUp = false;
  /** LiteLLM has been audited against the records since start; nothing is changed before. */
  private audited = false;
  private server: JsonServer | null = null;

  private constructor(
    private readonly options: KeyServiceOptions,
    private readonly journal: Journal,
    loaded: { cursor: Cursor | null; subs: Map<string, SubscriptionRecord> },
  ) {
    this.flow = options.flow;
    this.log =
      options.logger ??
      createLogger("key-service", { secrets: secretsOfOptions(options) });
    this.now = options.now ?? Date.now;
    this.provider = codec.normalizeAddress(options.provider.address, "provider address");
    this.subs = loaded.subs;
    this.cursor = loaded.cursor ?? { height: options.startHeight, last: null };
    this.events = new FlowEventSource(options.flow);
    this.challenges = new ChallengeStore(options.challengeTtlMs ?? 5 * 60_000, this.now, `provider ${this.provider}`, options.challengeLimits);
    this.duePeriods = new DuePeriods(options.flow, options.provider, options.duePeriodCheckMs ?? 30_000, this.now, (line) => this.log.info(line));
    this.live = new LiveLimit(
      { flow: options.flow, litellm: options.litellm, now: this.now, log: this.log, pollIntervalMs: options.pollIntervalMs ?? 1000 },
      options.liveLimit,
    );
    this.reconciler = new Reconciler({
      litellm: options.litellm,
      flow: new FlowKeys(options.flow, options.provider, (name, id) => {
        this.log.info(`sent ${name} ${id}`);
        options.onTransaction?.(name, id);
      }),
      events: this.events,
      kek: options.encryptionKey,
      save: (sub) => this.save({ sub }),
      fault: (step, sub) => options.fault?.(step, sub),
      log: this.log,
      tpmFor: (id) => this.live.tpmFor(id),
    });
  }

  /**
   * Opens the journal (refusing a damaged one, or a wrong encryption key, with
   * the file and line named), checks its cursor against the chain, starts the
   * HTTP listener and the follower.
   */
  static async start(options: KeyServiceOptions): Promise<KeyService> {
    if (options.encryptionKey.length !== 32) throw new KeyServiceConfigError("KeyService: encryptionKey must be 32 bytes");
    if (!Number.isSafeInteger(options.startHeight) || options.startHeight < 0) throw new KeyServiceConfigError("KeyService: startHeight must be a non-negative integer");
    const { journal, state } = Journal.open(options.stateDir, options.encryptionKey);
    const service = new KeyService(options, journal, state);
    try {
      await service.checkCursorAgainstChain(true);
      if (options.http) {
        service.server = await startJsonServer({
          host: options.http.host ?? "127.0.0.1",
          port: options.http.port,
          corsOrigins: options.http.corsOrigins ?? [],
          trustedProxies: options.http.trustedProxies,
          handler: keyServiceRoutes(service, options.leaves),
          onError: (e) => service.log.error(`http: ${describeError(e)}`),
        });
        service.log.info(`listening on ${service.server.url}`);
      }
    } catch (e) {
      journal.close();
      throw e;
    }
    service.running = true;
    if (journal.fresh) {
      service.log.warn(`no journal in ${options.stateDir}: rebuilding the state from the chain (from height ${service.cursor.height}) and auditing LiteLLM`);
    }
    service.log.info(`following events from height ${service.cursor.height} for provider ${service.provider}`);
    service.schedule(0);
    return service;
  }

  get url(): string | null {
    return this.server?.url ?? null;
  }

  /** Stops after the step in progress; the journal holds everything needed to resume. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await this.serial.run(async () => undefined);
    await this.server?.close();
    this.server = null;
    this.journal.close();
  }

  private save(entry: { cursor?: Cursor; sub?: SubscriptionRecord }): void {
    if (this.crashed) throw new InjectedCrash("the service has crashed");
    this.journal.append(entry);
    if (entry.cursor) this.cursor = entry.cursor;
    if (entry.sub) this.subs.set(entry.sub.id, entry.sub);
    this.lastProgressAt = this.now();
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule(this.options.pollIntervalMs ?? 1000);
      });
    }, delay);
  }

  private recordError(error: unknown, subscriptionId: string | null): void {
    if (error instanceof InjectedCrash) {
      this.crashed = true;
      this.running = false;
      this.log.warn(`injected crash${subscriptionId ? ` while handling subscription ${subscriptionId}` : ""}`);
      return;
    }
    const message = describeError(error);
    this.lastError = { message, at: new Date(this.now()).toISOString(), subscriptionId };
    this.log.error(subscriptionId ? `subscription ${subscriptionId}: ${message}` : message);
  }

  /**
   * A cursor beyond the chain's head means the journal belongs to another
   * chain (or the emulator was reset): its records describe keys this chain
   * never saw. `atStart` tolerates an access node that does not answer yet.
   */
  private async checkCursorAgainstChain(atStart: boolean, known?: number): Promise<void> {
    let head = known;
    if (head === undefined) {
      try {
        head = await this.events.sealedHeight();
      } catch (e) {
        if (!atStart) throw e;
        this.log.warn(`access node not answering at start (${describeError(e)}); the journal's cursor is checked once it does`);
        return;
      }
    }
    const problem = cursorBeyondChain(this.cursor, head, `${this.journal.file}:${this.journal.cursorLine ?? 1}`);
    if (problem) throw problem;
  }

  /** One pass: new events into desired state, then (once LiteLLM is audited) due reconciliations. */
  async tick(): Promise<void> {
    try {
      await this.follow();
    } catch (e) {
      if (e instanceof StateFileError) return this.refuse(e);
      this.recordError(e, null);
    }
    if (this.running && this.caughtUp && !this.audited) await this.audit();
    if (!this.running || !this.audited) return;
    await this.runLiveLimit();
    await this.reconcileDue();
    if (this.running) await this.duePeriods.run(this.subs.values()).catch((e: unknown) => this.recordError(e, null));
  }

  /**
   * Prices pending usage and journals each live block that changed; the reconciler then blocks or
   * unblocks the key (keyDecision). A failed pass changes nothing: blocks stay as journaled.
   */
  private async runLiveLimit(): Promise<void> {
    if (!this.live.enabled) return;
    let blocks: Map<string, SubscriptionRecord["liveBlock"]>;
    try {
      blocks = await this.live.run(this.subs);
    } catch (e) {
      this.recordError(e, null);
      return;
    }
    for (const [id, liveBlock] of blocks) {
      await this.serial.run(async () => {
        const sub = this.subs.get(id);
        if (sub === undefined || sub.liveBlock === liveBlock) return;
        this.save({ sub: { ...sub, liveBlock } });
        this.retry.delete(id);
      });
    }
  }

  /** Stops for good: continuing would act on records that do not describe this chain. */
  private refuse(e: StateFileError): void {
    this.recordError(e, null);
    this.running = false;
    this.log.error("refusing to continue; the HTTP API stays up for /health");
  }

  private async audit(): Promise<void> {
    await this.serial
      .run(async () => {
        const { changed, deleted } = await auditLiteLLM(this.options.litellm, this.subs, this.log);
        for (const sub of changed) this.save({ sub });
        this.audited = true;
        this.log.info(`LiteLLM audited: ${changed.length} record(s) corrected, ${deleted.length} unknown key(s) deleted`);
      })
      .catch((e: unknown) => this.recordError(e, null));
  }

  private async follow(): Promise<void> {
    const head = await this.events.sealedHeight();
    this.sealedHeight = head;
    await this.checkCursorAgainstChain(false, head);
    const size = Math.min(MAX_EVENT_RANGE, Math.max(1, this.options.eventRangeSize ?? MAX_EVENT_RANGE));
    while (this.running && this.cursor.height <= head) {
      const start = this.cursor.height;
      const end = Math.min(head, start + size - 1);
      const events = await this.events.range(start, end);
      for (const [i, event] of events.entries()) {
        if (!this.running) return;
        if (i % EVENTS_PER_TURN === EVENTS_PER_TURN - 1) await nextTurn();
        if (handledBy(this.cursor, event)) continue;
        await this.serial.run(async () => this.handle(event));
      }
      if (!this.running) return;
      await this.serial.run(async () => this.save({ cursor: { height: end + 1, last: null } }));
      this.journal.maybeCompact({ cursor: this.cursor, subs: this.subs });
    }
    if (this.running && this.cursor.height > head) this.caughtUp = true;
  }

  private handle(event: PositionedEvent): void {
    // Any event about a subscription may change its money or period: the live limit reads Flow again.
    this.live.touch(event.data.id.toString());
    const changed = applyEvent(event, this.subs, { provider: this.provider, kek: this.options.encryptionKey });
    if (changed === null) return; // not ours or already applied: the range's end cursor covers it
    const cursor: Cursor = { height: event.blockHeight, last: { transactionIndex: event.transactionIndex, eventIndex: event.eventIndex } };
    // The change and the cursor move together, in one appended line.
    this.save({ cursor, sub: changed });
    this.retry.delete(changed.id); // new desired state: try at once
    this.log.info(`subscription ${changed.id}: ${event.name} at height ${event.blockHeight}`);
  }

  /**
   * Every subscription that needs work and is not waiting to retry. When several wait for their
   * first key, those are made in LiteLLM one by one and then attached on Flow together
   * (attachFirstKeysDue).
   */
  private async reconcileDue(): Promise<void> {
    const due = [...this.subs.values()].filter((sub) => {
      const r = this.retry.get(sub.id);
      return needsWork(sub) && !(r && this.now() < r.notBefore);
    });
    const batchFirstKey = due.filter(awaitsFirstKey).length > 1;
    const perBatch = this.firstKeysPerTransaction();
    let firstKeys = 0;
    for (const sub of due) {
      if (!this.running) return;
      if (batchFirstKey && awaitsFirstKey(sub)) {
        // One batch per pass: the next pass follows new events (and answers the live limit) first.
        if (firstKeys >= perBatch) continue;
        firstKeys += 1;
      }
      await this.reconcileNow(sub.id, { batchFirstKey }).catch(() => undefined);
      await nextTurn();
    }
    if (batchFirstKey) await this.attachFirstKeysDue();
  }

  private firstKeysPerTransaction(): number {
    return Math.max(1, Math.floor(this.options.firstKeysPerTransaction ?? FIRST_KEYS_PER_TRANSACTION));
  }

  /** First keys made in LiteLLM and not yet on Flow, firstKeysPerTransaction() per transaction. */
  private async attachFirstKeysDue(): Promise<void> {
    const ready = [...this.subs.values()].filter((sub) => firstKeyToAttach(sub) !== undefined).map((sub) => sub.id);
    const perBatch = this.firstKeysPerTransaction();
    for (let i = 0; i < ready.length && this.running; i += perBatch) {
      const ids = ready.slice(i, i + perBatch);
      await this.serial
        .run(async () => {
          if (this.crashed) throw new InjectedCrash("the service has crashed");
          // Events may have changed a record since it was picked (a close, a revocation).
          const subs = ids.map((id) => this.subs.get(id)).filter((sub): sub is SubscriptionRecord => sub !== undefined && firstKeyToAttach(sub) !== undefined);
          if (subs.length > 0) await this.reconciler.attachFirstKeys(subs);
        })
        .catch((e: unknown) => this.recordError(e, null));
      await nextTurn();
    }
  }

  /** Reconciles one subscription now; records failures for the retry schedule and rethrows them. */
  private async reconcileNow(id: string, options: { batchFirstKey?: boolean } = {}): Promise<SubscriptionRecord> {
    return this.serial.run(async () => {
      const sub = this.subs.get(id);
      if (sub === undefined) throw new FlareFlowError(`unknown subscription ${id}`, SERVICES_DOCS);
      if (this.crashed) throw new InjectedCrash("the service has crashed");
      if (!this.audited) throw new FlareFlowError("the key service is still catching up with the chain and LiteLLM", SERVICES_DOCS);
      try {
        const done = await this.reconciler.reconcile(sub, options);
        this.retry.delete(id);
        return done;
      } catch (e) {
        const failures = (this.retry.get(id)?.failures ?? 0) + 1;
        const base = this.options.retryDelayMs ?? 1000;
        const delay = Math.min(this.options.maxRetryDelayMs ?? 60_000, base * 2 ** (failures - 1));
        this.retry.set(id, { failures, notBefore: this.now() + delay });
        this.recordError(e, id);
        throw e;
      }
    });
  }

  // ---- KeyServiceApi ----

  customerOf(subscriptionId: string): string | undefined {
    return this.subs.get(subscriptionId)?.customer;
  }

  reveal(subscriptionId: string): DeliveredKey {
    const cur = currentKey(this.known(subscriptionId));
    return this.deliver(subscriptionId, cur?.generation ?? -1);
  }

  /** The key of `generation`, if it is still the subscription's current, deliverable key. */
  private deliver(subscriptionId: string, generation: number): DeliveredKey {
    const sub = this.known(subscriptionId);
    const { key, alias, hash } = deliverable(sub, generation, this.options.encryptionKey);
    this.log.info(`subscription ${subscriptionId}: delivered ${alias} to its customer`);
    return { subscriptionId, key, keyHash: hash, alias, generation };
  }

  private known(subscriptionId: string): SubscriptionRecord {
    const sub = this.subs.get(subscriptionId);
    if (sub === undefined) throw keyError(404, "unknown_subscription", `subscription ${subscriptionId} is not served by this key service`);
    return sub;
  }

  /**
   * A new key on the customer's request. Requests for one subscription run one
   * after the other, each making exactly one rotation and answered with the key
   * it made (a later request's key never answers an earlier one).
   */
  async rotate(subscriptionId: string): Promise<DeliveredKey> {
    return this.rotations.run(subscriptionId, async () => {
      const generation = await this.serial.run(async () => {
        const sub = this.known(subscriptionId);
        if (sub.lifecycle === "closed" || sub.lifecycle === "closing") {
          throw keyError(409, "not_open", `subscription ${subscriptionId} is ${sub.lifecycle}; its key cannot change`);
        }
        const cur = currentKey(sub);
        if (cur !== undefined && !cur.revoked && (cur.litellm !== "live" || cur.flow !== "attached")) {
          throw keyError(409, "key_pending", `a key of subscription ${subscriptionId} is still being issued; try again shortly`);
        }
        const next = newGeneration(sub, this.options.encryptionKey);
        // The intent (with the new raw key, sealed) is durable before anything else happens.
        this.save({ sub: { ...sub, keys: [...sub.keys, next] } });
        this.log.info(`subscription ${subscriptionId}: new key requested by its customer`);
        return next.generation;
      });
      try {
        await this.reconcileNow(subscriptionId);
      } catch {
        throw keyError(503, "rotation_pending", "the new key is recorded and will be issued when LiteLLM and Flow answer; reveal it later");
      }
      return this.deliver(subscriptionId, generation);
    });
  }

  async usage(subscriptionId: string, startDate?: Date, endDate?: Date): Promise<UsageAnswer> {
    const sub = this.known(subscriptionId);
    // Every key the subscription ever had: usage of rotated-out keys still counts.
    const keyHashes = sub.keys.filter((k) => k.litellm !== "pending").map((k) => k.hash);
    try {
      const usage = await this.options.litellm.getUsageForKeys(keyHashes, startDate, endDate);
      return { subscriptionId, keyHashes, ...usage, live: this.live.view(subscriptionId) };
    } catch (e) {
      // Health names the failure, never the request: the dates are the customer's input.
      this.recordError(new Error(`LiteLLM did not answer a usage query (${isLiteLLMError(e) ? `${e.kind}${e.status ? ` ${e.status}` : ""}` : "no answer"})`), subscriptionId);
      throw keyError(503, "litellm_unavailable", "LiteLLM did not answer; try again shortly");
    }
  }

  health(): KeyServiceHealth {
    const pending = [...this.subs.values()].filter(needsWork).map((s) => s.id);
    const lag = this.sealedHeight === null ? null : Math.max(0, this.sealedHeight - (this.cursor.height - 1));
    return {
      status: !this.running ? "stopped" : !this.audited || pending.length > 0 || (lag ?? 0) > 0 ? "degraded" : "ok",
      cursor: this.cursor,
      sealedHeight: this.sealedHeight,
      lagBlocks: lag,
      subscriptions: this.subs.size,
      pending,
      audited: this.audited,
      lastError: this.lastError,
      lastProgressAt: this.lastProgressAt === null ? null : new Date(this.lastProgressAt).toISOString(),
      liveLimit: {
        enabled: this.live.enabled,
        ready: this.live.ready,
        lastPassAt: this.live.lastPassAt === null ? null : new Date(this.live.lastPassAt).toISOString(),
      },
    };
  }

  /** A copy of one record, for tests and tools. */
  record(subscriptionId: string): SubscriptionRecord | undefined {
    const sub = this.subs.get(subscriptionId);
    return sub === undefined ? undefined : structuredClone(sub);
  }
}
