/**
 * The key service's HTTP layer without the emulator: field validation, the challenge table,
 * signature parsing, the order of a proof's checks, the JSON server and the client key. The
 * Flow script that checks a signature against the account's keys is replaced by a stub that
 * answers as told (the emulator tests run the real one); everything in front of it is real.
 * Most cases are attacks: a check weakened here would let a request through that must not pass.
 */
import * as http from "node:http";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ChallengeError, ChallengeLimitError, ChallengeStore, messageHex } from "../../src/keys/http/challenges";
import { clientOf, requestClient } from "../../src/keys/http/client";
import { HttpError } from "../../src/http/error";
import { keyError } from "../../src/keys/http/errors";
import { verifyOwnership } from "../../src/keys/http/proof";
import { keyServiceRoutes, type KeyServiceApi } from "../../src/keys/http/routes";
import { startJsonServer, type Handler, type JsonRequest, type JsonServer } from "../../src/keys/http/server";
import { parseBody } from "../../src/keys/http/validate";
import { ChallengeRequest, ProvenRequest, UsageRequest, type UsageAnswer, type WindowLeaves } from "../../src/keys/http/wire";
import { customerKeyService, pendingUsage, revealKey } from "../../src/local/customer";
import * as keyService from "../../src/keys/http/actions";

const script = vi.hoisted(() => ({ valid: true, calls: [] as unknown[] }));

vi.mock("../../src/flow/runtime", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/flow/runtime")>();
  return {
    ...actual,
    runScript: async (_ctx: unknown, _definition: unknown, args: unknown) => {
      script.calls.push(args);
      return script.valid;
    },
  };
});

/** An HttpError as the key service answers it: its status, the code and message of its body, its headers. */
type Refusal = { name: string; status: number; code: string; message: string; headers: Readonly<Record<string, string>> };

