import { JsonRpcProvider, Wallet } from "ethers";
import { LiteLLMAdminClient } from "../litellm";
import type { FlowContext } from "../flow/runtime";
import type { FaultHook } from "../faults";
import type { ConnectorConfig } from "./config";
import { ConnectorError, messageOf } from "./errors";
import { flareContracts, type FlareContracts } from "./flare-contracts";
import { settlementState } from "./flow";
import type { Logger } from "../log";
import { resolveOracles, type OracleIdentity } from "./oracles";
import { ApiSpendSource, type SpendSource } from "./spend-source";
import { DatabaseSpendSource } from "./spend-db";
import type { ConnectorState, STAGES } from "./state";
import type { Windows } from "../report";

/**
 * Everything a stage works with, connected and checked once (`connect`): a stage is a function of
 * (context, record) and never finds a piece missing.
 */

/** Fault-injection points: after each stage is persisted, and inside the risky steps. */
export type FaultPoint = `after:${(typeof STAGES)[number]}` | "request:recorded" | "request:broadcast" | "verify:broadcast" | "flow:chunk";

/** What the connector holds before it connects, and keeps across connections. */
export type ConnectorLocal = {
  config: ConnectorConfig;
  state: ConnectorState;
  windows: Windows;
  log: Logger;
  fault: FaultHook<FaultPoint, bigint>;
  /**
   * Stage 4's memory between polls (not persisted: a restart counts the DA layer's misses
   * afresh): misses per window, and when "waiting" was last logged.
   */
  proving: { misses: Map<bigint, number>; lastWaitLog: number };
};

export type ConnectorContext = ConnectorLocal & {
  flow: FlowContext;
  provider: JsonRpcProvider;
  wallet: Wallet;
  contracts: FlareContracts;
  oracles: { oracles: OracleIdentity[]; threshold: number };
  spendSource: SpendSource;
};

/** Connects to everything and checks the configuration; clear errors for what is wrong. */
export async function connect(local: ConnectorLocal): Promise<ConnectorContext> {
  const cfg = local.config;
  const flow: FlowContext = { accessNode: cfg.flow.accessNode, addresses: cfg.flow.addresses };
  const provider = new JsonRpcProvider(cfg.evm.rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, polling: true, pollingInterval: 250 });
  let spendSource: SpendSource | undefined;
  try {
    let chainId: bigint;
    try {
      chainId = BigInt(await provider.send("eth_chainId", []));
    } catch (error) {
      throw new ConnectorError("unreachable", `EVM RPC ${cfg.evm.rpcUrl} is unreachable: ${messageOf(error)}`, { cause: error });
    }
    if (chainId !== cfg.evm.chainId) throw new ConnectorError("config", `EVM RPC ${cfg.evm.rpcUrl} is chain ${chainId}, the ${cfg.network} configuration expects ${cfg.evm.chainId}`);
    const wallet = new Wallet(cfg.evm.privateKey, provider);
    const contracts = await flareContracts(wallet, cfg.evm.verifierAddress, cfg.evm.rpcUrl);
    const pinnedBase = await contracts.verifier.publisherBaseUrl();
    if (pinnedBase !== cfg.publisher.baseUrl) {
      throw new ConnectorError("config", `UsageReportVerifier expects the publisher at ${pinnedBase}, this connector publishes at ${cfg.publisher.baseUrl}`);
    }
    spendSource = cfg.litellm.database
      ? new DatabaseSpendSource(cfg.litellm.database)
      : new ApiSpendSource(new LiteLLMAdminClient({ env: cfg.litellm.env, baseUrl: cfg.litellm.url, retry: { maxAttempts: 2 } }), cfg.litellm.url);
    const oracles = await resolveOracles(flow, cfg.oracles.privateKeys);
    const flowWindow = (await settlementState(flow)).windowSeconds;
    if (flowWindow !== undefined && flowWindow !== BigInt(cfg.windowSeconds)) {
      throw new ConnectorError("config", `FlareFDCTriggers settles ${flowWindow}-s windows, this connector cuts ${cfg.windowSeconds}-s windows (FLAREFLOW_WINDOW_SECONDS)`);
    }
    return { ...local, flow, provider, wallet, contracts, oracles, spendSource };
  } catch (error) {
    await spendSource?.close();
    provider.destroy();
    throw error;
  }
}

export async function disconnect(ctx: ConnectorContext): Promise<void> {
  await ctx.spendSource.close();
  ctx.provider.destroy();
}
