import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { KeyJournal } from "../../src/litellm-server/key-journal";
import { Store } from "../../src/litellm-server/store";
import type { KeyRecord } from "../../src/litellm-server/types";
import { chat, clientFor, MASTER, meta, startServer } from "./litellm-helpers";

// LiteLLM answers a key change only after its database write (generate_key_helper_fn awaits
// prisma_client.insert_data(table_name="key")): what it answered for survives a crash.
describe("local LiteLLM server: key changes are durable before they are answered", () => {
  const servers: LiteLLMServerHandle[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
  });
  const tempDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "litellm-journal-"));
    dirs.push(dir);
    return dir;
  };
  // The store may be snapshotting while the files are copied one by one. Journals go first and the
  // snapshot last: a journal read before a snapshot is paired with that snapshot or a newer one, as
  // a crash can leave them. The other order can pair an older snapshot with a journal compacted
  // after a newer one, which no crash leaves (compaction follows the newer snapshot's rename).
  const copyAsACrashLeavesIt = async (from: string, to: string) => {
    const files = (await fs.readdir(from)).filter((f) => !f.endsWith(".tmp"));
    const ordered = [...files.filter((f) => f !== "state.json"), ...files.filter((f) => f === "state.json")];
    // Not fs.copyFile: libuv's sendfile loop spins forever on a source that shrinks mid-copy
    // (libuv/libuv#5151), and compaction truncates the journal in place.
    for (const f of ordered) await fs.writeFile(path.join(to, f), await fs.readFile(path.join(from, f)));
  };
  const start = async (stateFile: string) => {
    const s = await startServer({ stateFile });
    servers.push(s);
    return s;
  };

  it("a crash right after the answers keeps every key change answered: created, blocked, deleted", async () => {
    const dir = await tempDir();
    const s = await start(path.join(dir, "state.json"));
    const client = clientFor(s.url);
    const kept = await client.generateKey({ key_alias: "ff-40", metadata: meta("40") });
    await client.blockKey(kept.key);
    const gone = await client.generateKey({ key_alias: "ff-41", metadata: meta("41") });
    await client.deleteKeys({ keys: [gone.key] });
    // The crash: the files as they are at this instant, no clean stop, no snapshot awaited.
    const copy = await tempDir();
    await copyAsACrashLeavesIt(dir, copy);

    const after = clientFor((await start(path.join(copy, "state.json"))).url);
    expect(await after.keyInfo(kept.token)).toMatchObject({ key_alias: "ff-40", blocked: true });
    expect(await after.keyInfoOrNull(gone.token)).toBeNull();
  });

  it("a snapshot taken after journaled changes keeps its newer counters, and empties the journal", async () => {
    const dir = await tempDir();
    const stateFile = path.join(dir, "state.json");
    const s = await start(stateFile);
    const client = clientFor(s.url);
    const k = await client.generateKey({ key_alias: "ff-42", metadata: meta("42") });
    // A chat raises the key's spend in memory; only the snapshot holds it, not the journal.
    expect((await chat(s.url, k.key, "gpt-4", "spend something")).status).toBe(200);
    await s.flush();
    expect(await fs.readFile(`${stateFile}.keys-journal`, "utf8")).toBe("");
    const spent = (await client.keyInfo(k.token)).spend;
    expect(spent).toBeGreaterThan(0);
    await s.stop();
    servers.splice(servers.indexOf(s), 1);

    const again = clientFor((await start(stateFile)).url);
    expect((await again.keyInfo(k.token)).spend).toBe(spent);
  });

  it("answers LiteLLM's generic 500 when it cannot write a new key, and the key does not exist", async () => {
    const dir = await tempDir();
    const stateFile = path.join(dir, "state.json");
    const s = await start(stateFile);
    // The journal's path taken by a directory: every append fails.
    await fs.mkdir(`${stateFile}.keys-journal`);
    const res = await fetch(`${s.url}/key/generate`, {
      method: "POST",
      headers: { Authorization: `Bearer ${MASTER}`, "Content-Type": "application/json" },
      body: JSON.stringify({ key_alias: "ff-43" }),
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: "{'error': 'Internal Server Error.'}", type: "internal_server_error", param: null, code: "500" } });
    // Not half-made: the alias is free and no key answers to it.
    await fs.rmdir(`${stateFile}.keys-journal`);
    const client = clientFor(s.url);
    await expect(client.deleteKeys({ key_aliases: ["ff-43"] })).rejects.toThrow();
    await client.generateKey({ key_alias: "ff-43", metadata: meta("43") });
  });

  // Each route answers a failed table write as LiteLLM's own code does: update_key_fn wraps any
  // exception in a 400 auth_error "Authentication Error, <e>"; delete_key_fn passes it to
  // handle_exception_on_proxy (500 internal_server_error); block_key catches nothing (Starlette's plain-text 500).
  it("a key change it could not write changes nothing: update answers 400, block and delete 500, in LiteLLM's words, and the key is as it was", async () => {
    const dir = await tempDir();
    const stateFile = path.join(dir, "state.json");
    const s = await start(stateFile);
    const client = clientFor(s.url);
    const k = await client.generateKey({ key_alias: "ff-48", metadata: meta("48"), max_budget: 5 });
    await s.flush();
    const before = await client.keyInfo(k.token);
    const journal = `${stateFile}.keys-journal`;
    await fs.rm(journal);
    await fs.mkdir(journal);
    const post = (route: string, body: unknown) =>
      fetch(`${s.url}${route}`, { method: "POST", headers: { Authorization: `Bearer ${MASTER}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const update = await post("/key/update", { key: k.key, key_alias: "ff-49", max_budget: 50, models: ["gpt-4"] });
    expect([update.status, await update.json()]).toEqual([400, { error: { message: expect.stringMatching(/^Authentication Error, \S/), type: "auth_error", param: "None", code: "400" } }]);
    const block = await post("/key/block", { key: k.key });
    expect([block.status, block.headers.get("content-type"), await block.text()]).toEqual([500, "text/plain; charset=utf-8", "Internal Server Error"]);
    // The client reads Starlette's plain text as it reads LiteLLM's JSON refusals: the status and the words.
    await expect(client.blockKey(k.key)).rejects.toMatchObject({ status: 500, message: expect.stringContaining("HTTP 500: Internal Server Error") });
    const del = await post("/key/delete", { keys: [k.key] });
    expect([del.status, await del.json()]).toEqual([500, { error: { message: expect.stringMatching(/^Internal Server Error, \S/), type: "internal_server_error", param: "None", code: "500" } }]);
    await fs.rmdir(journal);

    expect(await client.keyInfo(k.token)).toEqual(before);
    // The alias index is as it was too: the old alias still taken, the new one free.
    await expect(client.generateKey({ key_alias: "ff-48", metadata: meta("50") })).rejects.toThrow(/already exists/);
    await client.generateKey({ key_alias: "ff-49", metadata: meta("51") });
  });

  it("changes made while a write fails are undone in reverse order: a field changed twice goes back to its written value", async () => {
    const dir = await tempDir();
    const store = new Store(path.join(dir, "state.json"));
    await store.load();
    const k = keyRecord("t-1");
    await store.createKey(k);
    await store.flush();
    const journal = path.join(dir, "state.json.keys-journal");
    await fs.rm(journal, { force: true });
    await fs.mkdir(journal);
    const first = store.changeKey(k, { max_budget: 7, key_alias: "renamed" });
    const second = store.changeKey(k, { max_budget: 9 });
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
    expect(store.key("t-1")).toMatchObject({ max_budget: 1, key_alias: "alias-t-1" });
    expect(store.keyByAlias("alias-t-1")?.token).toBe("t-1");
    expect(store.keyByAlias("renamed")).toBeUndefined();
    // The failed changes asked for a snapshot: let it finish before the directory is removed.
    await fs.rmdir(journal);
    await store.flush();
  });

  it("keeps the journal short while keys keep changing: a snapshot is taken every thousand changes and empties what it holds", async () => {
    const dir = await tempDir();
    const stateFile = path.join(dir, "state.json");
    const journal = `${stateFile}.keys-journal`;
    const store = new Store(stateFile);
    await store.load();
    // Changes keep arriving while each snapshot is written: the journal must still shrink.
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.createKey(keyRecord(`t-${batch * 100 + i}`))));
    }
    const lines = async () => (await fs.readFile(journal, "utf8")).split("\n").filter((l) => l !== "").length;
    await vi.waitFor(async () => expect(await lines()).toBeLessThanOrEqual(1_000), { timeout: 20_000, interval: 50 });
    // A crash now loses none of them: the snapshot and the journal together hold all 3,000.
    const copy = await tempDir();
    await copyAsACrashLeavesIt(dir, copy);
    const after = new Store(path.join(copy, "state.json"));
    await after.load();
    expect(after.allKeys().length).toBe(3_000);
    await store.flush();
  });

  it("finds keys by alias after renames and deletions (one index, no scan)", async () => {
    const s = await start(path.join(await tempDir(), "state.json"));
    const client = clientFor(s.url);
    const a = await client.generateKey({ key_alias: "alias-a", metadata: meta("44") });
    await client.updateKey({ key: a.key, key_alias: "alias-b" });
    // The old alias is free, the new one taken.
    await client.generateKey({ key_alias: "alias-a", metadata: meta("45") });
    await expect(client.generateKey({ key_alias: "alias-b", metadata: meta("46") })).rejects.toThrow(/already exists/);
    await client.deleteKeys({ key_aliases: ["alias-b"] });
    expect(await client.keyInfoOrNull(a.token)).toBeNull();
    await client.generateKey({ key_alias: "alias-b", metadata: meta("47") });
  });
});

describe("the key journal file", () => {
  it("a compaction keeps the entries written after the snapshot it follows, and drops the rest", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "litellm-journal-compact-"));
    const file = path.join(dir, "j");
    const journal = new KeyJournal(file);
    for (let seq = 1; seq <= 6; seq++) await journal.append({ seq, delete: `t-${seq}` });
    // The snapshot holds up to 4; 5 and 6 were written after it was taken.
    await journal.compact(4);
    expect((await KeyJournal.read(file, 0)).map((e) => e.seq)).toEqual([5, 6]);
    await journal.append({ seq: 7, delete: "t-7" });
    await journal.compact(7);
    expect(await fs.readFile(file, "utf8")).toBe("");
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("drops a last line the crash cut short, and refuses a damaged line before it", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "litellm-journal-read-"));
    const file = path.join(dir, "j");
    const put = (seq: number, token: string) => JSON.stringify({ seq, put: { token, key_alias: null } });
    await fs.writeFile(file, `${put(1, "a")}\n${put(2, "b")}\n{"seq":3,"put":{"tok`);
    expect((await KeyJournal.read(file, 0)).map((e) => e.seq)).toEqual([1, 2]);
    expect((await KeyJournal.read(file, 1)).map((e) => e.seq)).toEqual([2]);
    await fs.writeFile(file, `${put(1, "a")}\nnot json\n${put(3, "c")}\n`);
    await expect(KeyJournal.read(file, 0)).rejects.toThrow(/line 2 is not a key change; the file is damaged/);
    await fs.writeFile(file, `${JSON.stringify({ seq: 0, delete: "a" })}\n`);
    await expect(KeyJournal.read(file, 0)).rejects.toThrow(/line 1/);
    expect(await KeyJournal.read(path.join(dir, "absent"), 0)).toEqual([]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

function keyRecord(token: string): KeyRecord {
  const iso = "2026-03-01T12:00:00.000Z";
  return {
    token,
    key_name: "sk-...test",
    key_alias: `alias-${token}`,
    spend: 0,
    max_budget: 1,
    budget_duration: null,
    budget_reset_at: null,
    expires: null,
    models: [],
    metadata: {},
    blocked: null,
    rpm_limit: null,
    tpm_limit: null,
    user_id: null,
    team_id: null,
    model_spend: {},
    created_at: iso,
    updated_at: iso,
  };
}
