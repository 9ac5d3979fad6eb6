import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as fcl from "@onflow/fcl";
import { JsonRpcProvider, Wallet } from "ethers";
import { FlowEmulator } from "../../src/local/emulator";
import { createLocalAccount, serviceSigner } from "../../src/local/accounts";
import { freePort } from "../../src/local/ports";
import { flowNetwork } from "../../src/config/networks";
import { contractAddresses } from "../../src/config/flow-json";
import { deployFlow } from "../../src/deploy/flow-deploy";
import { flowSigner } from "../../src/deploy/flow-signer";
import { keyAuthorization, runScript, type FlowContext } from "../../src/flow/runtime";
import { subscriptionsTestingGetTotals } from "../flow-generated/scripts";
import { subscriptionApi } from "../../src/api/subscriptions";
import { startLiteLLMServer, type LiteLLMServerHandle } from "../../src/litellm-server";
import { LiteLLMAdminClient, aliasFor, type SpendLogRow } from "../../src/litellm";
import { HARDHAT_DEV_KEYS, HardhatNode, startFlareLocal, type FlareLocal } from "../../src/flare-local";
import { Connector, type FaultPoint } from "../../src/connector/pipeline";
import { LOCAL_ORACLE_KEYS, localConnectorConfig, type ConnectorConfig } from "../../src/connector/config";
import { deployLocalEvm } from "../../src/connector/local-stack";
import { configureFlow } from "../../src/deploy/flow-configure";
import { startPublisher, type Publisher } from "../../src/connector/publish";
import { onChainPricingAt } from "../../src/connector/pricing-source";
import { Windows } from "../../src/report";
import { InjectedCrash } from "../../src/faults";
import { chargeLines, parseUFix64, type SubscriptionState } from "../../src/pricing";
import { decodeWeb2JsonRequest, encodeWeb2JsonRequest, reportRequestSpec, WEB2JSON_ATTESTATION_TYPE } from "../../src/fdc";
import { flareContracts } from "../../src/connector/flare-contracts";
import { feeFor } from "../../src/connector/attest";
import { IFdcHub__factory, IFlareContractRegistry__factory, UsageReportVerifier__factory } from "../../src/evm/typechain";
import { FLARE_CONTRACT_REGISTRY_ADDRESS } from "../../src/fdc/harness";
import { silentLogger } from "../../src/log";
import { captureLog } from "../log-capture";

// The whole connector on the local stack (Hardhat node with the FDC harness, the Flare stand-in,
// the Flow emulator, the local LiteLLM server), stopped at every stage boundary and restarted.
// Time is a manual clock several hours in the past (Flow requires a window to have ended before
// it settles); the Flare stand-in jumps the Hardhat chain's clock to each round's end.

const MASTER = "sk-connector-test-master";
const WINDOW = 300;
const LITELLM_DELAY_MS = 60_000;
const DEPOSIT = "1000.0";

