/**
 * The live spending limit: per subscription, the escrow and cap room Flow last reported minus the
 * mirror's price of the usage LiteLLM has logged since the last settled window. A subscription
 * whose pending usage has used up its escrow or reached its cap gets a live block (the service
 * journals it and the reconciler blocks the key, through keyDecision); the block goes as soon as a
 * top-up, a settlement, a new period or a cap raise gives room again. Between polls LiteLLM holds
 * the key to the same room by itself, through tpm_limit (guard.ts).
 *
 * Consistency of the two sources: usage counts as pending while its window is after the last
 * settled one, and a subscription's state on Flow is only used together with the settlement
 * state it was read under; when a settlement lands during a pass, every state is read again.
 */
import { formatUFix64, familyOfSpendRow, pricingAt, UNITS_PER_SECOND, type PricingSchedule } from "../../pricing";
import { Windows } from "../../report";
import { isLiteLLMError, type LiteLLMAdminClient, type SpendLogRow } from "../../litellm";
import type { FlowContext } from "../../flow/runtime";
import type { LiveBlock } from "../decision";
import type { LiveView } from "../http/wire";
import type { Logger } from "../../log";
import { currentKey, type SubscriptionRecord } from "../state";
import { msToUnits, readChainViews, readSchedule, readSettlement, unitsToMs, type Settlement } from "./chain";
import { exposureOf, type ChainView, type Exposure } from "./exposure";
import { tokensRoomPays, tpmLimitFor } from "./guard";
import { PendingUsage } from "./pending";
import { pendingRowOf } from "./rows";
import { SpendFollower } from "./spend-follower";
import { EventSourceError } from "../events";

export interface LiveLimitOptions {
  /** false: no live limit (keys are blocked only when Flow suspends them). Default true. */
  enabled?: boolean;
  /** false: no tpm_limit on keys, polling alone. Default true. */
  guard?: boolean;
  /** Look-back of each spend-log poll (ms): LiteLLM's batch delay plus the longest call expected. Default 15 s. */
  lookbackMs?: number;
  /** Full re-read back to the oldest unsettled window, for longer calls (ms). Default 60 s. */
  sweepMs?: number;
  /** Pricing schedule re-read (ms). Default 15 s: a stale schedule only over-prices a price cut. */
  scheduleRefreshMs?: number;
  /** A subscription's state on Flow is re-read at least this often (ms), besides after its events. Default 30 s. */
  viewRefreshMs?: number;
  /** LiteLLM's rate-limit window (LITELLM_RATE_LIMIT_WINDOW_SIZE), ms. Default 60 s. */
  rateWindowMs?: number;
}


interface Live {
  exposure: Exposure;
  tpmLimit: number | null;
  at: number;
}

interface Deps {
  flow: FlowContext;
  litellm: LiteLLMAdminClient;
  now: () => number;
  log: Logger;
  pollIntervalMs: number;
}

export class LiveLimit {
  readonly enabled: boolean;
  private readonly guard: boolean;
  private readonly o: Required<Omit<LiveLimitOptions, "enabled" | "guard">>;
  private readonly follower: SpendFollower;
  private readonly pending = new PendingUsage();
  private readonly views = new Map<string, { view: ChainView | null; at: number }>();
  private readonly dirty = new Set<string>();
  private readonly live = new Map<string, Live>();
  private readonly applied = new Map<string, number>();
  private settlement: Settlement | null = null;
  private schedule: { value: PricingSchedule; at: number } | null = null;
  /** A whole pass has completed since start: only then may a live block be lifted. */
  ready = false;
  lastPassAt: number | null = null;

  constructor(
    private readonly d: Deps,
    options: LiveLimitOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.guard = options.guard ?? true;
    this.o = {
      lookbackMs: options.lookbackMs ?? 15_000,
      sweepMs: options.sweepMs ?? 60_000,
      scheduleRefreshMs: options.scheduleRefreshMs ?? 15_000,
      viewRefreshMs: options.viewRefreshMs ?? 30_000,
      rateWindowMs: options.rateWindowMs ?? 60_000,
    };
    this.follower = new SpendFollower(d.litellm, { lookbackMs: this.o.lookbackMs, sweepMs: this.o.sweepMs, now: d.now });
  }

