import { JsonRpcProvider, Wallet } from "ethers";
import { LiteLLMAdminClient } from "../litellm";
import type { FlowContext } from "../flow/runtime";
import type { PricingConfig } from "../pricing";
import { summaryUrl } from "../report";
import type { ConnectorConfig } from "./config";
import { feeFor, prepareRequest, requestBodyFor, votingRoundOf } from "./attest";
import { submitProof } from "./coston2";
import { sendOnce } from "./evm-tx";
import { ConnectorError, InjectedCrash, messageOf } from "./errors";
import { flareContracts, type FlareContracts } from "./flare-contracts";
import { settleOnFlow, settlementState } from "./flow";
import { stageLine, type ConnectorLog } from "./log";
import { collectSignatures, resolveOracles, type OracleIdentity } from "./oracles";
import { onChainPricingAt } from "./pricing-source";
import { checkProof, fetchProof, isRoundFinalized } from "./prove";
import { publishDocuments, startPublisher, type Publisher } from "./publish";
import { reportDocument, serializeDocument, summaryDocument } from "./report-doc";
import { readWindow } from "./read-window";
import { ApiSpendSource, type SpendSource } from "./spend-source";
import { DatabaseSpendSource } from "./spend-db";
import { ConnectorState, isTerminal, type WindowRecord } from "./state";
import { Windows } from "./windows";

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

/** Fault-injection points: after each stage is persisted, and inside the risky steps. */
export type FaultPoint =
  | "after:aggregated"
  | "after:published"
  | "after:requested"
  | "after:proved"
  | "after:verified"
  | "after:signed"
  | "after:settled"
  | "request:recorded"
  | "request:broadcast"
  | "verify:broadcast"
  | "flow:chunk";

export type ConnectorDeps = {
  log?: ConnectorLog;
  /** Called at each fault point; throwing InjectedCrash there simulates the process dying. */
  fault?: (point: FaultPoint, window: bigint) => void;
};

export type TickResult = { progressed: boolean; waiting?: string; lastDone?: bigint };

export class Connector {
  readonly state: ConnectorState;
  readonly windows: Windows;
  private readonly log: ConnectorLog;
  private readonly fault: (point: FaultPoint, window: bigint) => void;
  private provider: JsonRpcProvider | undefined;
  private wallet: Wallet | undefined;
  private contracts: FlareContracts | undefined;
  private oracles: { oracles: OracleIdentity[]; threshold: number } | undefined;
  private publisher: Publisher | undefined;
  private spendSource: SpendSource | undefined;
  private startWindow = 0n;
  private proofMisses = new Map<bigint, number>();
  private lastProgressLog = 0;

  constructor(
    readonly config: ConnectorConfig,
    deps: ConnectorDeps = {},
  ) {
    this.windows = new Windows(config.windowSeconds);
    this.state = new ConnectorState(config.stateDir);
    this.log = deps.log ?? ((line) => console.log(line));
    this.fault = deps.fault ?? (() => undefined);
  }

  private get flow(): FlowContext {
    return { accessNode: this.config.flow.accessNode, addresses: this.config.flow.addresses };
  }