describe("connector: exactly once under crashes at every stage boundary", () => {
  let dir: string;
  let hardhat: HardhatNode;
  let emulator: FlowEmulator;
  let litellm: LiteLLMServerHandle;
  let flare: FlareLocal;
  let publisher: Publisher;
  let flow: FlowContext;
  let config: ConnectorConfig;
  let verifierAddress: string;
  let keys: { subscriptionId: bigint; key: string }[] = [];
  let foreignKey = "";
  let clock = 0;
  const connectorLog = captureLog("connector");
  const flareLog = captureLog("flare-local");
  const t0 = Math.floor((Date.now() - 8 * 3600_000) / (WINDOW * 1000)) * WINDOW * 1000;
  const w0 = BigInt(t0 / 1000 / WINDOW);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-connector-"));
    [hardhat, emulator] = await Promise.all([HardhatNode.start(), FlowEmulator.start()]);
    const network = flowNetwork("emulator");
    const signer = flowSigner(network);
    await deployFlow({ network, accessNode: emulator.restUrl, signer, yes: false, log: () => undefined, deploymentsDir: dir });
    flow = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", signer.address) };
    fcl.config().put("accessNode.api", emulator.restUrl);

    clock = t0;
    litellm = await startLiteLLMServer({ masterKey: MASTER, spendLogDelayMs: LITELLM_DELAY_MS, now: () => clock });
    // The publisher is its own long-lived service: Flare's providers fetch the summary while the
    // connector may be down (a publisher inside a crashed connector would make the round fail).
    publisher = await startPublisher({ stateDir: path.join(dir, "state"), port: await freePort() });
    const baseUrl = publisher.url;
    verifierAddress = await deployLocalEvm({ rpcUrl: hardhat.rpcUrl, deployerKey: HARDHAT_DEV_KEYS[0], publisherBaseUrl: baseUrl, windowSeconds: WINDOW, deploymentsDir: dir });
    flare = await startFlareLocal({ rpcUrl: hardhat.rpcUrl, ownerKey: HARDHAT_DEV_KEYS[0], apiKey: "test-api-key", fastClock: true, pollMs: 200, log: flareLog.logger });
    // The local oracles, quorum 2, attesting to this verifier; 300-s windows (the contract's default).
    await configureFlow({ network, flow, signer: serviceSigner(), yes: false, log: () => undefined, deploymentsDir: dir, settings: { ...network.settings(), windowSeconds: WINDOW } });

    const provider = await createLocalAccount(flow, "10.0");
    const customer = await createLocalAccount(flow, "10000.0");
    const api = subscriptionApi({ ...flow, customer: keyAuthorization(customer), customerAddress: customer.address });
    const admin = new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: litellm.url });
    for (let i = 0; i < 5; i++) {
      const { vaultId } = await api.createSubscriptionVault(provider.address, DEPOSIT, customer.address);
      const created = await admin.generateKey({ key_alias: aliasFor(vaultId.toString()), metadata: { subscription_id: vaultId.toString(), customer: customer.address, provider: provider.address } });
      keys.push({ subscriptionId: vaultId, key: created.key });
    }
    // A key that is not a FlareFlow subscription's: its usage is never reported.
    foreignKey = (await admin.generateKey({ key_alias: "someone-else", metadata: { subscription_id: "x", customer: "", provider: "" } })).key;

    config = localConnectorConfig(
      { LITELLM_MASTER_KEY: MASTER },
      {
        windowSeconds: WINDOW,
        closeDelaySeconds: 0,
        lateLookbackWindows: 4,
        firstWindow: w0,
        stateDir: path.join(dir, "state"),
        pollIntervalMs: 200,
        now: () => clock,
        publisher: { baseUrl },
        litellm: { url: litellm.url, env: { LITELLM_MASTER_KEY: MASTER } },
        evm: { rpcUrl: hardhat.rpcUrl, chainId: 31337n, verifierAddress, privateKey: HARDHAT_DEV_KEYS[1] },
        flare: { verifierUrl: flare.url, verifierApiKey: "test-api-key", daLayerUrl: flare.url, proofAttempts: 20 },
        flow: { accessNode: emulator.restUrl, addresses: flow.addresses, relayer: serviceSigner() },
        oracles: { privateKeys: [...LOCAL_ORACLE_KEYS] },
        maxLinesPerTransaction: 3,
      },
    );
  }, 300_000);

  afterAll(async () => {
    await flare?.stop();
    await publisher?.stop();
    await litellm?.stop();
    await Promise.all([hardhat?.stop(), emulator?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function chat(key: string, model: string, words: number): Promise<void> {
    const res = await fetch(`${litellm.url}/v1/chat/completions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "word ".repeat(words) }] }),
    });
    expect(res.status).toBe(200);
  }

  const pending = new Set<FaultPoint>([
    "after:aggregated",
    "after:published",
    "request:recorded",
    "after:requested",
    "after:proved",
    "verify:broadcast",
    "after:verified",
    "after:signed",
    "after:settled",
    "request:broadcast",
    "flow:chunk",
  ]);
  const crashes: string[] = [];

  /** Runs connector processes (a fresh one after each crash) until `window` is done. */
  async function runThrough(window: bigint): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const connector = new Connector(config, {
        log: connectorLog.logger,
        fault: (point, w) => {
          if (pending.has(point)) {
            pending.delete(point);
            crashes.push(`${point}@${w}`);
            throw new InjectedCrash(`injected crash at ${point}`);
          }
        },
      });
      try {
        await connector.init();
        for (;;) {
          await connector.tick();
          const record = connector.state.get(window);
          if (record && (record.stage === "settled" || record.stage === "skipped")) return;
          if (Date.now() > deadline) throw new Error(`window ${window} not done in time: ${JSON.stringify(record?.stage)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } catch (error) {
        if (!(error instanceof InjectedCrash)) throw error;
      } finally {
        await connector.close();
      }
    }
    throw new Error(`window ${window} not done in time`);
  }

  it("bills every logged token once across 7 windows with 11 crashes, Coston2 and Flow agreeing", async () => {
    const models = ["gpt-4", "gpt-3.5-turbo", "claude-3-sonnet", "llama-3-70b"];
    // Window k: usage at a few instants; the last call of each window is 30 s before its end,
    // so LiteLLM shows it only after the window is read (60 s delay): it is late usage.
    for (let k = 0; k < 5; k++) {
      const start = t0 + k * WINDOW * 1000;
      const users = k === 2 ? keys : keys.slice(0, 2 + (k % 2));
      for (const [j, u] of users.entries()) {
        clock = start + 10_000 + j * 20_000;
        await chat(u.key, models[(j + k) % models.length], 20 + 7 * j + k);
        await chat(u.key, models[(j + k + 1) % models.length], 11 + j);
      }
      clock = start + 100_000;
      await chat(foreignKey, "gpt-4", 50);
      clock = start + WINDOW * 1000 - 30_000;
      await chat(keys[k].key, "gpt-4", 33);
      clock = start + WINDOW * 1000;
      await runThrough(w0 + BigInt(k));
    }
    // Two more windows without new usage: the late rows of window 4 land in window 5; 6 is empty.
    clock = t0 + 7 * WINDOW * 1000;
    await runThrough(w0 + 6n);

    expect(crashes).toHaveLength(11);
    expect([...pending]).toEqual([]);

    const connector = new Connector(config, { log: silentLogger });
    const records = connector.state.all();
    expect(records.map((r) => r.stage)).toEqual(["settled", "settled", "settled", "settled", "settled", "settled", "skipped"]);
    expect(records.some((r) => r.rows.late > 0)).toBe(true);
    expect(records.some((r) => r.signatures?.kind === "chunked")).toBe(true);

    // Every row of our keys in exactly one report; the foreign key's in none.
    const admin = new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER }, baseUrl: litellm.url });
    const all: SpendLogRow[] = [];
    for await (const row of admin.iterateSpendLogs({ startDate: new Date(t0 - 1000), endDate: new Date(clock) })) all.push(row);
    const ours = all.filter((r) => r.metadata.user_api_key_alias?.startsWith("ff-"));
    const reportedIds = records.flatMap((r) => (r.rows.count > 0 ? connector.state.requestIds(BigInt(r.window)) : []));
    expect(new Set(reportedIds).size).toBe(reportedIds.length);
    expect(new Set(reportedIds)).toEqual(new Set(ours.map((r) => r.request_id)));
    const settled = records.filter((r) => r.stage === "settled");
    const reportedTokens = settled.reduce((s, r) => s + BigInt(r.summary.totalTokens), 0n);
    expect(reportedTokens).toBe(ours.reduce((s, r) => s + BigInt(r.total_tokens), 0n));

    // Total charged on Flow equals the pricing mirror over the same reports in order.
    const states = new Map<bigint, SubscriptionState>(keys.map((k) => [k.subscriptionId, { balance: parseUFix64(DEPOSIT), periodTokens: 0n, periodSpent: 0n }]));
    let expected = 0n;
    for (const r of settled) {
      const pricing = await onChainPricingAt(flow, new Windows(WINDOW).startUnits(BigInt(r.window)));
      for (const c of chargeLines(pricing, states, connector.state.lines(BigInt(r.window)))) expected += c.charged;
    }
    const totals = await runScript(flow, subscriptionsTestingGetTotals, {});
    expect(parseUFix64(String(totals.paidToProviders)) + parseUFix64(String(totals.owedToProviders))).toBe(expected);
    expect(expected).toBeGreaterThan(0n);

    // No window attested twice: one FdcHub request per window URL.
    const provider = new JsonRpcProvider(hardhat.rpcUrl, undefined, { staticNetwork: true });
    const registry = IFlareContractRegistry__factory.connect(FLARE_CONTRACT_REGISTRY_ADDRESS, provider);
    const hub = IFdcHub__factory.connect(await registry.getContractAddressByName("FdcHub"), provider);
    const events = await hub.queryFilter(hub.filters.AttestationRequest(), 0, "latest");
    const urls = events.map((e) => decodeWeb2JsonRequest(e.args[0]).requestBody.url);
    expect(urls).toHaveLength(settled.length);
    expect(new Set(urls).size).toBe(urls.length);

    // Coston2 and Flow hold the same digest for every window.
    const verifier = UsageReportVerifier__factory.connect(verifierAddress, provider);
    for (const r of settled) {
      const onCoston2 = await verifier.reportOf(BigInt(r.window));
      expect(onCoston2.verified).toBe(true);
      expect(onCoston2.digest).toBe(r.summary.digest);
      const flowDigests: string[] = [];
      for (const id of r.flow?.transactionIds ?? []) {
        const status = await fcl.tx(id).onceSealed();
        for (const e of status.events) {
          if (e.type.endsWith("FlareFDCTriggers.UsageReportSettled")) flowDigests.push(`0x${String((e.data as { digest: string }).digest)}`);
        }
      }
      expect(flowDigests).toEqual([r.summary.digest]);
    }
    provider.destroy();
    // One log line per stage, naming window, round and transaction.
    const stages = connectorLog.records();
    expect(stages.some((r) => r.stage === "requested" && /^\d+$/.test(String(r.round)) && /^0x[0-9a-f]{64}$/.test(String(r.tx)))).toBe(true);
    expect(stages.some((r) => r.stage === "settled" && /^\d+$/.test(String(r.round)) && Array.isArray(r.flowTxs) && r.flowTxs.length > 0)).toBe(true);
    expect([...connectorLog.lines, ...flareLog.lines].join("\n")).not.toContain(MASTER);
  }, 600_000);

  it("says clearly what is wrong: an unreachable EVM endpoint, a publisher the verifier does not pin, an empty fee account, LiteLLM down", async () => {
    const fresh = (name: string) => path.join(dir, `errors-${name}`);
    const closedPort = await freePort();

    const noRpc = new Connector({ ...config, stateDir: fresh("rpc"), evm: { ...config.evm, rpcUrl: `http://127.0.0.1:${closedPort}` } });
    await expect(noRpc.init()).rejects.toThrow(`EVM RPC http://127.0.0.1:${closedPort} is unreachable`);
    await noRpc.close();

    const elsewhere = new Connector({ ...config, stateDir: fresh("publisher"), publisher: { baseUrl: "https://reports.example.org" } });
    await expect(elsewhere.init()).rejects.toThrow(`UsageReportVerifier expects the publisher at ${publisher.url}`);
    await elsewhere.close();

    const provider = new JsonRpcProvider(hardhat.rpcUrl, undefined, { staticNetwork: true });
    try {
      const empty = new Wallet(Wallet.createRandom().privateKey, provider);
      const contracts = await flareContracts(empty, verifierAddress, hardhat.rpcUrl);
      const { sourceId, ...fields } = reportRequestSpec();
      const request = encodeWeb2JsonRequest({
        attestationType: WEB2JSON_ATTESTATION_TYPE,
        sourceId,
        messageIntegrityCode: `0x${"00".repeat(32)}`,
        requestBody: { url: `${publisher.url}/reports/1/summary`, ...fields },
      });
      await expect(feeFor(contracts, empty, request)).rejects.toThrow(/holds 0\.0 but the attestation fee is .* plus gas: fund it/);
    } finally {
      provider.destroy();
    }

    const litellmDown = new Connector({
      ...config,
      stateDir: fresh("litellm"),
      firstWindow: w0 + 100n,
      now: () => Number((w0 + 102n) * BigInt(WINDOW) * 1000n),
      litellm: { url: `http://127.0.0.1:${closedPort}`, env: { LITELLM_MASTER_KEY: MASTER } },
    });
    await litellmDown.init();
    await expect(litellmDown.tick()).rejects.toThrow(`LiteLLM at http://127.0.0.1:${closedPort}`);
    await litellmDown.close();
  }, 120_000);
});

