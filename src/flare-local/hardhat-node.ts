import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { freePort } from "../local/ports";
import { stopChild } from "../local/process";
import { waitFor } from "../local/wait";
import { LocalStackError } from "../local/errors";

/**
 * A `hardhat node` child process: the local stand-in for Coston2 (chain id 31337) that the
 * connector tests and the local stack talk to over JSON-RPC, exactly as they would to Coston2.
 * (Hardhat's in-process network is not reachable from vitest or from a second process.)
 */

/** The first account of `hardhat node`'s well-known test mnemonic: local only, publicly known. */
export const HARDHAT_DEV_KEYS: readonly string[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1d1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

export interface HardhatNodeOptions {
  port?: number;
  /** Receives each line the node prints. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export class HardhatNode {
  private constructor(
    private readonly child: ChildProcess,
    readonly rpcUrl: string,
    readonly port: number,
  ) {}

  static async start(options: HardhatNodeOptions = {}): Promise<HardhatNode> {
    const port = options.port ?? (await freePort());
    const root = path.resolve(__dirname, "../..");
    const bin = path.join(root, "node_modules", "hardhat", "internal", "cli", "bootstrap.js");
    const child = spawn(process.execPath, [bin, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
    });
    let exitCode: number | null = null;
    child.once("exit", (code) => (exitCode = code ?? -1));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        for (const line of chunk.split("\n")) if (line.trim()) options.onLog?.(line);
      });
    }
    const node = new HardhatNode(child, `http://127.0.0.1:${port}`, port);
    try {
      await waitFor(
        "hardhat node JSON-RPC",
        async () => {
          if (exitCode !== null) throw new LocalStackError(`hardhat node exited with code ${exitCode}`);
          const res = await fetch(node.rpcUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
          });
          return res.ok;
        },
        { timeoutMs: options.startTimeoutMs ?? 60_000, everyMs: 200, retryErrors: true },
      );
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}
