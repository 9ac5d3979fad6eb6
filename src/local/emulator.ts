import { spawn, type ChildProcess } from "node:child_process";
import { flowBinary, repoRoot } from "./flow-binary";
import { freePort } from "./ports";
import { stopChild } from "./process";
import { waitFor } from "./wait";
import { emulatorServiceAccount } from "../config/flow-json";

export interface EmulatorOptions {
  /** REST port (FCL's access node); a free one when omitted. */
  restPort?: number;
  grpcPort?: number;
  /** Receives each line the emulator prints (it logs the well-known dev key, nothing else secret). */
  onLog?: (line: string) => void;
  /** Seconds to wait for the REST API. */
  startTimeoutSeconds?: number;
  /**
   * Cadence computation reporting (`--computation-reporting`): the admin API then serves each
   * transaction's computation by kind at /emulator/computationReport (benchmarks only).
   */
  computationReporting?: boolean;
}

export interface EmulatorPorts {
  rest: number;
  grpc: number;
  admin: number;
  debugger: number;
}

/**
 * The emulator's command line: flow.json's service key, no EVM bridge setup (nothing here uses
 * it), its REST, gRPC and admin APIs on loopback only.
 */
export function emulatorArgs(ports: EmulatorPorts): string[] {
  const service = emulatorServiceAccount();
  return [
    "emulator",
    "--host=127.0.0.1",
    `--rest-port=${ports.rest}`,
    `--port=${ports.grpc}`,
    `--admin-port=${ports.admin}`,
    `--debugger-port=${ports.debugger}`,
    `--service-priv-key=${service.privateKey}`,
    `--service-sig-algo=${service.signatureAlgorithm}`,
    `--service-hash-algo=${service.hashAlgorithm}`,
    "--log-format=JSON",
    "--setup-vm-bridge=false",
  ];
}

/** A Flow emulator process running the project's pinned toolchain. */
export class FlowEmulator {
  private constructor(
    private readonly child: ChildProcess,
    /** FCL's `accessNode.api`. */
    readonly restUrl: string,
    readonly grpcPort: number,
    /** The admin API (computation reports, snapshots). */
    readonly adminUrl: string,
  ) {}

  /** Starts an emulator whose service account is flow.json's emulator-account. */
  static async start(options: EmulatorOptions = {}): Promise<FlowEmulator> {
    const [restPort, grpcPort, adminPort, debuggerPort] = await Promise.all([
      options.restPort ?? freePort(),
      options.grpcPort ?? freePort(),
      freePort(),
      freePort(),
    ]);
    const child = spawn(
      flowBinary(),
      [...emulatorArgs({ rest: restPort, grpc: grpcPort, admin: adminPort, debugger: debuggerPort }), ...(options.computationReporting ? ["--computation-reporting"] : [])],
      { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<never>((_, reject) => {
      child.once("exit", (code) => reject(new Error(`flow emulator exited early with code ${code}`)));
    });
    exited.catch(() => undefined);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        for (const line of chunk.split("\n")) if (line) options.onLog?.(line);
      });
    }
    const emulator = new FlowEmulator(child, `http://127.0.0.1:${restPort}`, grpcPort, `http://127.0.0.1:${adminPort}`);
    try {
      await Promise.race([
        waitFor(
          "flow emulator REST API",
          async () => (await fetch(`${emulator.restUrl}/v1/blocks?height=sealed`)).ok,
          { timeoutMs: (options.startTimeoutSeconds ?? 60) * 1000, everyMs: 200, retryErrors: true },
        ),
        exited,
      ]);
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    return emulator;
  }

  /** Stops the process and waits for it to exit. */
  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}
