import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { contractAddresses } from "../config/flow-json";
import { DEV_PORTS, type StackPorts } from "../config/endpoints";
import { flowNetwork } from "../config/networks";
import { deployLocalEvm } from "../connector/local-stack";
import { configureFlow } from "../deploy/flow-configure";
import { deployFlow } from "../deploy/flow-deploy";
import { flowSigner } from "../deploy/flow-signer";
import { HARDHAT_DEV_KEYS } from "../flare-local";
import type { FlowContext, KeySigner } from "../flow/runtime";
import { createLocalAccount, serviceSigner } from "./accounts";
import { devWalletProcess, emulatorProcess } from "./flow-services";
import { repoRoot } from "./flow-binary";
import { freePort } from "./ports";
import { ManagedProcess } from "./process";

/** Free ports for a stack a test starts beside anything else running. */
export async function freePorts(): Promise<StackPorts> {
  const names = Object.keys(DEV_PORTS) as (keyof StackPorts)[];
  const ports = await Promise.all(names.map(() => freePort()));
  return Object.fromEntries(names.map((n, i) => [n, ports[i]])) as unknown as StackPorts;
}

export interface StackOptions {
  ports: StackPorts;
  /** Usage window length; FlareFDCTriggers is set to it before the first settlement. */
  windowSeconds: number;
  /** Logs, journals, deployment records: everything the stack writes. */
  stateDir: string;
  /** A real LiteLLM proxy instead of the local server. */
  litellm?: { url: string; masterKey: string };
  /** The connector reads spend logs from this LiteLLM database (LITELLM_DATABASE_URL) instead of the API. */
  litellmDatabaseUrl?: string;
  /** Seconds LiteLLM's spend logs lag requests (the local server's batch delay). */
  spendLogDelaySeconds: number;
  /** Serve the page (Vite dev server). */
  web: boolean;
  log: (line: string) => void;
}

/** What the stack's parts need from one another, in one place. */
export interface StackInfo {
  accessNode: string;
  flow: FlowContext;
  provider: KeySigner;
  verifierAddress: string;
  litellmUrl: string;
  keyServiceUrl: string;
  publisherUrl: string;
  flareUrl: string;
  walletUrl: string;
  webUrl: string | undefined;
  hardhatUrl: string;
}

const TS_NODE = path.join(repoRoot(), "node_modules/ts-node/dist/bin.js");

/** A TypeScript entry point of scripts/ as a managed child process. */
function scriptProcess(
  name: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
  ready: (started: { logOffset: number }) => Promise<boolean>,
): ManagedProcess {
  return new ManagedProcess({
    name,
    command: process.execPath,
    args: [TS_NODE, "--transpile-only", path.join(repoRoot(), "scripts", script), ...args],
    cwd: repoRoot(),
    env,
    logFile: path.join(logDir, `${name}.log`),
    ready,
    readyTimeoutMs: 180_000,
  });
}

const answers = (url: string, init?: RequestInit) => async () => (await fetch(url, init)).status < 500;

/**
 * The report publisher of a stack in `stateDir`: the internet-facing part on a live deployment,
 * so it gets the connector's state directory and its port, and not one variable more (nothing
 * inherited from this process's environment, which may hold a secret).
 */
export function publisherProcess(stateDir: string, port: number): ManagedProcess {
  const proc = scriptProcess(
    "publisher",
    "connector.ts",
    ["publish"],
    { FLAREFLOW_CONNECTOR_STATE: path.join(stateDir, "connector"), FLAREFLOW_PUBLISHER_PORT: String(port) },
    path.join(stateDir, "logs"),
    answers(`http://127.0.0.1:${port}/reports/0`),
  );
  return new ManagedProcess({ ...proc.spec, inheritEnv: false });
}

/**
 * The whole system on this machine: Flow emulator and dev wallet, Hardhat node with the FDC
 * harness, the local LiteLLM-compatible server (or a real proxy), the Flare stand-in services,
 * both deployments and their configuration, the report publisher, the key service, the
 * connector and the page. Each service is its own process (so a test can kill one and restart
 * it, as a crash would), logging to `<stateDir>/logs/<name>.log`.
 */
export class LocalStack {
  readonly processes = new Map<string, ManagedProcess>();
  /**
   * The key service's key-encryption key: in this process's memory and the key service's
   * environment only, never in a file beside the journal it protects (a copy of the stack's
   * directory then holds sealed keys and nothing to open them). `npm run dev` starts each stack
   * on a fresh directory, so no later run needs it.
   */
  private readonly keyEncryptionKey = randomBytes(32).toString("hex");
  private constructor(
    readonly options: StackOptions,
    readonly info: StackInfo,
    readonly litellmMasterKey: string,
  ) {}