function refusal(e: unknown): Refusal {
  if (!(e instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(e)}`);
  const { code, message } = (e.body as { error: { code: string; message: string } }).error;
  return { name: e.name, status: e.status, code, message, headers: e.headers };
}

/** The refusal a call throws (fails the test when it throws nothing or something else). */
function httpErrorOf(f: () => unknown): Refusal {
  try {
    f();
  } catch (e) {
    if (e instanceof HttpError) return refusal(e);
    throw e;
  }
  throw new Error("expected an HttpError, nothing was thrown");
}

async function rejection(p: Promise<unknown>): Promise<Refusal> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  return refusal(e);
}

/** A valid proof, whose fields the tests replace one at a time. */
const PROOF = { subscriptionId: "1", nonce: "ab".repeat(32), signatures: [{ addr: "0x01cf0e2f2f715450", keyId: 0, signature: "ab" }] };

/** Each field read through the schema of a whole request body, the others valid. */
const subscriptionIdField = (o: { subscriptionId?: unknown }) => parseBody(ChallengeRequest, { action: "reveal", ...o }).subscriptionId;
const actionField = (o: { action?: unknown }) => parseBody(ChallengeRequest, { subscriptionId: "1", ...o }).action;
const nonceField = (o: { nonce?: unknown }) => parseBody(ProvenRequest, { ...PROOF, nonce: undefined, ...o }).nonce;
const optionalDateField = (o: Record<string, unknown>, name: "startDate" | "endDate") => parseBody(UsageRequest, { ...PROOF, ...o })[name];
const parseSignatures = (signatures: unknown) => parseBody(ProvenRequest, { ...PROOF, signatures }).signatures;

describe("request fields", () => {
  /** The 400 every malformed field gets: code bad_request and a message naming the field. */
  const badRequest = (message: string) => expect.objectContaining({ status: 400, code: "bad_request", message });

  it("a body is a JSON object, not null, an array or a scalar", () => {
    for (const body of [null, undefined, [], [{}], "x", 7, true]) expect(httpErrorOf(() => parseBody(ChallengeRequest, body)), JSON.stringify(body)).toEqual(badRequest("the body must be a JSON object"));
    expect(parseBody(ChallengeRequest, { subscriptionId: "1", action: "reveal", a: 1 })).toEqual({ subscriptionId: "1", action: "reveal" });
  });

  it("a __proto__ key in a body is data, never a prototype, and never stands in for a field", () => {
    const parsed = parseBody(ProvenRequest, JSON.parse(`{"__proto__": {"admin": true}, ${JSON.stringify(PROOF).slice(1)}`));
    expect([Object.getPrototypeOf(parsed), Object.keys(parsed), (parsed as Record<string, unknown>)["admin"]]).toEqual([Object.prototype, ["subscriptionId", "nonce", "signatures"], undefined]);
    const hidden = JSON.parse(`{"__proto__": ${JSON.stringify({ subscriptionId: "1", action: "reveal" })}}`);
    expect(httpErrorOf(() => parseBody(ChallengeRequest, hidden))).toEqual(badRequest("subscriptionId must be a UInt64 in decimal"));
    const signature = JSON.parse(`{"__proto__": ${JSON.stringify(PROOF.signatures[0])}}`);
    expect(httpErrorOf(() => parseSignatures([signature]))).toEqual(badRequest("signatures[0].addr must be a Flow address"));
  });

  it("a field's first refusal is reported in the order the fields are checked: the proof before the action's own", () => {
    expect(httpErrorOf(() => parseBody(UsageRequest, { ...PROOF, nonce: "zz", subscriptionId: -1, startDate: "x" })).message).toBe("subscriptionId must be a UInt64 in decimal");
    expect(httpErrorOf(() => parseBody(UsageRequest, { ...PROOF, nonce: "zz", startDate: "x" })).message).toBe("nonce must be the 64 hex digits the challenge returned");
    expect(httpErrorOf(() => parseBody(UsageRequest, { ...PROOF, signatures: [], startDate: "x" })).message).toMatch(/^signatures /);
  });

  it("a subscription id is a UInt64, as a decimal string or a safe whole number, written canonically", () => {
    expect(subscriptionIdField({ subscriptionId: 7 })).toBe("7");
    expect(subscriptionIdField({ subscriptionId: 0 })).toBe("0");
    expect(subscriptionIdField({ subscriptionId: "007" })).toBe("7");
    expect(subscriptionIdField({ subscriptionId: "18446744073709551615" })).toBe("18446744073709551615");
    expect(subscriptionIdField({ subscriptionId: "00000000000000000001" })).toBe("1");
    const refused = [undefined, null, "", -1, 1.5, Number.MAX_SAFE_INTEGER + 1, "-1", "1e3", "0x10", " 7", "7 ", "1.0", "18446744073709551616", "000000000000000000001", ["7"], { id: 7 }];
    for (const v of refused) expect(httpErrorOf(() => subscriptionIdField({ subscriptionId: v })), String(v)).toEqual(badRequest("subscriptionId must be a UInt64 in decimal"));
  });

  it("an action is one of reveal, usage, rotate, spelled exactly", () => {
    for (const a of ["reveal", "usage", "rotate"]) expect(actionField({ action: a })).toBe(a);
    for (const v of [undefined, "", "REVEAL", "reveal ", "revoke", "toString", ["reveal"]]) expect(httpErrorOf(() => actionField({ action: v })), String(v)).toEqual(badRequest("action must be one of reveal, usage, rotate"));
  });

  it("a nonce is exactly the 64 lower-case hex digits a challenge returns", () => {
    const nonce = "ab".repeat(32);
    expect(nonceField({ nonce })).toBe(nonce);
    for (const v of [undefined, "", "AB".repeat(32), `0x${nonce}`, nonce.slice(2), `${nonce}00`, `${nonce}\n`, `x${nonce.slice(1)}`, 1234]) {
      expect(httpErrorOf(() => nonceField({ nonce: v })), String(v)).toEqual(badRequest("nonce must be the 64 hex digits the challenge returned"));
    }
  });

  it("usage dates are ISO strings from 1970 to 9999, absent when null or missing", () => {
    expect(optionalDateField({}, "startDate")).toBeUndefined();
    expect(optionalDateField({ startDate: null }, "startDate")).toBeUndefined();
    expect(optionalDateField({ startDate: "1970-01-01T00:00:00.000Z" }, "startDate")?.getTime()).toBe(0);
    expect(optionalDateField({ startDate: "9999-12-31T23:59:59.999Z" }, "startDate")?.toISOString()).toBe("9999-12-31T23:59:59.999Z");
    for (const v of ["1969-12-31T23:59:59.999Z", "+010000-01-01T00:00:00.000Z", "0001-01-01", "not a date", "", 0, 1_767_225_600_000, {}]) {
      const e = httpErrorOf(() => optionalDateField({ endDate: v }, "endDate"));
      expect([e.status, e.code, e.message], String(v)).toEqual([400, "bad_request", expect.stringContaining("endDate")]);
    }
  });

  it("a date string longer than 40 characters is refused before it is parsed, even one a Date would read", () => {
    const forty = "2026-01-01T00:00:00.0000000000000000000Z";
    expect(forty).toHaveLength(40);
    expect(optionalDateField({ startDate: forty }, "startDate")?.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    const longer = "2026-01-01T00:00:00.00000000000000000000Z";
    expect(Number.isNaN(new Date(longer).getTime())).toBe(false);
    expect(httpErrorOf(() => optionalDateField({ startDate: longer }, "startDate"))).toEqual(badRequest("startDate must be an ISO 8601 date string"));
  });
});

describe("the challenge table", () => {
  const TTL = 90_000;
  let now: number;
  const store = (limits = {}) => new ChallengeStore(TTL, () => now, "test-service", limits);
  beforeEach(() => {
    now = 1_767_225_600_000;
  });

  it("a challenge names the service, action, subscription, nonce and expiry in the text the wallet signs", () => {
    const c = store().issue("7", "rotate", "10.0.0.1");
    expect(c.nonce).toMatch(/^[0-9a-f]{64}$/);
    expect(c.expiresAt).toBe(now + TTL);
    expect(c.message.split("\n")).toEqual([
      "FlareFlow key service (test-service)",
      "Action: rotate",
      "Subscription: 7",
      `Nonce: ${c.nonce}`,
      `Expires: ${new Date(now + TTL).toISOString()}`,
    ]);
    expect(Buffer.from(messageHex(c), "hex").toString("utf8")).toBe(c.message);
    expect(c).not.toHaveProperty("client");
  });

  it("its errors are named, for the log", () => {
    const s = store({ perClient: 1 });
    const c = s.issue("1", "reveal", "c");
    expect(() => s.issue("2", "reveal", "c")).toThrow(expect.objectContaining({ name: "ChallengeLimitError" }));
    expect(() => s.consume(c.nonce, "1", "usage")).toThrow(expect.objectContaining({ name: "ChallengeError" }));
  });

  it("a limit of 0 refuses every challenge, with a wait of one second", () => {
    for (const limits of [{ perSubscriptionClient: 0 }, { perClient: 0 }, { total: 0 }]) {
      expect(() => store(limits).issue("1", "reveal", "c"), JSON.stringify(limits)).toThrow(expect.objectContaining({ retryAfterSeconds: 1 }));
    }
  });

  it("nonces are fresh each time", () => {
    const s = store();
    const nonces = new Set(Array.from({ length: 8 }, (_, i) => s.issue(String(i), "reveal", "c").nonce));
    expect(nonces.size).toBe(8);
  });

  it("a nonce is accepted up to its expiry instant and refused one millisecond after", () => {
    const s = store();
    const a = s.issue("1", "reveal", "c");
    const b = s.issue("1", "reveal", "c");
    now += TTL;
    expect(s.consume(a.nonce, "1", "reveal").nonce).toBe(a.nonce);
    now += 1;
    expect(() => s.consume(b.nonce, "1", "reveal")).toThrow(expect.objectContaining({ reason: "expired", message: "nonce expired; request a new challenge" }));
  });

  it("a failed proof burns the nonce: after a mismatch or an expiry the same nonce is unknown", () => {
    const s = store();
    const a = s.issue("1", "reveal", "c");
    expect(() => s.consume(a.nonce, "2", "reveal")).toThrow(expect.objectContaining({ reason: "mismatch" }));
    expect(() => s.consume(a.nonce, "1", "reveal")).toThrow(new ChallengeError("nonce unknown or already used; request a new challenge", "unknown"));
    const b = s.issue("1", "usage", "c");
    expect(() => s.consume(b.nonce, "1", "rotate")).toThrow(ChallengeError);
    expect(() => s.consume(b.nonce, "1", "usage")).toThrow(expect.objectContaining({ reason: "unknown" }));
    expect(s.size).toBe(0);
  });

  it("a nonce is bound to its subscription and its action", () => {
    const s = store();
    for (const [sub, action] of [["2", "reveal"], ["1", "rotate"], ["1", "usage"]] as const) {
      const c = s.issue("1", "reveal", "c");
      expect(() => s.consume(c.nonce, sub, action)).toThrow(expect.objectContaining({ reason: "mismatch", message: "nonce was issued for reveal of subscription 1" }));
    }
  });

  it("expired challenges leave the table at their expiry, not before", () => {
    const s = store();
    s.issue("1", "reveal", "c");
    now += 1_000;
    s.issue("1", "reveal", "c");
    now += TTL - 1_000;
    expect(s.size).toBe(2);
    now += 1;
    expect(s.size).toBe(1);
    now += 1_000;
    expect(s.size).toBe(0);
  });

  it("one client holds at most perSubscriptionClient challenges of one subscription; others are not affected", () => {
    const s = store({ perSubscriptionClient: 2 });
    s.issue("1", "reveal", "flooder");
    now += 10_000;
    s.issue("1", "usage", "flooder");
    const e = (() => {
      try {
        s.issue("1", "rotate", "flooder");
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(ChallengeLimitError);
    expect((e as Error).message).toBe("too many open challenges for subscription 1 from this client; use or let expire the ones you hold, or try again in 80 s");
    // The oldest of the bucket expires in 80 s: that is the wait, not the newest's 90 s.
    expect((e as ChallengeLimitError).retryAfterSeconds).toBe(80);
    expect(() => s.issue("2", "reveal", "flooder")).not.toThrow();
    expect(() => s.issue("1", "reveal", "customer")).not.toThrow();
  });

  it("a used or expired challenge frees its place in the client's buckets", () => {
    const s = store({ perSubscriptionClient: 1, perClient: 1 });
    const a = s.issue("1", "reveal", "c");
    expect(() => s.issue("1", "reveal", "c")).toThrow(ChallengeLimitError);
    s.consume(a.nonce, "1", "reveal");
    s.issue("1", "reveal", "c");
    now += TTL + 1;
    expect(() => s.issue("1", "reveal", "c")).not.toThrow();
  });

  it("using one challenge frees one place only: a client cannot empty its bucket and open more than the limit", () => {
    const s = store({ perSubscriptionClient: 2, perClient: 3 });
    const a = s.issue("1", "reveal", "flooder");
    s.issue("1", "reveal", "flooder");
    s.consume(a.nonce, "1", "reveal");
    s.issue("1", "reveal", "flooder");
    expect(() => s.issue("1", "reveal", "flooder")).toThrow(/for subscription 1 from this client/);
    const b = s.issue("2", "reveal", "flooder");
    s.consume(b.nonce, "2", "reveal");
    s.issue("2", "reveal", "flooder");
    expect(() => s.issue("3", "reveal", "flooder")).toThrow(/too many open challenges from this client/);
    expect(s.size).toBe(3);
  });

  it("one client holds at most perClient challenges over all subscriptions", () => {
    const s = store({ perClient: 3 });
    for (const id of ["1", "2", "3"]) s.issue(id, "reveal", "flooder");
    expect(() => s.issue("4", "reveal", "flooder")).toThrow(/too many open challenges from this client/);
    expect(() => s.issue("4", "reveal", "other")).not.toThrow();
  });

  it("the whole table holds at most `total` challenges", () => {
    const s = store({ total: 3 });
    for (const client of ["a", "b", "c"]) s.issue("1", "reveal", client);
    expect(() => s.issue("1", "reveal", "d")).toThrow(/too many open challenges;/);
    expect(s.size).toBe(3);
  });

  it("the wait rounds up to whole seconds and is never below one", () => {
    const s = store({ perClient: 1 });
    s.issue("1", "reveal", "c");
    now += 500;
    expect(() => s.issue("2", "reveal", "c")).toThrow(expect.objectContaining({ retryAfterSeconds: 90 }));
    now += TTL - 500;
    // At its expiry instant the oldest is still open: it frees its place only after.
    expect(() => s.issue("2", "reveal", "c")).toThrow(expect.objectContaining({ retryAfterSeconds: 1, message: expect.stringContaining("try again in 1 s") }));
  });

  it("the default limits are 8 per client and subscription, then 32 per client", () => {
    const s = store();
    for (let i = 0; i < 8; i++) s.issue("1", "reveal", "c");
    expect(() => s.issue("1", "reveal", "c")).toThrow(ChallengeLimitError);
    for (let i = 2; i <= 25; i++) s.issue(String(i), "reveal", "c");
    expect(() => s.issue("26", "reveal", "c")).toThrow(/from this client/);
  });
});

describe("wallet signatures", () => {
  const sig = (over: Record<string, unknown> = {}) => ({ addr: "0x01cf0e2f2f715450", keyId: 0, signature: "ab".repeat(64), ...over });

  it("are a non-empty array of at most 20 composite signatures", () => {
    for (const v of [undefined, null, [], {}, "sig", sig()]) {
      const e = httpErrorOf(() => parseSignatures(v));
      expect([e.name, e.status, e.code, e.message]).toEqual(["HttpError", 400, "bad_request", "signatures must be a non-empty array of {addr, keyId, signature} (FCL's signUserMessage result)"]);
    }
    expect(parseSignatures(Array.from({ length: 20 }, () => sig()))).toHaveLength(20);
    expect(httpErrorOf(() => parseSignatures(Array.from({ length: 21 }, () => sig())))).toMatchObject({ status: 400, code: "bad_request", message: "signatures may hold at most 20" });
  });

  it("normalise the address and the signature's hex", () => {
    expect(parseSignatures([sig({ addr: "1CF0E2F2F715450", keyId: 3, signature: "0xABcd" })])).toEqual([{ addr: "0x01cf0e2f2f715450", keyId: 3, signature: "abcd" }]);
  });

  it("refuse what is not an object, a Flow address, a 32-bit key index or whole bytes of hex", () => {
    const refused: unknown[] = [
      null,
      "0x01",
      7,
      sig({ addr: undefined }),
      sig({ addr: "0x" }),
      sig({ addr: "0x01cf0e2f2f7154500" }),
      sig({ addr: "not-hex" }),
      sig({ keyId: -1 }),
      sig({ keyId: 1.5 }),
      sig({ keyId: "0" }),
      sig({ keyId: 2 ** 32 }),
      sig({ keyId: Number.NaN }),
      sig({ keyId: 2 ** 53 }),
      sig({ signature: "" }),
      sig({ signature: "0x" }),
      sig({ signature: "abc" }),
      sig({ signature: "zz" }),
      sig({ signature: "xyab" }),
      sig({ signature: "abxy" }),
      sig({ signature: "ab".repeat(257) }),
      sig({ signature: `${"ab".repeat(4)}\n` }),
      sig({ signature: 1234 }),
    ];
    for (const s of refused) {
      const e = httpErrorOf(() => parseSignatures([sig(), s]));
      expect([e.status, e.code, e.message], JSON.stringify(s)).toEqual([400, "bad_request", expect.stringContaining("signatures[1]")]);
    }
    expect(parseSignatures([sig({ keyId: 2 ** 32 - 1, signature: "ab".repeat(256) })])[0]?.keyId).toBe(2 ** 32 - 1);
    for (const s of [null, "0x01", 7]) expect(httpErrorOf(() => parseSignatures([s])).message).toBe("signatures[0] must be an object");
  });

  describe("ownership", () => {
    const ctx = { accessNode: "http://127.0.0.1:1", addresses: {} };
    const owner = "0x01cf0e2f2f715450";
    beforeEach(() => {
      script.valid = true;
      script.calls = [];
    });

    it("asks Flow whether the owner's keys signed the message, with every key index and signature", async () => {
      await verifyOwnership(ctx, owner, "6869", [sig({ keyId: 1, signature: "aa" }), sig({ keyId: 4, signature: "bb" })]);
      expect(script.calls).toEqual([{ address: owner, messageHex: "6869", keyIndices: [1, 4], signatures: ["aa", "bb"] }]);
    });

    it("is refused (401) when Flow says the signatures do not verify", async () => {
      script.valid = false;
      const e = await rejection(verifyOwnership(ctx, owner, "6869", [sig()]));
      expect([e.status, e.code, e.message]).toEqual([401, "bad_signature", "the signature does not verify against the customer's account keys"]);
    });

    it("is refused (403) without asking Flow when any signature is by another account, even alongside the owner's", async () => {
      for (const signatures of [[sig({ addr: "0xf3fcd2c1a78f5eee" })], [sig(), sig({ addr: "0xf3fcd2c1a78f5eee" })], [sig({ addr: "0xf3fcd2c1a78f5eee" }), sig()]]) {
        const e = await rejection(verifyOwnership(ctx, owner, "6869", signatures));
        expect([e.status, e.code, e.message]).toEqual([403, "not_owner", "the signing account is not this subscription's customer"]);
      }
      expect(script.calls).toEqual([]);
    });
  });
});

describe("the routes check a proof in order: fields, nonce, subscription, signer, signature", () => {
  const CUSTOMER = "0x01cf0e2f2f715450";
  const STRANGER = "0xf3fcd2c1a78f5eee";
  let challenges: ChallengeStore;
  let calls: string[];
  let routes: ReturnType<typeof keyServiceRoutes>;

  beforeEach(() => {
    script.valid = true;
    script.calls = [];
    calls = [];
    challenges = new ChallengeStore(60_000, Date.now, "test", { perSubscriptionClient: 2 });
    const api: KeyServiceApi = {
      flow: { accessNode: "http://127.0.0.1:1", addresses: {} },
      challenges,
      customerOf: (id) => ({ "7": CUSTOMER, "8": STRANGER })[id],
      reveal: (id) => {
        calls.push(`reveal ${id}`);
        return { subscriptionId: id, key: "sk-secret", keyHash: "h", alias: `ff-${id}`, generation: 1 };
      },
      rotate: async (id) => {
        calls.push(`rotate ${id}`);
        return { subscriptionId: id, key: "sk-new", keyHash: "h2", alias: `ff-${id}`, generation: 2 };
      },
      usage: async (id, start, end) => {
        calls.push(`usage ${id} ${start?.toISOString() ?? "-"} ${end?.toISOString() ?? "-"}`);
        return { subscriptionId: id } as never;
      },
      health: () => ({ ok: true }),
    };
    routes = keyServiceRoutes(api);
  });

  const call = (method: string, path: string, body?: unknown) => routes({ method, path, body, client: "10.0.0.1", query: new URLSearchParams() } satisfies JsonRequest);
  const challenge = async (subscriptionId: string, action: string) => {
    const r = await call("POST", "/v1/challenge", { subscriptionId, action });
    return r.body as { nonce: string; messageHex: string; expiresAt: string; subscriptionId: string; action: string };
  };
  const signed = (subscriptionId: string, nonce: string, addr = CUSTOMER) => ({ subscriptionId, nonce, signatures: [{ addr, keyId: 0, signature: "ab".repeat(64) }] });

  it("a challenge answer carries the text to sign as hex (what the proof is checked against), and the expiry as ISO", async () => {
    const c = await challenge("7", "reveal");
    expect(Object.keys(c).sort()).toEqual(["action", "expiresAt", "messageHex", "nonce", "subscriptionId"]);
    expect(c).toMatchObject({ subscriptionId: "7", action: "reveal", nonce: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(Buffer.from(c.messageHex, "hex").toString("utf8")).toContain(`Nonce: ${c.nonce}`);
    expect(c.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(c.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("a challenge for a subscription this service does not serve is a 404 and opens nothing", async () => {
    const e = await rejection(call("POST", "/v1/challenge", { subscriptionId: "9", action: "reveal" }));
    expect([e.status, e.code, e.message]).toEqual([404, "unknown_subscription", "subscription 9 is not served by this key service"]);
    expect(challenges.size).toBe(0);
  });

  it("a full bucket is a 429 with Retry-After in seconds", async () => {
    await challenge("7", "reveal");
    await challenge("7", "reveal");
    const e = await rejection(call("POST", "/v1/challenge", { subscriptionId: "7", action: "reveal" }));
    expect([e.status, e.code, e.headers]).toEqual([429, "too_many_challenges", { "retry-after": "60" }]);
  });

  it("the customer's valid proof reveals and rotates the key; the Flow check gets the challenge's text", async () => {
    const c = await challenge("7", "reveal");
    expect(await call("POST", "/v1/keys/reveal", signed("7", c.nonce))).toEqual({ status: 200, body: expect.objectContaining({ key: "sk-secret" }) });
    expect(script.calls).toEqual([expect.objectContaining({ address: CUSTOMER, messageHex: c.messageHex })]);
    const r = await challenge("7", "rotate");
    expect(await call("POST", "/v1/keys/rotate", signed("7", r.nonce))).toEqual({ status: 200, body: expect.objectContaining({ key: "sk-new" }) });
    expect(calls).toEqual(["reveal 7", "rotate 7"]);
  });

  it("a replayed proof is refused: the nonce was spent by the first reveal", async () => {
    const c = await challenge("7", "reveal");
    await call("POST", "/v1/keys/reveal", signed("7", c.nonce));
    const e = await rejection(call("POST", "/v1/keys/reveal", signed("7", c.nonce)));
    expect([e.status, e.code]).toEqual([401, "nonce_unknown"]);
    expect(calls).toEqual(["reveal 7"]);
  });

  it("a usage proof cannot reveal or rotate, and a reveal proof cannot rotate", async () => {
    for (const [issued, path] of [["usage", "/v1/keys/reveal"], ["usage", "/v1/keys/rotate"], ["reveal", "/v1/keys/rotate"], ["rotate", "/v1/usage"]] as const) {
      const c = await challenge("7", issued);
      const e = await rejection(call("POST", path, signed("7", c.nonce)));
      expect([e.status, e.code], `${issued} -> ${path}`).toEqual([401, "nonce_mismatch"]);
    }
    expect(calls).toEqual([]);
  });

  it("a nonce issued for one subscription cannot prove another, even the signer's own", async () => {
    const c = await challenge("8", "reveal");
    const e = await rejection(call("POST", "/v1/keys/reveal", signed("7", c.nonce)));
    expect([e.status, e.code]).toEqual([401, "nonce_mismatch"]);
    expect(calls).toEqual([]);
  });

  it("another account's valid signature is a 403 and reveals nothing", async () => {
    const c = await challenge("7", "reveal");
    const e = await rejection(call("POST", "/v1/keys/reveal", signed("7", c.nonce, STRANGER)));
    expect([e.status, e.code]).toEqual([403, "not_owner"]);
    expect(calls).toEqual([]);
  });

  it("a signature Flow refuses is a 401 and reveals nothing", async () => {
    script.valid = false;
    const c = await challenge("7", "reveal");
    const e = await rejection(call("POST", "/v1/keys/reveal", signed("7", c.nonce)));
    expect([e.status, e.code]).toEqual([401, "bad_signature"]);
    expect(calls).toEqual([]);
  });

  it("a malformed proof is a 400 that spends no nonce", async () => {
    const c = await challenge("7", "usage");
    const bad = [
      "not an object",
      { ...signed("7", c.nonce), subscriptionId: "x" },
      { ...signed("7", c.nonce), nonce: "zz" },
      { ...signed("7", c.nonce), signatures: [] },
      { ...signed("7", c.nonce), startDate: "yesterday" },
      { ...signed("7", c.nonce), startDate: "2026-02-01T00:00:00Z", endDate: "2026-01-01T00:00:00Z" },
    ];
    for (const body of bad) {
      const e = await rejection(call("POST", "/v1/usage", body));
      expect([e.status, e.code], JSON.stringify(body)).toEqual([400, "bad_request"]);
    }
    expect((await rejection(call("POST", "/v1/usage", bad[5]))).message).toBe("startDate is after endDate");
    expect(challenges.size).toBe(1);
    expect(script.calls).toEqual([]);
  });

  it("usage takes an optional window, which may be a single instant", async () => {
    const c = await challenge("7", "usage");
    await call("POST", "/v1/usage", { ...signed("7", c.nonce), startDate: "2026-01-01T00:00:00Z", endDate: "2026-01-01T00:00:00Z" });
    const d = await challenge("7", "usage");
    await call("POST", "/v1/usage", signed("7", d.nonce));
    expect(calls).toEqual(["usage 7 2026-01-01T00:00:00.000Z 2026-01-01T00:00:00.000Z", "usage 7 - -"]);
  });

  it("a proof for a subscription this service does not serve is a 404 and burns the nonce", async () => {
    const issued = challenges.issue("9", "reveal", "10.0.0.1");
    const e = await rejection(call("POST", "/v1/keys/reveal", signed("9", issued.nonce)));
    expect([e.status, e.code, e.message]).toEqual([404, "unknown_subscription", "subscription 9 is not served by this key service"]);
    expect(challenges.size).toBe(0);
    expect(script.calls).toEqual([]);
  });

  it("health answers 200; anything else is a 404 naming the route", async () => {
    expect(await call("GET", "/health")).toEqual({ status: 200, body: { ok: true } });
    for (const [method, path] of [["GET", "/v1/keys/reveal"], ["POST", "/health"], ["POST", "/v1/keys"], ["DELETE", "/v1/usage"]]) {
      const e = await rejection(call(method!, path!, {}));
      expect([e.status, e.code, e.message]).toEqual([404, "not_found", `no route ${method} ${path}`]);
    }
  });
});

describe("the JSON server", () => {
  const PAGE = "http://127.0.0.1:3003";
  let server: JsonServer;
  let handler: Handler;
  let errors: unknown[];

  beforeEach(async () => {
    errors = [];
    handler = async (req) => ({ status: 200, body: { method: req.method, path: req.path, q: req.query.get("q"), body: req.body ?? null, client: req.client } });
    server = await startJsonServer({ host: "127.0.0.1", port: 0, corsOrigins: [PAGE], handler: (req) => handler(req), onError: (e) => errors.push(e) });
  });
  afterEach(async () => {
    await server.close();
  });

  function send(method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${server.url}${path}`, { method, headers: options.headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end(options.body);
    });
  }
  const json = { "content-type": "application/json" };

  it("passes method, path, query, body and the client to the handler, and answers JSON never to be cached", async () => {
    const r = await send("POST", "/v1/x?q=1", { body: '{"a":1}', headers: json });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ method: "POST", path: "/v1/x", q: "1", body: { a: 1 }, client: "127.0.0.1" });
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(Number(r.headers["content-length"])).toBe(Buffer.byteLength(r.body));
  });

  it("a GET has no body and needs no content type", async () => {
    const r = await send("GET", "/health");
    expect(JSON.parse(r.body)).toMatchObject({ method: "GET", body: null });
  });

  it("a HEAD has no body and needs no content type either", async () => {
    const r = await send("HEAD", "/health");
    expect([r.status, r.body]).toEqual([200, ""]);
  });

  it("an answer that cannot be written is a 500 like any internal error, rather than leave the caller waiting", async () => {
    handler = async () => ({ status: 200, body: { amount: 1n } });
    const r = await send("GET", "/");
    expect([r.status, JSON.parse(r.body)]).toEqual([500, { error: { code: "internal", message: "internal error; see the key service log" } }]);
    expect(errors).toEqual([expect.any(TypeError)]);
  });

  it("counts a caller behind a trusted proxy by its X-Forwarded-For, and one behind any other peer by the peer", async () => {
    const proxied = await startJsonServer({ host: "127.0.0.1", port: 0, corsOrigins: [], trustedProxies: ["127.0.0.1"], handler: (req) => handler(req), onError: () => {} });
    try {
      const r = await new Promise<string>((resolve, reject) => {
        const req = http.request(`${proxied.url}/`, { method: "GET", headers: { "x-forwarded-for": "198.51.100.23" } }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end();
      });
      expect(JSON.parse(r).client).toBe("198.51.100.23");
    } finally {
      await proxied.close();
    }
    const direct = await send("GET", "/", { headers: { "x-forwarded-for": "198.51.100.23" } });
    expect(JSON.parse(direct.body).client).toBe("127.0.0.1");
  });

  it("refuses to start on a port already in use", async () => {
    await expect(startJsonServer({ host: "127.0.0.1", port: server.port, corsOrigins: [], handler, onError: () => {} })).rejects.toThrow(/EADDRINUSE/);
  });

  it("a body that is not declared JSON is a 415; one that does not parse a 400", async () => {
    for (const headers of [{} as Record<string, string>, { "content-type": "text/plain" }, { "content-type": "x-application/json" }, { "content-type": "application/jsonp" }]) {
      const r = await send("POST", "/", { body: "{}", headers });
      expect([r.status, JSON.parse(r.body)], JSON.stringify(headers)).toEqual([415, { error: { code: "unsupported_media_type", message: "send the body as application/json" } }]);
    }
    expect((await send("POST", "/", { body: "{}", headers: { "content-type": "Application/JSON; charset=utf-8" } })).status).toBe(200);
    const bad = await send("POST", "/", { body: "{", headers: json });
    expect([bad.status, JSON.parse(bad.body)]).toEqual([400, { error: { code: "bad_json", message: "the body is not valid JSON" } }]);
  });

  it("a body over 16 KiB is a 413; one of exactly 16 KiB is read", async () => {
    const exactly = JSON.stringify({ pad: "x".repeat(16 * 1024 - 10) });
    expect(Buffer.byteLength(exactly)).toBe(16 * 1024);
    expect((await send("POST", "/", { body: exactly, headers: json })).status).toBe(200);
    const over = JSON.stringify({ pad: "x".repeat(16 * 1024 - 9) });
    const r = await send("POST", "/", { body: over, headers: json });
    expect([r.status, JSON.parse(r.body)]).toEqual([413, { error: { code: "body_too_large", message: "request bodies are limited to 16384 bytes" } }]);
  });

  it("grants CORS to a listed origin only, exactly, on answers, errors and preflights", async () => {
    const granted = await send("POST", "/", { body: "{}", headers: { ...json, origin: PAGE } });
    expect([granted.headers["access-control-allow-origin"], granted.headers["vary"]]).toEqual([PAGE, "Origin"]);
    for (const origin of ["http://evil.example", `${PAGE}.evil.example`, "http://127.0.0.1:3004", "null"]) {
      const r = await send("POST", "/", { body: "{}", headers: { ...json, origin } });
      // Refused; the answer still says that it varies with the origin.
      expect([r.headers["access-control-allow-origin"], r.headers["vary"]], origin).toEqual([undefined, "Origin"]);
      const pre = await send("OPTIONS", "/v1/keys/reveal", { headers: { origin } });
      expect([pre.status, pre.headers["access-control-allow-origin"]], origin).toEqual([204, undefined]);
    }
    const pre = await send("OPTIONS", "/v1/keys/reveal", { headers: { origin: PAGE } });
    expect(pre.status).toBe(204);
    expect(pre.headers).toMatchObject({ "access-control-allow-origin": PAGE, vary: "Origin, Access-Control-Request-Headers", "access-control-allow-methods": "GET,POST", "access-control-allow-headers": "content-type", "access-control-max-age": "600" });
    handler = async () => {
      throw keyError(401, "nonce_unknown", "no");
    };
    const refused = await send("POST", "/", { body: "{}", headers: { ...json, origin: PAGE } });
    expect([refused.status, refused.headers["access-control-allow-origin"]]).toEqual([401, PAGE]);
  });

  it("an HttpError is answered with its status, code, message and headers", async () => {
    handler = async () => {
      throw keyError(429, "too_many_challenges", "wait", { "retry-after": "12" });
    };
    const r = await send("POST", "/", { body: "{}", headers: json });
    expect([r.status, r.headers["retry-after"], r.headers["cache-control"], JSON.parse(r.body)]).toEqual([429, "12", "no-store", { error: { code: "too_many_challenges", message: "wait" } }]);
    expect(errors).toEqual([]);
  });

  it("any other error is a 500 that reveals nothing of it; the error goes to the log", async () => {
    const secret = new Error("db password is hunter2");
    handler = async () => {
      throw secret;
    };
    const r = await send("POST", "/", { body: "{}", headers: json });
    expect(r.status).toBe(500);
    expect(r.body).not.toContain("hunter2");
    expect(JSON.parse(r.body)).toEqual({ error: { code: "internal", message: "internal error; see the key service log" } });
    expect(errors).toEqual([secret]);
  });
});

