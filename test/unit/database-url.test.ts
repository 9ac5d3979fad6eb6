import { describe, expect, it } from "vitest";
import { databaseUrlFromEnv, parseDatabaseUrl } from "../../src/connector/database-url";
import { localConnectorConfig } from "../../src/connector/config";
import { ConnectorError } from "../../src/connector/errors";

const SECRET = "s3cret-Pa55";

function refusal(raw: string): ConnectorError {
  try {
    parseDatabaseUrl(raw);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error(`accepted ${raw}`);
}

describe("LITELLM_DATABASE_URL", () => {
  it("is read into explicit connection fields; the printable form has no password", () => {
    const u = parseDatabaseUrl(`postgres://litellm_ro:${encodeURIComponent("p@ss:/word")}@db.example.org:6543/litellm?sslmode=require`);
    expect(u).toEqual({ host: "db.example.org", port: 6543, database: "litellm", user: "litellm_ro", password: "p@ss:/word", ssl: "require", display: "postgres://litellm_ro@db.example.org:6543/litellm" });
    expect(parseDatabaseUrl(`postgresql://u:${SECRET}@[::1]/db`)).toMatchObject({ host: "::1", port: 5432, ssl: "prefer", display: "postgres://u@[::1]/db" });
    expect(parseDatabaseUrl(`postgres://u@h/db?sslmode=disable`)).toMatchObject({ password: "", ssl: "disable" });
  });

  it.each([
    ["not a URL", `litellm_ro:${SECRET}@db/litellm`, /is not a URL/],
    ["another scheme", `mysql://u:${SECRET}@db/litellm`, /scheme mysql, not postgres/],
    ["an http URL", `https://u:${SECRET}@db/litellm`, /scheme https/],
    ["no host", `postgres://u:${SECRET}@/litellm`, /no host|not a URL/],
    ["several hosts", `postgres://u:${SECRET}@db1,db2/litellm`, /several hosts|not a URL/],
    ["no user", `postgres://:${SECRET}@db/litellm`, /names no user/],
    ["no database", `postgres://u:${SECRET}@db`, /names no database/],
    ["two path segments", `postgres://u:${SECRET}@db/litellm/extra`, /names no database/],
    ["a port out of range", `postgres://u:${SECRET}@db:70000/litellm`, /not a URL|invalid port/],
    ["a driver option smuggled in", `postgres://u:${SECRET}@db/litellm?options=-c%20default_transaction_read_only%3Doff`, /parameter "options"/],
    ["a socket host parameter", `postgres://u:${SECRET}@db/litellm?host=/var/run/postgresql`, /parameter "host"/],
    ["an unknown sslmode", `postgres://u:${SECRET}@db/litellm?sslmode=off`, /sslmode "off"/],
    ["sslmode twice (a downgrade appended to the operator's choice)", `postgres://u:${SECRET}@db/litellm?sslmode=require&sslmode=disable`, /sslmode twice/],
    ["a port of 0", `postgres://u:${SECRET}@db:0/litellm`, /invalid port/],
    ["a fragment", `postgres://u:${SECRET}@db/litellm#x`, /#fragment/],
    ["control characters", `postgres://u:${SECRET}@db/lite\nllm`, /control characters/],
    ["bad percent-encoding", `postgres://u:${SECRET}%ZZ@db/litellm`, /badly percent-encoded password|not a URL/],
    ["a huge value", `postgres://u:${SECRET}@db/${"x".repeat(3000)}`, /longer than 2048/],
  ])("refuses %s with a clear error that never shows the password", (_what, raw, message) => {
    const error = refusal(raw);
    expect(error.kind).toBe("config");
    expect(error.message).toMatch(/^LITELLM_DATABASE_URL /);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(SECRET);
  });

  it("is optional: unset or empty means the API path", () => {
    expect(databaseUrlFromEnv({})).toBeUndefined();
    expect(databaseUrlFromEnv({ LITELLM_DATABASE_URL: "  " })).toBeUndefined();
  });

  it("is part of the connector configuration, checked when it is built", () => {
    const evm = { rpcUrl: "http://127.0.0.1:8545", chainId: 31337n, verifierAddress: "0x0000000000000000000000000000000000000001", privateKey: `0x${"11".repeat(32)}` };
    expect(localConnectorConfig({}, { evm }).litellm.database).toBeUndefined();
    const cfg = localConnectorConfig({ LITELLM_DATABASE_URL: `postgres://ro:${SECRET}@127.0.0.1:5432/litellm` }, { evm });
    expect(cfg.litellm.database?.display).toBe("postgres://ro@127.0.0.1:5432/litellm");
    expect(() => localConnectorConfig({ LITELLM_DATABASE_URL: `mysql://ro:${SECRET}@h/db` }, { evm })).toThrow(ConnectorError);
    expect(() => localConnectorConfig({ LITELLM_DATABASE_URL: `mysql://ro:${SECRET}@h/db` }, { evm })).not.toThrow(new RegExp(SECRET));
  });
});