  /** Starts everything in dependency order; on failure stops what it started and rethrows. */
  static async start(options: StackOptions): Promise<LocalStack> {
    const { ports, log } = options;
    const logDir = path.join(options.stateDir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const accessNode = `http://127.0.0.1:${ports.flowRest}`;
    const hardhatUrl = `http://127.0.0.1:${ports.hardhat}`;
    const publisherUrl = `http://127.0.0.1:${ports.publisher}`;
    const flareUrl = `http://127.0.0.1:${ports.flare}`;
    const keyServiceUrl = `http://127.0.0.1:${ports.keyService}`;
    const litellmMasterKey = options.litellm?.masterKey ?? `sk-local-${randomBytes(16).toString("hex")}`;
    const litellmUrl = options.litellm?.url ?? `http://127.0.0.1:${ports.litellm}`;
    const service = serviceSigner();
    const flow: FlowContext = { accessNode, addresses: contractAddresses("emulator", service.address) };
    const partial: StackInfo = {
      accessNode,
      flow,
      provider: service,
      verifierAddress: "",
      litellmUrl,
      keyServiceUrl,
      publisherUrl,
      flareUrl,
      walletUrl: `http://127.0.0.1:${ports.devWallet}/fcl/authn`,
      webUrl: options.web ? `http://127.0.0.1:${ports.web}` : undefined,
      hardhatUrl,
    };
    const stack = new LocalStack(options, partial, litellmMasterKey);
    const add = async (proc: ManagedProcess) => {
      stack.processes.set(proc.spec.name, proc);
      log(`starting ${proc.spec.name}`);
      await proc.start();
    };
    try {
      await add(
        emulatorProcess({ rest: ports.flowRest, grpc: ports.flowGrpc, admin: ports.flowAdmin, debugger: ports.flowDebugger }, logDir),
      );
      await add(
        new ManagedProcess({
          name: "hardhat-node",
          command: process.execPath,
          args: [path.join(repoRoot(), "node_modules/hardhat/internal/cli/bootstrap.js"), "node", "--hostname", "127.0.0.1", "--port", String(ports.hardhat)],
          cwd: repoRoot(),
          env: { HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
          logFile: path.join(logDir, "hardhat-node.log"),
          ready: answers(hardhatUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
          }),
        }),
      );
      if (!options.litellm) {
        await add(
          scriptProcess(
            "litellm",
            "litellm-server.ts",
            ["--port", String(ports.litellm), "--state-file", path.join(options.stateDir, "litellm-state.json"), "--spend-log-delay-ms", String(options.spendLogDelaySeconds * 1000)],
            { LITELLM_MASTER_KEY: litellmMasterKey },
            logDir,
            answers(`${litellmUrl}/health/liveliness`),
          ),
        );
      }

      log("deploying the Flow contracts");
      const deploymentsDir = path.join(options.stateDir, "deployments");
      const network = flowNetwork("emulator");
      await deployFlow({ network, accessNode, signer: flowSigner(network), yes: false, log: (l) => log(`  ${l}`), deploymentsDir });
      log("deploying the verifier and the FDC harness on the Hardhat node");
      const verifierAddress = await deployLocalEvm({ rpcUrl: hardhatUrl, deployerKey: HARDHAT_DEV_KEYS[0] as string, publisherBaseUrl: publisherUrl, windowSeconds: options.windowSeconds, deploymentsDir, log: (l) => log(`  ${l}`) });
      await configureFlow({
        network,
        flow,
        signer: service,
        yes: false,
        log: (l) => log(`  ${l}`),
        deploymentsDir,
        settings: { ...network.settings(), windowSeconds: options.windowSeconds },
      });
      const provider = await createLocalAccount(flow, "10.0");
      stack.info.verifierAddress = verifierAddress;
      stack.info.provider = provider;
      log(`provider account ${provider.address}; verifier ${verifierAddress}`);

      await add(
        scriptProcess("flare-local", "flare-local.ts", [], stack.flareEnv(), logDir, answers(`${flareUrl}/api/v1/fdc/proof-by-request-round-raw`, { method: "POST", body: "{}" })),
      );
      await add(stack.publisherProcess());
      await add(stack.keyServiceProcess());
      await add(stack.connectorProcess());
      if (options.web) {
        await add(devWalletProcess(ports.devWallet, accessNode, logDir));
        await add(
          new ManagedProcess({
            name: "web",
            command: process.execPath,
            args: [path.join(repoRoot(), "node_modules/vite/bin/vite.js"), "web", "--host", "127.0.0.1", "--port", String(ports.web), "--strictPort"],
            cwd: repoRoot(),
            env: stack.webEnv(),
            logFile: path.join(logDir, "web.log"),
            ready: answers(`http://127.0.0.1:${ports.web}/`),
          }),
        );
      }
      return stack;
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  private flareEnv(): NodeJS.ProcessEnv {
    return {
      FLAREFLOW_EVM_RPC: this.info.hardhatUrl,
      FLARE_LOCAL_PORT: String(this.options.ports.flare),
      // Flare's rounds last 90 s; locally the stand-in moves the Hardhat clock to each round's end.
      FLARE_LOCAL_FAST_CLOCK: "1",
    };
  }

  /** The connector's environment. */
  connectorEnv(): NodeJS.ProcessEnv {
    return {
      FLAREFLOW_CONNECTOR_STATE: path.join(this.options.stateDir, "connector"),
      FLAREFLOW_WINDOW_SECONDS: String(this.options.windowSeconds),
      FLAREFLOW_CLOSE_DELAY_SECONDS: String(this.options.spendLogDelaySeconds + 3),
      FLAREFLOW_PUBLISHER_URL: this.info.publisherUrl,
      FLAREFLOW_PUBLISHER_PORT: String(this.options.ports.publisher),
      FLAREFLOW_EVM_RPC: this.info.hardhatUrl,
      FLAREFLOW_VERIFIER_ADDRESS: this.info.verifierAddress,
      FLARE_VERIFIER_URL: this.info.flareUrl,
      FLARE_DA_LAYER_URL: this.info.flareUrl,
      FLOW_ACCESS_NODE: this.info.accessNode,
      LITELLM_URL: this.info.litellmUrl,
      LITELLM_MASTER_KEY: this.litellmMasterKey,
      ...(this.options.litellmDatabaseUrl === undefined ? {} : { LITELLM_DATABASE_URL: this.options.litellmDatabaseUrl }),
    };
  }

  /** The connector as a process (it serves no port; ready once its first log line says so). */
  connectorProcess(): ManagedProcess {
    const logFile = path.join(this.options.stateDir, "logs", "connector.log");
    const env = { ...this.connectorEnv(), FLAREFLOW_PUBLISHER_EXTERNAL: "1" };
    return scriptProcess("connector", "connector.ts", ["run"], env, path.dirname(logFile), async ({ logOffset }) => {
      if (!fs.existsSync(logFile)) return false;
      return fs.readFileSync(logFile).subarray(logOffset).toString("utf8").includes("connector: local");
    });
  }

  publisherProcess(): ManagedProcess {
    return publisherProcess(this.options.stateDir, this.options.ports.publisher);
  }

  /** Origins of the page (both names of loopback): the only ones the key service answers across origins. */
  pageOrigins(): string[] {
    const port = this.options.ports.web;
    return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  }

  keyServiceProcess(): ManagedProcess {
    return scriptProcess(
      "key-service",
      "key-service.ts",
      [],
      {
        FLAREFLOW_FLOW_NETWORK: "emulator",
        FLOW_ACCESS_NODE: this.info.accessNode,
        FLAREFLOW_PROVIDER_ADDRESS: this.info.provider.address,
        FLAREFLOW_PROVIDER_PRIVATE_KEY: this.info.provider.privateKey,
        FLAREFLOW_KEY_ENCRYPTION_KEY: this.keyEncryptionKey,
        FLAREFLOW_KEY_SERVICE_STATE_DIR: path.join(this.options.stateDir, "key-service"),
        FLAREFLOW_KEY_SERVICE_PORT: String(this.options.ports.keyService),
        FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: this.pageOrigins().join(","),
        FLAREFLOW_KEY_SERVICE_POLL_MS: "500",
        // The spend log's batch delay plus a margin for calls in flight (the live spending limit).
        FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS: String(this.options.spendLogDelaySeconds * 1000 + 5000),
        // Read-only: the customers' request leaves beside the connector's state (POST /v1/leaves).
        FLAREFLOW_CONNECTOR_STATE: path.join(this.options.stateDir, "connector"),
        LITELLM_URL: this.info.litellmUrl,
        LITELLM_MASTER_KEY: this.litellmMasterKey,
      },
      path.join(this.options.stateDir, "logs"),
      answers(`${this.info.keyServiceUrl}/health`),
    );
  }

  webEnv(): NodeJS.ProcessEnv {
    return {
      VITE_FLOW_NETWORK: "emulator",
      VITE_FLOW_ACCESS_NODE: this.info.accessNode,
      VITE_FLOW_WALLET_DISCOVERY: this.info.walletUrl,
      VITE_FLOW_CONTRACTS_ADDRESS: serviceSigner().address,
      VITE_FLOW_ADMIN_ADDRESS: serviceSigner().address,
      VITE_DEFAULT_PROVIDER: this.info.provider.address,
      VITE_KEY_SERVICE_URL: this.info.keyServiceUrl,
      VITE_USAGE_POLL_MS: "10000",
      // The bill verifier's EVM side (the page verifies windows against UsageReportVerifier).
      VITE_EVM_RPC_URL: this.info.hardhatUrl,
      VITE_VERIFIER_ADDRESS: this.info.verifierAddress,
    };
  }

  /** Stops every process, newest first. */
  async stop(): Promise<void> {
    for (const proc of [...this.processes.values()].reverse()) {
      await proc.stop();
    }
  }
}
