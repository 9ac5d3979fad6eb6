/**
 * The key service's parts that need no emulator: the journal's crash
 * behaviour, key custody, event handlers' idempotency, and configuration
 * errors. (Kept beside the emulator tests of the same service.)
 */
import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { Journal } from "../../src/keys/journal";
import { StateFileError } from "../../src/keys/state-validate";
import { applyEvent } from "../../src/keys/handlers";
import type { PositionedEvent } from "../../src/keys/events";
import { needsWork, type SubscriptionRecord } from "../../src/keys/state";
import { KeyServiceConfigError, keyServiceOptionsFromEnv, litellmKeyService, openKey, parseEncryptionKey, sealKey } from "../../src/keys";
import { ChallengeStore } from "../../src/keys/http/challenges";
import { hashKey } from "../../src/litellm";

const kek = randomBytes(32);
const PROVIDER = "0x179b6b1cb6755e31";

function at(height: number, e: Omit<PositionedEvent, "blockHeight" | "transactionId" | "transactionIndex" | "eventIndex">): PositionedEvent {
  return { ...e, blockHeight: height, transactionId: "t", transactionIndex: 0, eventIndex: 0 } as PositionedEvent;
}

const created = at(5, {
  name: "SubscriptionCreated",
  data: { id: 7n, customer: "0xf3fcd2c1a78f5eee", provider: PROVIDER, deposit: "10.00000000", maxBudgetPerPeriod: null, allowedModels: ["gpt-4"], periodStart: "1.00000000" },
});

