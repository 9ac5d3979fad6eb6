import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fcl from "@onflow/fcl";
import { runScript } from "../../src/flow/runtime";
import { testingFlowTotalSupply } from "../flow-generated/scripts";
import { FlowEmulator } from "../../src/local/emulator";
import { contractAddresses } from "../../src/config/flow-json";

// The wiring of TypeScript to the pinned emulator: start it from the harness,
// run a script through FCL's REST transport, stop it.
describe("Flow emulator wiring", () => {
  let emulator: FlowEmulator;

  beforeAll(async () => {
    emulator = await FlowEmulator.start();
    fcl.config().put("accessNode.api", emulator.restUrl).put("flow.network", "emulator");
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it("reads FLOW's total supply from the standard contract at flow.json's emulator alias", async () => {
    const supply = await runScript({ accessNode: emulator.restUrl, addresses: contractAddresses("emulator") }, testingFlowTotalSupply, {});
    // The emulator mints its --token-supply default (1e9 FLOW) at genesis.
    expect(supply).toBe("1000000000.00000000");
  });

  it("stops: the REST API refuses connections afterwards", async () => {
    const probe = await FlowEmulator.start();
    const url = probe.restUrl;
    await probe.stop();
    await expect(fetch(`${url}/v1/blocks?height=sealed`)).rejects.toThrow();
  });
});
