import { InjectedCrash, type FaultHook } from "../faults";
import type { ConnectorConfig } from "./config";
import { connect, disconnect, type ConnectorContext, type ConnectorLocal, type FaultPoint } from "./context";
import { ConnectorError, messageOf } from "./errors";
import { createLogger, type Logger } from "../log";
import { connectorSecrets } from "./config";
import { startPublisher, type Publisher } from "./publish";
import { aggregate } from "./stages/aggregate";
import { prove } from "./stages/prove";
import { publish } from "./stages/publish";
import { requestAttestation } from "./stages/request";
import { settle } from "./stages/settle";
import { sign } from "./stages/sign";
import { verify } from "./stages/verify";
import { ConnectorState, isTerminal, type Stage, type STAGES, type WindowRecord } from "./state";
import { Windows } from "../report";

export type { FaultPoint };

/**
 * The connector: for every closed window, in order, seven stages, each persisted before the
 * next starts (state.ts):
 *   1 aggregated  LiteLLM spend logs -> report lines (late rows of earlier windows included), read
 *                 from LiteLLM's database when LITELLM_DATABASE_URL is set, else from its API
 *   2 published   /reports/<w> and /reports/<w>/summary, immutable
 *   3 requested   Web2Json request prepared by Flare's verifier, sent to FdcHub with its fee
 *   4 proved      round finalized on the Relay; proof from the DA layer, checked
 *   5 verified    proof submitted to UsageReportVerifier on Coston2
 *   6 signed      oracle quorum over the digest Coston2 stored
 *   7 settled     report settled by FlareFDCTriggers on Flow (chunked if large)
 * A window without usage is recorded as skipped. Windows go strictly in order: Coston2 and Flow
 * both refuse a window older than the last one.
 */

type Step = {
  from: Stage;
  to: (typeof STAGES)[number];
  /** Persists the record at `to` and returns it, or returns why the window must wait. */
  run: (ctx: ConnectorContext, record: WindowRecord) => Promise<WindowRecord | string>;
};

/** Stages 2 to 7, in order; stage 1 makes the record they take. */
const PIPELINE: readonly Step[] = [
  { from: "aggregated", to: "published", run: publish },
  { from: "published", to: "requested", run: requestAttestation },
  { from: "requested", to: "proved", run: prove },
  { from: "proved", to: "verified", run: verify },
  { from: "verified", to: "signed", run: sign },
  { from: "signed", to: "settled", run: settle },
];

export type ConnectorDeps = {
  /** Default: src/log.ts's logger, told the configuration's secrets. */
  log?: Logger;
  fault?: FaultHook<FaultPoint, bigint>;
};

export type TickResult = { progressed: boolean; waiting?: string; lastDone?: bigint };

export class Connector {
  private readonly local: ConnectorLocal;
  private ctx: ConnectorContext | undefined;
  private publisher: Publisher | undefined;
  private startWindow = 0n;
  /** Every recorded window before it is settled or skipped; found by the first poll after init. */
  private cursor: bigint | undefined;

  constructor(
    readonly config: ConnectorConfig,
    deps: ConnectorDeps = {},
  ) {
    this.local = {
      config,
      state: new ConnectorState(config.stateDir),
      windows: new Windows(config.windowSeconds),
      log: deps.log ?? createLogger("connector", { secrets: connectorSecrets(config) }),
      fault: deps.fault ?? (() => undefined),
      proving: { misses: new Map(), lastWaitLog: 0 },
    };
  }

  get state(): ConnectorState {
    return this.local.state;
  }

  get windows(): Windows {
    return this.local.windows;
  }

  /** Connects to everything and checks the configuration; clear errors for what is wrong. */
  async init(): Promise<void> {
    const cfg = this.config;
    const meta = this.state.meta({ network: cfg.network, windowSeconds: cfg.windowSeconds }, () => cfg.firstWindow ?? this.windows.of(cfg.now()));
    this.startWindow = BigInt(meta.startWindow);
    this.cursor = undefined;
    if (this.ctx) await disconnect(this.ctx);
    this.ctx = undefined;
    this.ctx = await connect(this.local);
    if (cfg.publisher.listen && !this.publisher) {
      this.publisher = await startPublisher({ stateDir: this.state.dir, host: cfg.publisher.listen.host, port: cfg.publisher.listen.port, log: this.local.log.child({ component: "publisher" }) });
    }
  }

  async close(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = undefined;
    if (ctx) await disconnect(ctx);
    await this.publisher?.stop();
    this.publisher = undefined;
  }

  /**
   * The next window to work on: the oldest unfinished record, else the first closed window not
   * recorded. Records are contiguous and only this connector advances them, so one scan at the
   * first poll finds where work resumes; after that a poll reads the record at the cursor alone
   * (a year of 5-minute windows is 105,120 records, which every poll used to read).
   */
  private nextWindow(): bigint | undefined {
    this.cursor ??= this.firstUnfinished();
    let record = this.state.get(this.cursor);
    while (record !== undefined && isTerminal(record.stage)) {
      this.cursor += 1n;
      record = this.state.get(this.cursor);
    }
    if (record !== undefined) return this.cursor;
    const closed = this.windows.lastClosed(this.config.now(), this.config.closeDelaySeconds);
    if (closed === undefined || this.cursor > closed) return undefined;
    return this.cursor;
  }

  private firstUnfinished(): bigint {
    const records = this.state.all();
    const open = records.find((r) => !isTerminal(r.stage));
    if (open) return BigInt(open.window);
    return records.length > 0 ? BigInt(records[records.length - 1].window) + 1n : this.startWindow;
  }

  /** Advances windows until one must wait (a round not yet final) or none is closed. */
  async tick(): Promise<TickResult> {
    let progressed = false;
    let lastDone: bigint | undefined;
    for (;;) {
      const window = this.nextWindow();
      if (window === undefined) return { progressed, lastDone };
      if (!this.ctx) throw new ConnectorError("crash", "connector not initialised: call init() first");
      const outcome = await advance(this.ctx, window);
      if (outcome !== "done") return { progressed, waiting: outcome, lastDone };
      progressed = true;
      lastDone = window;
    }
  }

  /** Runs until `signal` aborts. Transient failures are logged and retried next poll. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (error) {
        if (error instanceof InjectedCrash) throw error;
        if (error instanceof ConnectorError && (error.kind === "config" || error.kind === "integrity" || error.kind === "fee")) throw error;
        this.local.log.warn(`connector error (will retry): ${messageOf(error)}`);
      }
      await new Promise((r) => setTimeout(r, this.config.pollIntervalMs));
    }
  }
}

/** Takes one window as far as it can go; "done" when it reached a terminal stage. */
async function advance(ctx: ConnectorContext, window: bigint): Promise<"done" | string> {
  let record = ctx.state.get(window);
  if (!record) {
    record = await aggregate(ctx, window);
    ctx.fault("after:aggregated", window);
  }
  for (const step of PIPELINE) {
    if (record.stage !== step.from) continue;
    const next = await step.run(ctx, record);
    if (typeof next === "string") return next;
    record = next;
    ctx.fault(`after:${step.to}`, window);
  }
  return "done";
}