describe("key service units", () => {
  it("seals keys with AES-256-GCM bound to subscription and alias", () => {
    const sealed = sealKey(kek, "7", "ff-7", "sk-secret");
    expect(JSON.stringify(sealed)).not.toContain("sk-secret");
    expect(openKey(kek, "7", "ff-7", sealed)).toBe("sk-secret");
    expect(() => openKey(kek, "8", "ff-7", sealed)).toThrow(/cannot decrypt the stored key of subscription 8/);
    expect(() => openKey(randomBytes(32), "7", "ff-7", sealed)).toThrow(/wrong FLAREFLOW_KEY_ENCRYPTION_KEY/);
    expect(parseEncryptionKey(kek.toString("hex"))).toEqual(kek);
    expect(parseEncryptionKey(kek.toString("base64"))).toEqual(kek);
    expect(() => parseEncryptionKey(undefined)).toThrow(/FLAREFLOW_KEY_ENCRYPTION_KEY is not set/);
    expect(() => parseEncryptionKey("abcd")).toThrow(/exactly 32 bytes/);
  });

  it("handlers: a replayed event changes nothing, other providers are ignored, closed is final", () => {
    const subs = new Map<string, SubscriptionRecord>();
    const ctx = { provider: PROVIDER, kek };
    const sub = applyEvent(created, subs, ctx);
    expect(sub).toMatchObject({ id: "7", models: ["gpt-4"], lifecycle: "active", keys: [{ alias: "ff-7", litellm: "pending", flow: "pending" }] });
    expect(needsWork(sub!)).toBe(true);
    subs.set("7", sub!);
    expect(applyEvent(created, subs, ctx)).toBeNull();
    expect(applyEvent({ ...created, data: { ...created.data, id: 8n, provider: "0x01cf0e2f2f715450" } } as PositionedEvent, subs, ctx)).toBeNull();

    const hash = sub!.keys[0]!.hash;
    const revoked = applyEvent(at(9, { name: "KeyRevoked", data: { id: 7n, keyHash: hash, by: "0xf3fcd2c1a78f5eee" } }), subs, ctx);
    expect(revoked?.keys[0]).toMatchObject({ revoked: true, sealed: null });
    subs.set("7", revoked!);
    expect(applyEvent(at(9, { name: "KeyRevoked", data: { id: 7n, keyHash: hash, by: "0xf3fcd2c1a78f5eee" } }), subs, ctx)).toBeNull();

    const closed = applyEvent(at(10, { name: "SubscriptionClosed", data: { id: 7n, refund: "1.0", settled: true } }), subs, ctx);
    subs.set("7", closed!);
    expect(applyEvent(at(11, { name: "SubscriptionResumed", data: { id: 7n, balance: "1.0" } }), subs, ctx)).toBeNull();
  });

  it("journal: the last line per record wins, a torn final line is ignored, a corrupt middle line is refused", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-journal-"));
    try {
      const sub = applyEvent(created, new Map(), { provider: PROVIDER, kek })!;
      let { journal, state } = Journal.open(dir, kek);
      expect(state).toEqual({ cursor: null, subs: new Map() });
      journal.append({ cursor: { height: 5, last: { transactionIndex: 0, eventIndex: 0 } }, sub });
      journal.append({ sub: { ...sub, lifecycle: "suspended" } });
      journal.close();
      const file = path.join(dir, "key-service.jsonl");
      // A crash in the middle of an append leaves an unterminated line.
      fs.appendFileSync(file, '{"seq":4,"cursor":{"height":99,"la');
      ({ journal, state } = Journal.open(dir, kek));
      journal.close();
      expect(state.cursor).toEqual({ height: 5, last: { transactionIndex: 0, eventIndex: 0 } });
      expect(state.subs.get("7")?.lifecycle).toBe("suspended");
      // Reopening compacted the file to a header and one line per record.
      expect(fs.readFileSync(file, "utf8").trim().split("\n")).toHaveLength(3);
      expect(fs.readFileSync(file, "utf8")).not.toContain("sk-");

      fs.writeFileSync(file, `not json\n${JSON.stringify({ cursor: { height: 1, last: null } })}\n`);
      expect(() => Journal.open(dir, kek)).toThrow(StateFileError);
      // A well-formed line with an invalid record is refused with its path.
      fs.rmSync(file);
      ({ journal } = Journal.open(dir, kek));
      journal.append({ sub: { ...sub, lifecycle: "gone" as never } });
      journal.close();
      expect(() => Journal.open(dir, kek)).toThrow(/:2\.sub\.lifecycle: expected one of active, suspended, closing, closed/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("challenges are single-use, expire, and bind subscription and action", () => {
    let now = 1_000;
    const store = new ChallengeStore(1_000, () => now, "test");
    const a = store.issue("1", "reveal", "127.0.0.1");
    expect(a.message).toContain(`Nonce: ${a.nonce}`);
    expect(store.consume(a.nonce, "1", "reveal").nonce).toBe(a.nonce);
    expect(() => store.consume(a.nonce, "1", "reveal")).toThrow(/already used/);
    const b = store.issue("1", "reveal", "127.0.0.1");
    expect(() => store.consume(b.nonce, "2", "reveal")).toThrow(/issued for reveal of subscription 1/);
    const c = store.issue("1", "usage", "127.0.0.1");
    now += 1_001;
    expect(() => store.consume(c.nonce, "1", "usage")).toThrow(/expired/);
  });

  it("configuration errors name every missing or malformed variable and never echo a secret", () => {
    let err: unknown;
    try {
      keyServiceOptionsFromEnv({ FLAREFLOW_PROVIDER_PRIVATE_KEY: "sk-not-a-flow-key", FLAREFLOW_KEY_SERVICE_PORT: "http" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KeyServiceConfigError);
    const message = (err as Error).message;
    for (const name of ["FLAREFLOW_PROVIDER_ADDRESS", "FLAREFLOW_PROVIDER_PRIVATE_KEY must be 64 hex digits", "FLAREFLOW_KEY_ENCRYPTION_KEY", "LITELLM_MASTER_KEY", "FLAREFLOW_KEY_SERVICE_PORT"]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain("sk-not-a-flow-key");
    expect(() => keyServiceOptionsFromEnv({ FLAREFLOW_FLOW_NETWORK: "devnet" })).toThrow(/unknown Flow network "devnet"/);

    const ok = keyServiceOptionsFromEnv({
      FLAREFLOW_PROVIDER_ADDRESS: PROVIDER,
      FLAREFLOW_PROVIDER_PRIVATE_KEY: randomBytes(32).toString("hex"),
      FLAREFLOW_KEY_ENCRYPTION_KEY: kek.toString("hex"),
      LITELLM_MASTER_KEY: "sk-master",
    });
    expect(ok).toMatchObject({ startHeight: 0, stateDir: ".flareflow/key-service", http: { port: 8702, host: "127.0.0.1" } });
    expect(ok.flow.addresses["SimpleUsageSubscriptions"]).toBe("0xf8d6e0586b0a20c7");
  });

  it("exports the seed's litellmKeyService.getKeyUsage", async () => {
    expect(typeof litellmKeyService.getKeyUsage).toBe("function");
    await expect(litellmKeyService.getKeyUsage(hashKey("sk-x"), "not a date")).rejects.toThrow(/startDate is not a valid date/);
  });
});