  /** Connects to everything and checks the configuration; clear errors for what is wrong. */
  async init(): Promise<void> {
    const cfg = this.config;
    const meta = this.state.meta({ network: cfg.network, windowSeconds: cfg.windowSeconds }, () => cfg.firstWindow ?? this.windows.of(cfg.now()));
    this.startWindow = BigInt(meta.startWindow);
    this.provider = new JsonRpcProvider(cfg.evm.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, polling: true, pollingInterval: 250 });
    let chainId: bigint;
    try {
      chainId = BigInt(await this.provider.send("eth_chainId", []));
    } catch (error) {
      throw new ConnectorError("unreachable", `EVM RPC ${cfg.evm.rpcUrl} is unreachable: ${messageOf(error)}`);
    }
    if (chainId !== cfg.evm.chainId) throw new ConnectorError("config", `EVM RPC ${cfg.evm.rpcUrl} is chain ${chainId}, the ${cfg.network} configuration expects ${cfg.evm.chainId}`);
    this.wallet = new Wallet(cfg.evm.privateKey, this.provider);
    this.contracts = await flareContracts(this.wallet, cfg.evm.verifierAddress, cfg.evm.rpcUrl);
    const pinnedBase = await this.contracts.verifier.publisherBaseUrl();
    if (pinnedBase !== cfg.publisher.baseUrl) {
      throw new ConnectorError("config", `UsageReportVerifier expects the publisher at ${pinnedBase}, this connector publishes at ${cfg.publisher.baseUrl}`);
    }
    await this.spendSource?.close();
    this.spendSource = cfg.litellm.database
      ? new DatabaseSpendSource(cfg.litellm.database)
      : new ApiSpendSource(new LiteLLMAdminClient({ env: cfg.litellm.env, baseUrl: cfg.litellm.url, retry: { maxAttempts: 2 } }), cfg.litellm.url);
    this.oracles = await resolveOracles(this.flow, cfg.oracles.privateKeys);
    const flowWindow = (await settlementState(this.flow)).windowSeconds;
    if (flowWindow !== undefined && flowWindow !== BigInt(cfg.windowSeconds)) {
      throw new ConnectorError("config", `FlareFDCTriggers settles ${flowWindow}-s windows, this connector cuts ${cfg.windowSeconds}-s windows (FLAREFLOW_WINDOW_SECONDS)`);
    }
    if (cfg.publisher.listen && !this.publisher) {
      this.publisher = await startPublisher({ stateDir: this.state.dir, host: cfg.publisher.listen.host, port: cfg.publisher.listen.port });
    }
  }

  async close(): Promise<void> {
    await this.spendSource?.close();
    this.spendSource = undefined;
    await this.publisher?.stop();
    this.publisher = undefined;
    this.provider?.destroy();
    this.provider = undefined;
  }

  /** The next window to work on: the oldest unfinished record, else the first closed window not recorded. */
  private nextWindow(): bigint | undefined {
    const records = this.state.all();
    const open = records.find((r) => !isTerminal(r.stage));
    if (open) return BigInt(open.window);
    const last = records.length > 0 ? BigInt(records[records.length - 1].window) + 1n : this.startWindow;
    const closed = this.windows.lastClosed(this.config.now(), this.config.closeDelaySeconds);
    if (closed === undefined || last > closed) return undefined;
    return last;
  }

  /** Advances windows until one must wait (a round not yet final) or none is closed. */
  async tick(): Promise<TickResult> {
    let progressed = false;
    let lastDone: bigint | undefined;
    for (;;) {
      const window = this.nextWindow();
      if (window === undefined) return { progressed, lastDone };
      const outcome = await this.advance(window);
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
        this.log(`connector error (will retry): ${messageOf(error)}`);
      }
      await new Promise((r) => setTimeout(r, this.config.pollIntervalMs));
    }
  }

  private put(record: WindowRecord): void {
    this.state.put(record);
  }

  /** Takes one window as far as it can go; "done" when it reached a terminal stage. */
  private async advance(window: bigint): Promise<"done" | string> {
    let record = this.state.get(window);
    if (!record) {
      record = await this.aggregate(window);
      this.fault("after:aggregated", window);
    }
    if (record.stage === "aggregated") {
      record = await this.publish(record);
      this.fault("after:published", window);
    }
    if (record.stage === "published") {
      record = await this.request(record);
      this.fault("after:requested", window);
    }
    if (record.stage === "requested") {
      const next = await this.prove(record);
      if (typeof next === "string") return next;
      record = next;
      this.fault("after:proved", window);
    }
    if (record.stage === "proved") {
      record = await this.verify(record);
      this.fault("after:verified", window);
    }
    if (record.stage === "verified") {
      record = await this.sign(record);
      this.fault("after:signed", window);
    }
    if (record.stage === "signed") {
      record = await this.settle(record);
      this.fault("after:settled", window);
    }
    return "done";
  }

  // ---------------------------------------------------------------- stage 1

  private async aggregate(window: bigint): Promise<WindowRecord> {
    const source = this.spendSource;
    if (!source) throw new Error("connector not initialised");
    const pricing: PricingConfig = await onChainPricingAt(this.flow, BigInt(this.windows.startMs(window) / 1000));
    const { record, read } = await readWindow(this.state, source, this.windows, this.config.lateLookbackWindows, pricing, window);
    const s = record.summary;
    this.log(
      stageLine(window, record.stage === "skipped" ? "skipped" : "aggregated", {
        rows: read.rows,
        late: read.late,
        lines: s.lineCount,
        tokens: s.totalTokens,
        digest: record.stage === "skipped" ? undefined : s.digest,
        from: source.kind,
        pages: read.pages,
        rereadWindows: read.rowByRowWindows,
      }),
    );
    return record;
  }

  // ---------------------------------------------------------------- stage 2

  private async publish(record: WindowRecord): Promise<WindowRecord> {
    const window = BigInt(record.window);
    const lines = this.state.lines(window);
    const doc = reportDocument(window, lines);
    const summaryBytes = serializeDocument(summaryDocument({ window, digest: doc.digest, lineCount: BigInt(doc.lineCount), totalTokens: BigInt(doc.totalTokens) }));
    publishDocuments(this.state.publishedDir, window, serializeDocument(doc), summaryBytes);
    // The public URL must serve exactly these bytes: Flare's providers will fetch it.
    const url = summaryUrl(this.config.publisher.baseUrl, window);
    let served: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      if (!(res.headers.get("content-type") ?? "").includes("application/json")) throw new Error("content-type is not application/json");
      served = await res.text();
    } catch (error) {
      throw new ConnectorError("unreachable", `publisher: ${url} does not serve the summary (${messageOf(error)}); check FLAREFLOW_PUBLISHER_URL`);
    }
    if (served !== summaryBytes) throw new ConnectorError("integrity", `publisher: ${url} serves other bytes than were published`);
    const next: WindowRecord = { ...record, stage: "published" };
    this.put(next);
    this.log(stageLine(window, "published", { url }));
    return next;
  }

  // ---------------------------------------------------------------- stage 3

  private async request(record: WindowRecord): Promise<WindowRecord> {
    const window = BigInt(record.window);
    const wallet = this.wallet;
    const contracts = this.contracts;
    if (!wallet || !contracts) throw new Error("connector not initialised");
    let current = record;
    if (!current.request) {
      const abiEncodedRequest = await prepareRequest(this.config.flare.verifierUrl, this.config.flare.verifierApiKey, requestBodyFor(this.config.publisher.baseUrl, window));
      current = { ...current, request: { abiEncodedRequest } };
      this.put(current);
    }
    const abiEncodedRequest = current.request?.abiEncodedRequest ?? "";
    let fee = current.request?.fee;
    if (!current.request?.tx) {
      fee = (await feeFor(contracts, wallet, abiEncodedRequest)).toString();
    }
    const hub = contracts.fdcHub.connect(wallet);
    const receipt = await sendOnce(wallet, current.request?.tx, () => hub.requestAttestation.populateTransaction(abiEncodedRequest, { value: BigInt(fee ?? "0") }), {
      record: (tx) => {
        current = { ...current, request: { abiEncodedRequest, fee, tx } };
        this.put(current);
      },
      afterRecord: () => this.fault("request:recorded", window),
      afterBroadcast: () => this.fault("request:broadcast", window),
    });
    const block = await receipt.getBlock();
    const votingRound = await votingRoundOf(contracts, block.timestamp);
    const next: WindowRecord = { ...current, stage: "requested", request: { ...current.request, abiEncodedRequest, fee, txHash: receipt.hash, votingRound: votingRound.toString() } };
    this.put(next);
    this.log(stageLine(window, "requested", { round: votingRound, tx: receipt.hash, fee }));
    return next;
  }

  // ---------------------------------------------------------------- stage 4

  private async prove(record: WindowRecord): Promise<WindowRecord | string> {
    const window = BigInt(record.window);
    const contracts = this.contracts;
    if (!contracts || !record.request?.votingRound) throw new Error("connector not initialised");
    const round = BigInt(record.request.votingRound);
    if (!(await isRoundFinalized(contracts, round))) {
      const waiting = `window ${window}: waiting for voting round ${round} to finalize`;
      if (Date.now() - this.lastProgressLog > 5000) {
        this.lastProgressLog = Date.now();
        this.log(stageLine(window, "waiting", { round }));
      }
      return waiting;
    }
    const requestBytes = record.request.abiEncodedRequest;
    // Flare may place a request in a later round (FdcHub's request offset): ask by request alone then.
    const fetched =
      (await fetchProof(this.config.flare.daLayerUrl, this.config.flare.daApiKey, requestBytes, round)) ??
      (await fetchProof(this.config.flare.daLayerUrl, this.config.flare.daApiKey, requestBytes, undefined));
    if (!fetched) {
      const misses = (this.proofMisses.get(window) ?? 0) + 1;
      this.proofMisses.set(window, misses);
      if (misses < this.config.flare.proofAttempts) return `window ${window}: round ${round} final, DA layer has no proof yet (${misses})`;
      // Not attested in its round (e.g. the providers could not fetch the summary): request again.
      this.proofMisses.delete(window);
      const retry: WindowRecord = { ...record, stage: "published", request: undefined };
      this.put(retry);
      this.log(stageLine(window, "not-attested", { round, action: "requesting again" }));
      return `window ${window}: not attested in round ${round}; will request again`;
    }
    const lines = this.state.lines(window);
    const doc = reportDocument(window, lines);
    await checkProof(contracts, fetched, requestBytes, { window, digest: doc.digest, lineCount: BigInt(doc.lineCount), totalTokens: BigInt(doc.totalTokens) });
    const next: WindowRecord = { ...record, stage: "proved", proof: { votingRound: fetched.votingRound.toString(), responseHex: fetched.responseHex, merkleProof: fetched.merkleProof } };
    this.put(next);
    this.log(stageLine(window, "proved", { round: fetched.votingRound, proofLength: fetched.merkleProof.length }));
    return next;
  }

  // ---------------------------------------------------------------- stage 5

  private async verify(record: WindowRecord): Promise<WindowRecord> {
    const window = BigInt(record.window);
    const wallet = this.wallet;
    const contracts = this.contracts;
    if (!wallet || !contracts || !record.proof || !record.request) throw new Error("connector not initialised");
    const lines = this.state.lines(window);
    const doc = reportDocument(window, lines);
    const fetched = { votingRound: BigInt(record.proof.votingRound), responseHex: record.proof.responseHex, merkleProof: record.proof.merkleProof };
    const proof = await checkProof(contracts, fetched, record.request.abiEncodedRequest, { window, digest: doc.digest, lineCount: BigInt(doc.lineCount), totalTokens: BigInt(doc.totalTokens) });
    let current = record;
    const result = await submitProof(contracts, wallet, window, doc.digest, proof, record.verify?.tx, {
      record: (tx) => {
        current = { ...current, verify: { tx } };
        this.put(current);
      },
      afterBroadcast: () => this.fault("verify:broadcast", window),
    });
    const next: WindowRecord = { ...current, stage: "verified", verify: { ...current.verify, txHash: result.txHash, foundOnChain: result.foundOnChain } };
    this.put(next);
    this.log(stageLine(window, "verified", { round: record.proof.votingRound, tx: result.txHash, digest: doc.digest, found: result.foundOnChain ? "on-chain" : undefined }));
    return next;
  }

  // ---------------------------------------------------------------- stage 6

  private async sign(record: WindowRecord): Promise<WindowRecord> {
    const window = BigInt(record.window);
    const contracts = this.contracts;
    const oracles = this.oracles;
    if (!contracts || !oracles) throw new Error("connector not initialised");
    const reportUrl = `${this.config.publisher.baseUrl}/reports/${window}`;
    const signed = await collectSignatures(
      oracles.oracles,
      oracles.threshold,
      { chainId: this.config.evm.chainId, verifier: contracts.verifier, verifierAddress: this.config.evm.verifierAddress },
      reportUrl,
      window,
      this.config.maxLinesPerTransaction,
    );
    const next: WindowRecord = {
      ...record,
      stage: "signed",
      signatures: {
        kind: signed.kind,
        votingRound: signed.votingRound.toString(),
        chunkCount: signed.chunkCount.toString(),
        chunkChain: signed.chunkChain,
        signers: signed.signatures.map((s) => s.oracleId.toString()),
        signatures: signed.signatures.map((s) => s.signature),
      },
    };
    this.put(next);
    this.log(stageLine(window, "signed", { round: signed.votingRound, oracles: next.signatures?.signers.join(","), kind: signed.kind, chunks: signed.chunkCount }));
    return next;
  }

  // ---------------------------------------------------------------- stage 7

  private async settle(record: WindowRecord): Promise<WindowRecord> {
    const window = BigInt(record.window);
    const sig = record.signatures;
    if (!sig) throw new Error(`window ${window}: no signatures recorded`);
    const lines = this.state.lines(window);
    let current = record;
    const outcome = await settleOnFlow(
      this.flow,
      this.config.flow.relayer,
      window,
      lines,
      {
        kind: sig.kind,
        votingRound: BigInt(sig.votingRound),
        chunkCount: BigInt(sig.chunkCount),
        chunkChain: sig.chunkChain,
        signers: sig.signers.map((s) => BigInt(s)),
        signatures: sig.signatures,
        digest: record.summary.digest,
      },
      this.config.maxLinesPerTransaction,
      {
        onTransaction: (id, what) => {
          current = { ...current, flow: { transactionIds: [...(current.flow?.transactionIds ?? []), id] } };
          this.put(current);
          this.log(stageLine(window, "flow-tx", { tx: id, what }));
        },
        afterChunk: () => this.fault("flow:chunk", window),
      },
    );
    const next: WindowRecord = { ...current, stage: "settled" };
    this.put(next);
    this.log(stageLine(window, "settled", { round: sig.votingRound, flowTxs: next.flow?.transactionIds.join(",") ?? (outcome === "already-settled" ? "found-settled" : undefined) }));
    return next;
  }
}