  /** An event about `id` was seen (top-up, update, suspension, new period...): read its state on Flow again. */
  touch(id: string): void {
    this.dirty.add(id);
  }

  /**
   * The tpm_limit a new key of `id` gets: the guard when known, 0 (refuse until the first pass
   * has priced it) when not, undefined when the guard is off.
   */
  tpmFor(id: string): number | undefined {
    if (!this.enabled || !this.guard) return undefined;
    return this.live.get(id)?.tpmLimit ?? 0;
  }

  /**
   * One pass: settlement state, schedule, new spend rows, each open subscription's exposure; then
   * the guards. Returns each subscription's live block once a whole pass has completed.
   */
  async run(subs: ReadonlyMap<string, SubscriptionRecord>): Promise<Map<string, LiveBlock | null>> {
    const out = new Map<string, LiveBlock | null>();
    if (!this.enabled) return out;
    const now = this.d.now();
    const open = [...subs.values()].filter((s) => s.lifecycle !== "closed");
    await this.refreshSchedule(now);
    const schedule = (this.schedule as { value: PricingSchedule }).value;
    // States on Flow and the settled window they belong with, read until no settlement lands in between.
    for (let attempt = 0; ; attempt++) {
      const before = await readSettlement(this.d.flow);
      if (this.settlement === null || before.lastSettled !== this.settlement.lastSettled || before.windowSeconds !== this.settlement.windowSeconds) {
        for (const s of open) this.dirty.add(s.id);
      }
      const stale = open.filter((s) => {
        const known = this.views.get(s.id);
        return known === undefined || this.dirty.has(s.id) || now - known.at >= this.o.viewRefreshMs;
      });
      for (const [id, view] of await readChainViews(this.d.flow, stale.map((s) => s.id))) {
        this.views.set(id, { view, at: now });
        this.dirty.delete(id); // only once read: a failed read is tried again next pass
      }
      const after = await readSettlement(this.d.flow);
      if (after.lastSettled === before.lastSettled) {
        this.settlement = after;
        break;
      }
      if (attempt >= 3) throw new EventSourceError("settlements keep landing while the live limit reads Flow; trying again next pass");
      this.settlement = null;
    }
    const settlement = this.settlement;
    this.pending.settle(settlement.lastSettled);
    await this.readRows(subs, settlement, schedule, open);

    const nowUnits = msToUnits(now);
    const windowUnits = settlement.windowSeconds * UNITS_PER_SECOND;
    for (const s of open) {
      const view = this.views.get(s.id)?.view;
      if (view === null || view === undefined) continue;
      const exposure = exposureOf(view, this.pending.windowsOf(s.id), schedule, settlement.windowSeconds, nowUnits);
      const before = this.live.get(s.id);
      let tpmLimit: number | null = null;
      if (this.guard) {
        const cur = currentKey(s);
        // Logged calls LiteLLM still counts in its window are in the exposure already: they must
        // not count twice (unless the window may turn before the next pass and release them).
        const logged = cur === undefined ? 0 : this.pending.windowTokens(cur.hash, now, this.o.rateWindowMs, this.d.pollIntervalMs + 2_000);
        tpmLimit = tpmLimitFor(tokensRoomPays(exposure.room, schedule, s.models, nowUnits, windowUnits), logged);
      }
      this.live.set(s.id, { exposure, tpmLimit, at: now });
      if (exposure.reached !== (before?.exposure.reached ?? null)) {
        this.d.log.info(`subscription ${s.id}: live limit ${exposure.reached === null ? "has room again" : `reached (${exposure.reached})`}: pending ${formatUFix64(exposure.pendingCost)} FLOW, escrow left ${formatUFix64(exposure.escrowLeft)}`);
      }
      out.set(s.id, exposure.reached);
    }
    for (const id of [...this.live.keys()]) if (!subs.has(id) || subs.get(id)?.lifecycle === "closed") this.live.delete(id);
    for (const id of [...this.views.keys()]) if (!subs.has(id) || subs.get(id)?.lifecycle === "closed") this.views.delete(id);
    if (this.guard) await this.applyGuards(open);
    this.lastPassAt = now;
    this.ready = true;
    return out;
  }

