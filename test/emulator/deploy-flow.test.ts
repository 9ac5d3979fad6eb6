import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlowEmulator } from "../../src/local/emulator";
import { flowNetwork } from "../../src/config/networks";
import { deployFlow } from "../../src/deploy/flow-deploy";
import { flowSigner } from "../../src/deploy/flow-signer";
import { readDeployment, writeDeployment } from "../../src/config/deployments";
import { contractAddresses } from "../../src/config/flow-json";
import { configureFlow } from "../../src/deploy/flow-configure";
import { runScript } from "../../src/flow/runtime";
import { oracleGetConfig } from "../../src/flow/generated/scripts";
import { DEFAULT_PRICING } from "../../src/pricing";

describe("deploy:flow on the emulator", () => {
  let emulator: FlowEmulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await FlowEmulator.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-deploy-"));
  });

  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (log: string[]) =>
    deployFlow({
      network: flowNetwork("emulator"),
      accessNode: emulator.restUrl,
      signer: flowSigner(flowNetwork("emulator")),
      yes: false,
      log: (line) => log.push(line),
      deploymentsDir: dir,
    });

  it("deploys the four contracts, then a second run changes nothing and says so", async () => {
    const first: string[] = [];
    const one = await run(first);
    expect(one.added).toEqual([
      "SimpleUsageSubscriptions",
      "UsageBasedSubscriptions",
      "FlareOracleVerifier",
      "FlareFDCTriggers",
    ]);
    const record = readDeployment("emulator", dir);
    expect(Object.keys(record.flow?.contracts ?? {})).toHaveLength(4);
    const written = fs.statSync(path.join(dir, "emulator.json")).mtimeMs;

    const second: string[] = [];
    const two = await run(second);
    expect(two).toEqual({ added: [], updated: [], unchanged: one.added, sent: false });
    expect(second.join("\n")).toContain("nothing to do");
    expect(fs.statSync(path.join(dir, "emulator.json")).mtimeMs).toBe(written);
  });

  it("configures pricing, window, oracles and source, then a second run sends nothing", async () => {
    const verifier = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    writeDeployment("localhost", { evm: { network: "localhost", chainId: 31337, contracts: { UsageReportVerifier: { address: verifier, bytecodeSha256: "00" } } } }, dir);
    const network = flowNetwork("emulator");
    const signer = flowSigner(network);
    const flow = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", signer.address) };
    const settings = { ...network.settings(), windowSeconds: 30, pricing: { ...DEFAULT_PRICING, familyMultipliers: { ...DEFAULT_PRICING.familyMultipliers, mistral: 70_000_000n } } };
    const log: string[] = [];
    const first = await configureFlow({ network, flow, signer, yes: false, log: (l) => log.push(l), deploymentsDir: dir, settings });
    expect(first.sent).toBe(true);
    expect(first.steps).toEqual(
      expect.arrayContaining(["set family mistral to 0.70000000x", "set 30-s usage windows", "set the oracle quorum to 2", `attest to ${verifier} on chain 31337`]),
    );
    expect(first.steps.filter((s) => s.startsWith("register oracle"))).toHaveLength(3);
    const oracles = await runScript(flow, oracleGetConfig, {});
    expect(Number(oracles.threshold)).toBe(2);
    expect(String(oracles.verifier).toLowerCase().replace(/^0x/, "")).toBe(verifier.toLowerCase().replace(/^0x/, ""));

    const second = await configureFlow({ network, flow, signer, yes: false, log: (l) => log.push(l), deploymentsDir: dir, settings });
    expect(second).toEqual({ steps: [], sent: false });
    expect(log[log.length - 1]).toContain("configuration up to date");
  });

  it("refuses a live network without keys in the environment", () => {
    expect(() => flowSigner(flowNetwork("testnet"), {})).toThrow(/FLAREFLOW_TESTNET_ADDRESS/);
    expect(() => flowNetwork("devnet")).toThrow(/unknown Flow network/);
  });
});
