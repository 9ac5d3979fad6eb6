import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlowEmulator } from "../../src/local/emulator";
import { flowNetwork } from "../../src/config/networks";
import { deployFlow } from "../../src/deploy/flow-deploy";
import { flowSigner } from "../../src/deploy/flow-signer";
import { readDeployment } from "../../src/config/deployments";

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

  it("refuses a live network without keys in the environment", () => {
    expect(() => flowSigner(flowNetwork("testnet"), {})).toThrow(/FLAREFLOW_TESTNET_ADDRESS/);
    expect(() => flowNetwork("devnet")).toThrow(/unknown Flow network/);
  });
});
