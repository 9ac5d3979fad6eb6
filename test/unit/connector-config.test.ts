/**
 * The connector's configuration from the environment: the first bad variable stops it, in the
 * words an operator can act on, never quoting a key; unset and empty variables take the network's
 * defaults.
 */
import { describe, expect, it } from "vitest";
import { coston2ConnectorConfig, localConnectorConfig, LOCAL_ORACLE_KEYS } from "../../src/connector/config";
import { ConnectorError } from "../../src/connector/errors";
import { publisherOptionsFromEnv } from "../../src/connector/publish";
import { defaultStateDir } from "../../src/connector/state-dir";
import { leavesReaderFromEnv } from "../../src/keys/leaves";

const VERIFIER = "0x5eb4c0ae3b6f2fa3a1e0f0d1c2b3a4958d7e6f01";
const KEY = `0x${"ab".repeat(32)}`;

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorError);
    return (e as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("connector configuration from the environment", () => {
  const local = { FLAREFLOW_VERIFIER_ADDRESS: VERIFIER };

  it("takes the local defaults for unset or empty variables", () => {
    const config = localConnectorConfig({ ...local, FLAREFLOW_CLOSE_DELAY_SECONDS: "", FLAREFLOW_PROOF_ATTEMPTS: "7", FLAREFLOW_EVM_KEY: "ab".repeat(32) });
    expect(config).toMatchObject({
      windowSeconds: 300,
      closeDelaySeconds: 15,
      lateLookbackWindows: 12,
      pollIntervalMs: 1000,
      publisher: { baseUrl: "http://127.0.0.1:8790", listen: { host: "127.0.0.1", port: 8790 } },
      evm: { verifierAddress: VERIFIER, privateKey: KEY },
      flare: { proofAttempts: 7 },
      oracles: { privateKeys: [...LOCAL_ORACLE_KEYS] },
      maxLinesPerTransaction: 450,
    });
    expect(localConnectorConfig({ ...local, FLAREFLOW_PUBLISHER_PORT: "9000", FLAREFLOW_ORACLE_KEYS: `${KEY}, ${"cd".repeat(32)}` })).toMatchObject({
      publisher: { baseUrl: "http://127.0.0.1:9000", listen: { port: 9000 } },
      oracles: { privateKeys: [KEY, `0x${"cd".repeat(32)}`] },
    });
  });

  it("refuses a malformed number or key by name, quoting the number but never the key", () => {
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_CONNECTOR_POLL_MS: "-5" }))).toBe("FLAREFLOW_CONNECTOR_POLL_MS must be a non-negative integer, got -5");
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_PUBLISHER_PORT: "http" }))).toBe("FLAREFLOW_PUBLISHER_PORT must be a port number, got http");
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_PUBLISHER_PORT: "70000" }))).toBe("FLAREFLOW_PUBLISHER_PORT must be a port number, got 70000");
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_WINDOW_SECONDS: "0" }))).toBe("FLAREFLOW_WINDOW_SECONDS must be a whole number of seconds from 1 to 86400, got 0");
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_MAX_LINES_PER_TX: "1e3" }))).toBe(
      "FLAREFLOW_MAX_LINES_PER_TX must be 1 to 450 (the largest chunk proven to fit a Flow transaction), got 1000",
    );
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_EVM_KEY: "secret-evm-key" }))).toBe("FLAREFLOW_EVM_KEY must be 32 bytes of hex");
    expect(refusal(() => localConnectorConfig({ ...local, FLAREFLOW_ORACLE_KEYS: `${KEY},secret-oracle-key` }))).toBe("FLAREFLOW_ORACLE_KEYS[1] must be 32 bytes of hex");
  });

  it("on Coston2 requires the public HTTPS publisher and each secret, the first missing one named", () => {
    const coston2 = (env: Record<string, string>) => () => coston2ConnectorConfig(env, { evm: { verifierAddress: VERIFIER } as never });
    expect(refusal(coston2({}))).toBe("set FLAREFLOW_PUBLISHER_URL (the public HTTPS address of the report publisher; Flare's verifiers fetch only public HTTPS)");
    expect(refusal(coston2({ FLAREFLOW_PUBLISHER_URL: "  " }))).toMatch(/^set FLAREFLOW_PUBLISHER_URL /);
    expect(refusal(coston2({ FLAREFLOW_PUBLISHER_URL: "http://reports.example" }))).toBe(
      "FLAREFLOW_PUBLISHER_URL must be https:// on Coston2 (Flare's verifiers fetch only HTTPS), got http://reports.example",
    );
    const publisher = { FLAREFLOW_PUBLISHER_URL: " https://reports.example " };
    expect(refusal(coston2(publisher))).toBe("set LITELLM_URL (the LiteLLM proxy)");
    const litellm = { ...publisher, LITELLM_URL: "http://litellm:4000" };
    expect(refusal(coston2(litellm))).toBe("set FLAREFLOW_EVM_KEY (the Coston2 account that pays FDC fees and gas)");
    expect(refusal(coston2({ ...litellm, FLAREFLOW_EVM_KEY: "secret" }))).toBe("FLAREFLOW_EVM_KEY must be 32 bytes of hex");
    expect(refusal(coston2({ ...litellm, FLAREFLOW_EVM_KEY: KEY }))).toBe("set VERIFIER_API_KEY_TESTNET (Flare's verifier server API key)");
  });
});

describe("what the publisher and the key service read of the environment", () => {
  it("the publisher's port: a port number, or 8790 when unset or empty; the same rule as the connector's", () => {
    expect(publisherOptionsFromEnv("/s", {})).toEqual({ stateDir: "/s", host: "127.0.0.1", port: 8790 });
    expect(publisherOptionsFromEnv("/s", { FLAREFLOW_PUBLISHER_PORT: "" }).port).toBe(8790);
    expect(publisherOptionsFromEnv("/s", { FLAREFLOW_PUBLISHER_PORT: "0", FLAREFLOW_PUBLISHER_HOST: "0.0.0.0" })).toEqual({ stateDir: "/s", host: "0.0.0.0", port: 0 });
    for (const raw of ["70000", "-1", "80.5", "http"]) {
      expect(refusal(() => publisherOptionsFromEnv("/s", { FLAREFLOW_PUBLISHER_PORT: raw }))).toBe(`FLAREFLOW_PUBLISHER_PORT must be a port number, got ${raw}`);
    }
  });

  it("FLAREFLOW_CONNECTOR_STATE: blank is unset, for the connector, the publisher and the key service alike", () => {
    const fallback = defaultStateDir("local", {});
    expect(fallback).toMatch(/[/\\]\.flareflow[/\\]connector-local$/);
    // Blank once meant "" to the connector: its state in whatever directory it was started from.
    expect(defaultStateDir("local", { FLAREFLOW_CONNECTOR_STATE: "" })).toBe(fallback);
    expect(defaultStateDir("local", { FLAREFLOW_CONNECTOR_STATE: "  " })).toBe(fallback);
    expect(defaultStateDir("coston2", { FLAREFLOW_CONNECTOR_STATE: "/var/lib/ff " })).toBe("/var/lib/ff");
    expect(leavesReaderFromEnv({})).toBeUndefined();
    expect(leavesReaderFromEnv({ FLAREFLOW_CONNECTOR_STATE: "  " })).toBeUndefined();
    expect(leavesReaderFromEnv({ FLAREFLOW_CONNECTOR_STATE: "/var/lib/ff" })).toBeDefined();
  });
});