describe("the client key a caller's challenges are counted under", () => {
  it("is the IPv4 address, with IPv4-mapped IPv6 written as IPv4", () => {
    expect(clientOf("203.0.113.9")).toBe("203.0.113.9");
    expect(clientOf("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(clientOf("::ffff:198.51.100.23")).toBe("198.51.100.23");
    expect(clientOf("::FFFF:203.0.113.9")).toBe("203.0.113.9");
    expect(clientOf("::ffff:198.51.100.23%eth0")).toBe("198.51.100.23");
    // Not IPv4-mapped: an ordinary IPv6 address whose last groups are written as IPv4.
    expect(clientOf("1::ffff:198.51.100.23")).toBe("1:0:0:0::/64");
    expect(clientOf(" 203.0.113.9 ")).toBe("203.0.113.9");
  });

  it("is the /64 of an IPv6 address, however it is written, so one network is one client", () => {
    const key = "2001:db8:1:2::/64";
    for (const a of ["2001:db8:1:2::1", "2001:0db8:0001:0002:ffff:ffff:ffff:ffff", "[2001:db8:1:2::7]", "2001:DB8:1:2:0:0:0:9", "2001:db8:1:2::1%eth0"]) {
      expect(clientOf(a), a).toBe(key);
    }
    expect(clientOf("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(clientOf("::1")).toBe("0:0:0:0::/64");
    expect(clientOf("2001:db8::")).toBe("2001:db8:0:0::/64");
    // The zeros left out may lie in the first half: the groups after "::" reach into the /64.
    expect(clientOf("2001:db8::3:4:5:6:7")).toBe("2001:db8:0:3::/64");
    // The last 32 bits written as IPv4 (RFC 4291 2.2.3) are two groups, with or without "::".
    expect(clientOf("2001:db8:1:2:5:6:198.51.100.23")).toBe("2001:db8:1:2::/64");
    expect(clientOf("2001:db8::3:4:5:198.51.100.23")).toBe("2001:db8:0:3::/64");
    expect(clientOf("64:ff9b::198.51.100.23")).toBe("64:ff9b:0:0::/64");
  });

  it("is null for what is not an address", () => {
    for (const a of [undefined, "", "example.com", "::ffff:999.1.1.1", "1.2.3", "2001:db8::1::2", "unknown", "::ffff:198.51.100.23:80", "2001:db8:1:2::[1", "2001:db8:1:2]::1"]) {
      expect(clientOf(a), String(a)).toBeNull();
    }
  });

  it("believes X-Forwarded-For only from a trusted proxy", () => {
    const proxies = new Set(["10.0.0.2"]);
    expect(requestClient("203.0.113.9", "198.51.100.1", proxies)).toBe("203.0.113.9");
    expect(requestClient("203.0.113.9", "198.51.100.1", new Set())).toBe("203.0.113.9");
    expect(requestClient("10.0.0.2", undefined, proxies)).toBe("10.0.0.2");
    expect(requestClient("10.0.0.2", "198.51.100.1", proxies)).toBe("198.51.100.1");
    expect(requestClient("::ffff:10.0.0.2", "198.51.100.1", proxies)).toBe("198.51.100.1");
  });

  it("takes the rightmost hop that is not a trusted proxy: a caller cannot name itself by prepending hops", () => {
    const proxies = new Set(["10.0.0.2", "10.0.0.3"]);
    expect(requestClient("10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.3", proxies)).toBe("198.51.100.1");
    expect(requestClient("10.0.0.2", ["1.1.1.1", "198.51.100.1,10.0.0.3"], proxies)).toBe("198.51.100.1");
    expect(requestClient("10.0.0.2", "2001:db8:1:2::1", proxies)).toBe("2001:db8:1:2::/64");
  });

  it("counts a garbled or all-proxy chain against the proxy itself", () => {
    const proxies = new Set(["10.0.0.2", "10.0.0.3"]);
    expect(requestClient("10.0.0.2", "198.51.100.1, garbage, 10.0.0.3", proxies)).toBe("10.0.0.2");
    expect(requestClient("10.0.0.2", "10.0.0.3", proxies)).toBe("10.0.0.2");
    expect(requestClient("10.0.0.2", "", proxies)).toBe("10.0.0.2");
    expect(requestClient(undefined, "198.51.100.1", proxies)).toBe("unknown");
  });
});

describe("the wire contract: the local customer reads the server's answers with the same schemas", () => {
  const CUSTOMER = "0x01cf0e2f2f715450";
  const customer = { address: CUSTOMER, keyIndex: 0, privateKey: "11".repeat(32), signatureAlgorithm: "ECDSA_P256", hashAlgorithm: "SHA3_256" } as const;
  const usage: UsageAnswer = {
    subscriptionId: "7",
    keyHashes: ["h"],
    usage_summary: { total_requests: 1, total_tokens: 5, total_cost: 0.25 },
    model_breakdown: { "gpt-4": { requests: 1, tokens: 5, cost: 0.25 } },
    recent_requests: [{ request_id: "r", model: "gpt-4", prompt_tokens: 2, completion_tokens: 3, total_tokens: 5, cost: 0.25, timestamp: "2026-12-01T00:00:00Z" }],
    daily_usage: [{ date: "2026-12-01", requests: 1, tokens: 5, cost: 0.25 }],
    live: null,
  };
  const leaves: WindowLeaves = { window: "5", lines: [{ subscriptionId: "7", family: "gpt-4", requestsRoot: `0x${"ab".repeat(32)}`, requests: [{ requestId: "chatcmpl-1", tokens: "12" }] }] };
  let server: JsonServer;
  /** What the server answers in place of a route's own answer (a broken or hostile key service). */
  let override: ((path: string) => { status: number; body: unknown } | undefined) | undefined;

  beforeEach(async () => {
    script.valid = true;
    override = undefined;
    const api: KeyServiceApi = {
      flow: { accessNode: "http://127.0.0.1:1", addresses: {} },
      challenges: new ChallengeStore(60_000, Date.now, "test"),
      customerOf: (id) => (id === "7" ? CUSTOMER : undefined),
      reveal: (id) => ({ subscriptionId: id, key: "sk-secret", keyHash: "h", alias: `ff-${id}`, generation: 1 }),
      rotate: async (id) => ({ subscriptionId: id, key: "sk-new", keyHash: "h2", alias: `ff-${id}`, generation: 2 }),
      usage: async () => usage,
      health: () => ({ ok: true }),
    };
    const routes = keyServiceRoutes(api, { leaves: (id, from, to) => (id === "7" && from <= 5n && to >= 5n ? [leaves] : []) });
    server = await startJsonServer({ host: "127.0.0.1", port: 0, corsOrigins: [], handler: async (req) => override?.(req.path) ?? routes(req), onError: () => {} });
  });
  afterEach(async () => {
    await server.close();
  });

  it("reveals the key and reads pending usage through the real routes", async () => {
    expect(await revealKey(server.url, customer, 7n)).toBe("sk-secret");
    expect(await pendingUsage(server.url, customer, 7n)).toEqual(usage);
    await expect(keyService.revealKey(customerKeyService(server.url, customer), { subscriptionId: 9n })).rejects.toMatchObject({
      name: "KeyServiceError",
      status: 404,
      code: "unknown_subscription",
      message: "subscription 9 is not served by this key service",
    });
  });

  it("hands the verifier the leaves it asked for, read by the same schema the server answers to", async () => {
    const client = customerKeyService(server.url, customer);
    expect(await keyService.getLeaves(client, { subscriptionId: 7n, fromWindow: 1n, toWindow: 9n })).toEqual({ subscriptionId: "7", windows: [leaves] });
    expect(await keyService.getLeaves(client, { subscriptionId: 7n, fromWindow: 6n, toWindow: 9n })).toEqual({ subscriptionId: "7", windows: [] });
    const hostile: [unknown, string][] = [
      [{ subscriptionId: "7" }, "windows must be an array"],
      [{ subscriptionId: "7", windows: [{ ...leaves, window: "05" }] }, "windows[0].window must be a decimal uint64 string"],
      [{ subscriptionId: "7", windows: [{ window: "5", lines: [{ ...leaves.lines[0], requestsRoot: "0x12" }] }] }, "windows[0].lines[0].requestsRoot must be 32 bytes of lowercase 0x-hex"],
      [{ subscriptionId: "7", windows: [{ window: "5", lines: [{ ...leaves.lines[0], requests: [{ requestId: "a\uD800", tokens: "1" }] }] }] }, "windows[0].lines[0].requests[0].requestId must be well-formed Unicode (no lone surrogate)"],
    ];
    for (const [body, field] of hostile) {
      override = (p) => (p === "/v1/leaves" ? { status: 200, body } : undefined);
      await expect(keyService.getLeaves(client, { subscriptionId: 7n, fromWindow: 1n, toWindow: 9n })).rejects.toThrow(`The key service's answer to /v1/leaves is malformed: ${field}.`);
    }
  });

  it("a malformed answer is an error naming the route and the field, never a key or a figure", async () => {
    const cases: [string, unknown, () => Promise<unknown>, string][] = [
      ["/v1/challenge", { nonce: "ab".repeat(32) }, () => revealKey(server.url, customer, 7n), "The key service's answer to /v1/challenge is malformed: subscriptionId must be a UInt64 in decimal."],
      ["/v1/keys/reveal", { subscriptionId: "7", key: 42, keyHash: "h", alias: "a", generation: 1 }, () => revealKey(server.url, customer, 7n), "The key service's answer to /v1/keys/reveal is malformed: key must be a string."],
      ["/v1/usage", { ...usage, usage_summary: { ...usage.usage_summary, total_tokens: "5" } }, () => pendingUsage(server.url, customer, 7n), "The key service's answer to /v1/usage is malformed: usage_summary.total_tokens must be a whole number."],
      ["/v1/usage", { ...usage, live: { reached: "escrow" } }, () => pendingUsage(server.url, customer, 7n), "The key service's answer to /v1/usage is malformed: live.pendingTokens must be a whole number."],
    ];
    for (const [path, body, act, message] of cases) {
      override = (p) => (p === path ? { status: 200, body } : undefined);
      await expect(act(), path).rejects.toThrow(message);
    }
    override = (p) => (p === "/v1/keys/reveal" ? { status: 500, body: { oops: true } } : undefined);
    await expect(revealKey(server.url, customer, 7n)).rejects.toThrow("The key service answered 500 to /v1/keys/reveal.");
  });
});