  private async refreshSchedule(now: number): Promise<void> {
    if (this.schedule !== null && now - this.schedule.at < this.o.scheduleRefreshMs) return;
    this.schedule = { value: await readSchedule(this.d.flow), at: now };
  }

  private async readRows(subs: ReadonlyMap<string, SubscriptionRecord>, settlement: Settlement, schedule: PricingSchedule, open: readonly SubscriptionRecord[]): Promise<void> {
    const windows = new Windows(settlement.windowSeconds);
    let oldestMs: number;
    if (settlement.lastSettled !== null) oldestMs = windows.startMs(settlement.lastSettled + 1n);
    else {
      // Nothing settled yet: everything since the oldest subscription opened is pending.
      const created = open.map((s) => this.views.get(s.id)?.view?.createdAt).filter((c): c is bigint => c !== undefined);
      oldestMs = created.length === 0 ? this.d.now() : unitsToMs(created.reduce((a, b) => (a < b ? a : b))) - windows.seconds * 1000;
    }
    const families = new Map<string, string | undefined>();
    const familyAt = (window: bigint, group: string, model: string): string | undefined => {
      const memo = `${window}\u0000${group}\u0000${model}`;
      if (!families.has(memo)) families.set(memo, familyOfSpendRow(pricingAt(schedule, windows.startUnits(window)), group, model));
      return families.get(memo);
    };
    await this.follower.poll(oldestMs, (raw: SpendLogRow) => {
      const verdict = pendingRowOf(raw, (id) => subs.has(id), windows, familyAt);
      if ("bad" in verdict) this.d.log.warn(`${verdict.bad}; not counted by the live limit (the connector reports it)`);
      else if ("row" in verdict) this.pending.add(verdict.row);
    });
  }

  private async applyGuards(open: readonly SubscriptionRecord[]): Promise<void> {
    const liveKeys = new Set<string>();
    for (const s of open) {
      const cur = currentKey(s);
      const want = this.live.get(s.id)?.tpmLimit;
      if (cur === undefined || want === undefined || want === null || cur.litellm !== "live" || cur.revoked) continue;
      liveKeys.add(cur.hash);
      if (this.applied.get(cur.hash) === want) continue;
      try {
        await this.d.litellm.updateKey({ key: cur.hash, tpm_limit: want });
        this.applied.set(cur.hash, want);
      } catch (e) {
        if (!isLiteLLMError(e) || e.status !== 404) throw e; // gone: the reconciler deals with it
      }
    }
    for (const hash of [...this.applied.keys()]) if (!liveKeys.has(hash)) this.applied.delete(hash);
    this.pending.pruneKeys(liveKeys);
  }

  /** The live figures of `id`, or null when the limit is off or has not priced it yet. */
  view(id: string): LiveView | null {
    const live = this.live.get(id);
    if (live === undefined) return null;
    const e = live.exposure;
    const toLift = e.reached === "escrow" ? e.unpaid + 1n : e.reached === "cap" && e.cap !== null ? e.periodSpend - e.cap + 1n : null;
    return {
      reached: e.reached,
      pendingTokens: e.pendingTokens.toString(),
      pendingCost: formatUFix64(e.pendingCost),
      escrowLeft: formatUFix64(e.escrowLeft),
      unpaid: formatUFix64(e.unpaid),
      periodSpend: formatUFix64(e.periodSpend),
      cap: e.cap === null ? null : formatUFix64(e.cap),
      toLift: toLift === null ? null : formatUFix64(toLift),
      periodEnd: new Date(unitsToMs(e.periodEnd)).toISOString(),
      room: formatUFix64(e.room),
      tpmLimit: live.tpmLimit,
      asOf: new Date(live.at).toISOString(),
    };
  }

  /** The exposure of `id` (tests and benchmarks). */
  exposure(id: string): Exposure | undefined {
    return this.live.get(id)?.exposure;
  }
}
