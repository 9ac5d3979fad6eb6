/**
 * Window arithmetic (src/report/window.ts) and the one reading of the local window length
 * (src/config/networks): every window id and start in the TypeScript comes from here.
 */
import { describe, expect, it } from "vitest";
import { DEV_WINDOW_SECONDS, evmNetworks, flowNetwork, LIVE_WINDOW_SECONDS, localWindowSeconds } from "../../src/config/networks";
import { UNITS_PER_SECOND } from "../../src/pricing";
import { Windows, WINDOW_SECONDS_BOUNDS } from "../../src/report";

describe("windows", () => {
  it("have ids start/length and close only after the delay", () => {
    const w = new Windows(300);
    expect(w.of(600_000)).toBe(2n);
    expect(w.of(599_999)).toBe(1n);
    expect(w.startMs(2n)).toBe(600_000);
    expect(w.endMs(2n)).toBe(900_000);
    expect(w.lastClosed(900_000, 0)).toBe(2n);
    expect(w.lastClosed(900_000, 10)).toBe(1n);
    expect(w.lastClosed(299_999, 0)).toBeUndefined();
    expect(new Windows(20).of(600_000)).toBe(30n);
  });

  it("start where Flow's clock says, in UFix64 units", () => {
    expect(new Windows(300).startUnits(5_800_000n)).toBe(1_740_000_000n * UNITS_PER_SECOND);
    expect(new Windows(15n).startUnits(2n)).toBe(30n * UNITS_PER_SECOND);
  });

  it("take the length as Flow reports it (bigint) or as configured (number)", () => {
    expect(new Windows(300n).of(1_740_000_123_000)).toBe(5_800_000n);
    expect(new Windows(300).of(1_740_000_123_999)).toBe(5_800_000n);
  });

  it("refuse a length that is not a positive integer, and a time that is not one", () => {
    for (const bad of [0, -300, 2.5, Number.NaN, 0n]) expect(() => new Windows(bad), String(bad)).toThrow(/window length must be a positive integer/);
    expect(() => new Windows(300).of(-1)).toThrow(/not a time: -1/);
    expect(() => new Windows(300).of(Number.NaN)).toThrow(/not a time: NaN/);
  });
});

describe("the window length of each network", () => {
  it("is 300 s live, on both chains of a pair", () => {
    expect(LIVE_WINDOW_SECONDS).toBe(300);
    expect([evmNetworks.coston2.windowSeconds, evmNetworks.flare.windowSeconds]).toEqual([300, 300]);
  });

  it("pairs each Flow network with the chain its oracles attest from", () => {
    const env = { ...process.env };
    process.env.FLAREFLOW_ORACLE_PUBLIC_KEYS = "ab".repeat(64);
    process.env.FLAREFLOW_ORACLE_THRESHOLD = "1";
    try {
      expect(flowNetwork("testnet").settings()).toMatchObject({ windowSeconds: 300, source: { chainId: 114n, evmNetwork: "coston2" } });
      expect(flowNetwork("mainnet").settings()).toMatchObject({ windowSeconds: 300, source: { chainId: 14n, evmNetwork: "flare" } });
      expect(flowNetwork("emulator").settings()).toMatchObject({ source: { chainId: 31337n, evmNetwork: "localhost" } });
      expect([flowNetwork("testnet").accessNode, flowNetwork("testnet").deployAccount]).toEqual([env.FLOW_ACCESS_NODE ?? "https://rest-testnet.onflow.org", "testnet-admin"]);
      expect([flowNetwork("mainnet").accessNode, flowNetwork("mainnet").deployAccount]).toEqual([env.FLOW_ACCESS_NODE ?? "https://rest-mainnet.onflow.org", "mainnet-admin"]);
    } finally {
      process.env = env;
    }
  });

  it("is FLAREFLOW_WINDOW_SECONDS locally, unset or empty the live length", () => {
    expect(localWindowSeconds({})).toBe(300);
    expect(localWindowSeconds({ FLAREFLOW_WINDOW_SECONDS: "" })).toBe(300);
    expect(localWindowSeconds({ FLAREFLOW_WINDOW_SECONDS: "30" })).toBe(30);
    expect(localWindowSeconds({}, DEV_WINDOW_SECONDS)).toBe(30);
    expect(localWindowSeconds({ FLAREFLOW_WINDOW_SECONDS: "15" }, DEV_WINDOW_SECONDS)).toBe(15);
    expect(localWindowSeconds({ FLAREFLOW_WINDOW_SECONDS: String(WINDOW_SECONDS_BOUNDS.max) })).toBe(86_400);
  });

  it("refuses a local length the verifier would refuse, by name", () => {
    for (const bad of ["0", "86401", "abc", "2.5", "-30", " 30"]) {
      expect(() => localWindowSeconds({ FLAREFLOW_WINDOW_SECONDS: bad }), bad).toThrow(`FLAREFLOW_WINDOW_SECONDS must be a whole number of seconds from 1 to 86400, got ${bad}`);
    }
  });
});
