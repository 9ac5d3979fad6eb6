import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { ParamType } from "ethers";
import { FLARE_WEB2JSON_LIMITS, WEB2JSON_STATUS, Web2JsonRefused, type Web2JsonRefusal } from "./web2json-status";
import { messageOf } from "../errors";

/**
 * Filter-and-encode off the main thread with Flare's limits (verifier-indexer-api v1.6.0-rc.0,
 * process-pool.service.ts): 500 ms from dispatch to answer, else the worker is killed and the
 * request is PROCESSING TIMEOUT; 256 MB of heap per worker (Flare's `--max-old-space-size=256`);
 * a worker that dies is replaced and its request also ends as PROCESSING TIMEOUT. A filter like `[.,.]|[.,.]|...` that
 * passes the allowlist but grows exponentially therefore cannot hang the stand-in.
 */

const WORKER_FILE = path.join(__dirname, "jq-worker.cjs");

type Reply = { id: number; ok: true; result: string } | { id: number; ok: false; status: Web2JsonRefusal; message: string };

export class JqProcessor {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly timeoutMs: number = FLARE_WEB2JSON_LIMITS.processingTimeoutMs) {}

  private start(): Promise<Worker> {
    if (this.ready) return this.ready;
    const worker = new Worker(WORKER_FILE, { resourceLimits: { maxOldGenerationSizeMb: 256 } });
    worker.unref();
    this.worker = worker;
    this.ready = new Promise<Worker>((resolve, reject) => {
      worker.once("message", () => resolve(worker));
      worker.once("error", reject);
    });
    this.ready.catch(() => this.discard(worker));
    return this.ready;
  }

  private discard(worker: Worker): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.ready = undefined;
    }
    void worker.terminate();
  }

  /** The ABI-encoded jq result, or Web2JsonRefused with Flare's status. One task at a time, like one pooled worker. */
  filterAndEncode(json: unknown, filter: string, abiType: ParamType): Promise<string> {
    const run = this.queue.then(() => this.runOne(json, filter, abiType));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runOne(json: unknown, filter: string, abiType: ParamType): Promise<string> {
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (error) {
      throw new Web2JsonRefused(WEB2JSON_STATUS.UNKNOWN_ERROR, `worker failed to start: ${messageOf(error)}`, { cause: error });
    }
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const done = (settle: () => void) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        settle();
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        done(() => (reply.ok ? resolve(reply.result) : reject(new Web2JsonRefused(reply.status, reply.message))));
      };
      // A worker that dies (out of memory) never answers: as in Flare's pool, the request ends
      // at its timeout, and the worker is replaced.
      const onError = () => this.discard(worker);
      const timer = setTimeout(() => {
        this.discard(worker);
        done(() => reject(new Web2JsonRefused(WEB2JSON_STATUS.PROCESSING_TIMEOUT, "Processing JSON response timed out")));
      }, this.timeoutMs);
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.postMessage({ id, json, filter, abiType: abiType.format("json") });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
  }
}
