/**
 * The key service's configuration from the environment, without an emulator: a deployment with
 * several mistakes learns of all of them from one start, each in the words the README documents,
 * and an unset or blank variable takes its documented default.
 */
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { KeyServiceConfigError, keyServiceOptionsFromEnv } from "../../src/keys";

const PROVIDER = "0x179b6b1cb6755e31";
const required = {
  FLAREFLOW_PROVIDER_ADDRESS: PROVIDER,
  FLAREFLOW_PROVIDER_PRIVATE_KEY: randomBytes(32).toString("hex"),
  FLAREFLOW_KEY_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
  LITELLM_MASTER_KEY: "sk-master",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    keyServiceOptionsFromEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(KeyServiceConfigError);
    const [head, ...rest] = (e as Error).message.split("\n  - ");
    expect(head).toBe("the key service is misconfigured:");
    return rest;
  }
  throw new Error("the configuration was accepted");
}

describe("key service configuration", () => {
  it("reports every malformed variable in one error, in order, without echoing a secret", () => {
    const problems = problemsOf({
      ...required,
      FLAREFLOW_PROVIDER_ADDRESS: "not-an-address",
      FLAREFLOW_PROVIDER_PRIVATE_KEY: "0xsecret-provider-key",
      FLAREFLOW_KEY_ENCRYPTION_KEY: "secret-too-short",
      FLAREFLOW_PROVIDER_KEY_INDEX: "-1",
      FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM: "RSA",
      FLAREFLOW_PROVIDER_HASH_ALGORITHM: "MD5",
      FLAREFLOW_KEY_SERVICE_START_HEIGHT: "1.5",
      FLAREFLOW_KEY_SERVICE_PORT: "70000.5",
      FLAREFLOW_KEY_SERVICE_POLL_MS: "10",
      FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "https://ok.example, *, https://page.example/path",
      FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "10.0.0.1,proxy.local",
      FLAREFLOW_KEY_SERVICE_LIVE_LIMIT: "maybe",
      FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS: "abc",
    });
    expect(problems).toEqual([
      "FLAREFLOW_PROVIDER_ADDRESS is not a Flow address",
      "FLAREFLOW_PROVIDER_PRIVATE_KEY must be 64 hex digits",
      'FLAREFLOW_PROVIDER_KEY_INDEX must be an integer >= 0, got "-1"',
      'FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM must be one of ECDSA_P256, ECDSA_secp256k1, got "RSA"',
      'FLAREFLOW_PROVIDER_HASH_ALGORITHM must be one of SHA3_256, SHA2_256, got "MD5"',
      "FLAREFLOW_KEY_ENCRYPTION_KEY must be exactly 32 bytes, written as 64 hex digits or base64",
      'FLAREFLOW_KEY_SERVICE_START_HEIGHT must be an integer >= 0, got "1.5"',
      'FLAREFLOW_KEY_SERVICE_PORT must be an integer >= 0, got "70000.5"',
      "FLAREFLOW_KEY_SERVICE_PORT must be at most 65535",
      'FLAREFLOW_KEY_SERVICE_POLL_MS must be an integer >= 50, got "10"',
      'FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "*" is not an origin (scheme://host[:port], no path, no "*")',
      'FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: "https://page.example/path" is not an origin (scheme://host[:port], no path, no "*")',
      'FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "proxy.local" is not an IP address',
      'FLAREFLOW_KEY_SERVICE_LIVE_LIMIT must be one of on, poll-only, off, got "maybe"',
      'FLAREFLOW_KEY_SERVICE_SPEND_LOOKBACK_MS must be an integer >= 1000, got "abc"',
    ]);
    expect(problems.join("\n")).not.toMatch(/secret/);
  });

  it("names each unset required variable, and the start height only off the emulator", () => {
    const problems = problemsOf({ FLAREFLOW_FLOW_NETWORK: "testnet", LITELLM_MASTER_KEY: "sk-master" });
    expect(problems.filter((p) => / is not set/.test(p)).map((p) => p.split(" ")[0])).toEqual([
      "FLAREFLOW_PROVIDER_ADDRESS",
      "FLAREFLOW_PROVIDER_PRIVATE_KEY",
      "FLAREFLOW_KEY_ENCRYPTION_KEY",
      "FLAREFLOW_KEY_SERVICE_START_HEIGHT",
    ]);
    expect(problems).toContain(
      "FLAREFLOW_KEY_SERVICE_START_HEIGHT is not set: first block to read on a new state dir (default 0 on the emulator; required elsewhere)",
    );
    expect(problemsOf({ FLAREFLOW_PROVIDER_ADDRESS: "", FLAREFLOW_PROVIDER_PRIVATE_KEY: "", LITELLM_MASTER_KEY: "sk-master" }).join("\n")).not.toMatch(
      /START_HEIGHT/,
    );
  });

  it("takes the documented defaults for unset or blank variables, and normalizes what it keeps", () => {
    const options = keyServiceOptionsFromEnv({
      ...required,
      FLAREFLOW_PROVIDER_PRIVATE_KEY: `0x${required.FLAREFLOW_PROVIDER_PRIVATE_KEY}`,
      FLAREFLOW_KEY_SERVICE_PORT: "  ",
      FLAREFLOW_PROVIDER_SIGNATURE_ALGORITHM: "",
      FLAREFLOW_KEY_SERVICE_CORS_ORIGINS: " https://page.example , ",
      FLAREFLOW_KEY_SERVICE_TRUSTED_PROXIES: "::ffff:10.0.0.1, 2001:db8::1",
      FLAREFLOW_KEY_SERVICE_LIVE_LIMIT: "poll-only",
    });
    expect(options).toMatchObject({
      provider: {
        address: PROVIDER,
        privateKey: required.FLAREFLOW_PROVIDER_PRIVATE_KEY,
        keyIndex: 0,
        signatureAlgorithm: "ECDSA_P256",
        hashAlgorithm: "SHA3_256",
      },
      stateDir: ".flareflow/key-service",
      startHeight: 0,
      http: { port: 8702, host: "127.0.0.1", corsOrigins: ["https://page.example"], trustedProxies: ["10.0.0.1", "2001:db8:0:0::/64"] },
      pollIntervalMs: 1000,
      liveLimit: { enabled: true, guard: false, lookbackMs: 15_000 },
    });
    expect(options.encryptionKey).toEqual(Buffer.from(required.FLAREFLOW_KEY_ENCRYPTION_KEY, "hex"));
    expect(keyServiceOptionsFromEnv({ ...required, FLAREFLOW_KEY_SERVICE_PORT: "8080", FLAREFLOW_KEY_SERVICE_START_HEIGHT: "12", FLAREFLOW_KEY_SERVICE_LIVE_LIMIT: "off" })).toMatchObject({
      startHeight: 12,
      http: { port: 8080 },
      liveLimit: { enabled: false, guard: false },
    });
  });
});
