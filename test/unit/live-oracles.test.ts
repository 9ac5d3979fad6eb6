/**
 * The oracles of a live network from the environment (what `configure:flow` registers on Flow):
 * the first bad variable stops it with the variable named and a pointer to where it is explained.
 */
import { describe, expect, it } from "vitest";
import { liveOracleSettings } from "../../src/config/networks/live-oracles";
import { FlareFlowError } from "../../src/errors";

const A = "1a".repeat(64);
const B = "2B".repeat(64);

function refusal(env: NodeJS.ProcessEnv): { message: string; docs?: string; flareflow: boolean } {
  try {
    liveOracleSettings(env);
  } catch (error) {
    return { message: (error as Error).message, docs: (error as FlareFlowError).docs, flareflow: error instanceof FlareFlowError };
  }
  throw new Error("the oracle settings were accepted");
}

describe("live oracle settings", () => {
  it("takes each key with or without 0x and 04, in lower case, and the quorum", () => {
    expect(liveOracleSettings({ FLAREFLOW_ORACLE_PUBLIC_KEYS: ` 0x04${A}, ${B} `, FLAREFLOW_ORACLE_THRESHOLD: "2" })).toEqual({ publicKeys: [A, B.toLowerCase()], threshold: 2 });
    expect(liveOracleSettings({ FLAREFLOW_ORACLE_PUBLIC_KEYS: A, FLAREFLOW_ORACLE_THRESHOLD: "1" })).toEqual({ publicKeys: [A], threshold: 1 });
  });

  it("refuses a missing or malformed key by its place, and a quorum the keys cannot meet", () => {
    const docs = "README.md#configuring-after-deployment";
    const need = "set FLAREFLOW_ORACLE_PUBLIC_KEYS (comma-separated oracle secp256k1 public keys, 128 hex chars each)";
    expect(refusal({})).toEqual({ message: need, docs, flareflow: true });
    expect(refusal({ FLAREFLOW_ORACLE_PUBLIC_KEYS: " ", FLAREFLOW_ORACLE_THRESHOLD: "1" })).toEqual({ message: need, docs, flareflow: true });
    expect(refusal({ FLAREFLOW_ORACLE_PUBLIC_KEYS: `${A},${A.slice(2)}`, FLAREFLOW_ORACLE_THRESHOLD: "1" })).toEqual({ message: "FLAREFLOW_ORACLE_PUBLIC_KEYS[1] is not a 64-byte public key", docs, flareflow: true });
    expect(refusal({ FLAREFLOW_ORACLE_PUBLIC_KEYS: `${A},`, FLAREFLOW_ORACLE_THRESHOLD: "1" }).message).toBe("FLAREFLOW_ORACLE_PUBLIC_KEYS[1] is not a 64-byte public key");
    for (const threshold of [undefined, "", "0", "3", "1.5", "two"]) {
      expect(refusal({ FLAREFLOW_ORACLE_PUBLIC_KEYS: `${A},${B}`, FLAREFLOW_ORACLE_THRESHOLD: threshold }), String(threshold)).toEqual({
        message: "FLAREFLOW_ORACLE_THRESHOLD must be an integer between 1 and 2",
        docs,
        flareflow: true,
      });
    }
  });
});
