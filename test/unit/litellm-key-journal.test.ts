import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LiteLLMServerHandle } from "../../src/litellm-server";
import { KeyJournal } from "../../src/litellm-server/key-journal";
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
    for (const f of await fs.readdir(dir)) if (!f.endsWith(".tmp")) await fs.copyFile(path.join(dir, f), path.join(copy, f));

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
