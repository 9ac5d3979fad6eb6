import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulator, executeScript, getAccountAddress, getFlowBalance, init, mintFlow } from "@onflow/flow-js-testing";
import { flowBinary, repoRoot } from "../../src/local/flow-binary";
import { contractAddresses } from "../../src/config/flow-json";
import { resolveImports } from "../../src/flow/runtime";
import { testingFlowTotalSupply } from "../flow-generated/scripts";
import * as path from "node:path";

// flow-js-testing (its Cadence-1.0 build, FCL 1.3.2 inside) drives the pinned
// toolchain's emulator: it starts the process itself, with signature checks off.
describe("flow-js-testing against the pinned emulator", () => {
  beforeAll(async () => {
    await init(path.join(repoRoot(), "cadence"));
    await emulator.start({ execName: flowBinary() });
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it("runs a script", async () => {
    const [supply, error] = await executeScript({ code: resolveImports(testingFlowTotalSupply.cadence, contractAddresses("emulator")) });
    expect(error).toBeNull();
    expect(supply).toBe("1000000000.00000000");
  });

  it("creates an account and mints FLOW into it", async () => {
    const alice = await getAccountAddress("Alice");
    const [before] = await getFlowBalance(alice);
    await mintFlow(alice, "12.5");
    const [after] = await getFlowBalance(alice);
    expect(Number(after) - Number(before)).toBeCloseTo(12.5, 8);
  });
});
