/**
 * What the local stack offers beyond this machine (issue 15, item 6 and also-point 2): the Flow
 * emulator and the dev wallet (which signs as the contract admin) listen on loopback only, the
 * wallet's approve screen asks no public CDN for its editor, and Vite's dev server does not hand
 * out `.flareflow/` (journals, LiteLLM state, logs) through `/@fs/`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { repoRoot } from "../../src/local/flow-binary";
import { freePort } from "../../src/local/ports";
import { devWalletProcess, emulatorProcess } from "../../src/local/flow-services";
import type { ManagedProcess } from "../../src/local/process";

interface Listener {
  address: string;
  port: number;
}

function hexToAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
  // IPv6 as four little-endian 32-bit words.
  const words = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join(""));
  const groups = words.join("").match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(":");
  return text === "0:0:0:0:0:0:0:0" ? "::" : text === "0:0:0:0:0:0:0:1" ? "::1" : text.replace(/^0:0:0:0:0:ffff:/, "::ffff:");
}

/** The TCP sockets process `pid` listens on, from /proc (no tool needed). */
function listeners(pid: number): Listener[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const out: Listener[] = [];
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    for (const row of fs.readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A" || !inodes.has(cols[9] as string)) continue; // 0A: LISTEN
      const [addr, port] = (cols[1] as string).split(":") as [string, string];
      out.push({ address: hexToAddress(addr), port: parseInt(port, 16) });
    }
  }
  return out;
}

/** An address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("the local stack is not reachable beyond loopback", () => {
  let dir: string;
  let emulator: ManagedProcess;
  let wallet: ManagedProcess;
  let ports: { rest: number; grpc: number; admin: number; debugger: number; wallet: number };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-exposure-"));
    const [rest, grpc, admin, dbg, walletPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    ports = { rest: rest, grpc, admin, debugger: dbg, wallet: walletPort };
    emulator = emulatorProcess({ rest, grpc, admin, debugger: dbg }, dir);
    await emulator.start();
    wallet = devWalletProcess(walletPort, `http://127.0.0.1:${rest}`, dir);
    await wallet.start();
  }, 180_000);

  afterAll(async () => {
    await wallet?.stop();
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the emulator's REST, gRPC and admin APIs listen on 127.0.0.1 only", () => {
    const found = listeners(emulator.pid as number);
    for (const port of [ports.rest, ports.grpc, ports.admin]) {
      expect(found.filter((l) => l.port === port), `port ${port}`).toEqual([{ address: "127.0.0.1", port }]);
    }
    // flow-emulator v1.15.3 has no host setting for its Cadence debugger (DAP): it is the one
    // listener on every interface, and the README says so.
    expect(found.filter((l) => l.address !== "127.0.0.1").map((l) => l.port)).toEqual([ports.debugger]);
  });

  it("the dev wallet, which signs as the contract admin, listens on 127.0.0.1 only", () => {
    expect(listeners(wallet.pid as number)).toEqual([{ address: "127.0.0.1", port: ports.wallet }]);
  });

  it("from this machine's network address, the emulator's APIs and the dev wallet refuse connections", async (ctx) => {
    const outside = outsideAddress();
    if (outside === undefined) ctx.skip(); // a machine with loopback only has no outside to test from
    for (const port of [ports.rest, ports.grpc, ports.admin, ports.wallet]) {
      expect(await connects(outside as string, port), `${outside}:${port}`).toBe(false);
      expect(await connects("127.0.0.1", port), `127.0.0.1:${port}`).toBe(true);
    }
  });

  it("the dev wallet's scripts name no public CDN: its editor is served by the toolchain itself", async () => {
    const base = `http://127.0.0.1:${ports.wallet}`;
    // The chunk of fcl-dev-wallet v0.9.1's bundle (pinned in go.sum) that holds @monaco-editor/loader.
    const chunk = await (await fetch(`${base}/_next/static/chunks/378-72868a49762c543a.js`)).text();
    expect(chunk).toContain("@monaco-editor/loader");
    expect(chunk).not.toMatch(/https?:\/\/cdn\./);
    expect(chunk).toContain('paths:{vs:"/flareflow/monaco/vs"}');
    const loader = await fetch(`${base}/flareflow/monaco/vs/loader.js`);
    expect(loader.status).toBe(200);
    const source = await loader.text();
    expect(source).not.toMatch(/https?:\/\//);
    // Run it as the loader would: it defines the AMD require and hands back an editor that shows
    // the code as escaped text.
    const window: Record<string, unknown> = {};
    vm.runInNewContext(source, { window, Promise });
    const amd = window["require"] as (deps: string[], ok: (m: { m: { editor: { colorize(t: string): Promise<string> } } }) => void) => void;
    const html = await new Promise<string>((resolve) => amd(["vs/editor/editor.main"], (mod) => void mod.m.editor.colorize('transaction { prepare() { log("<b>") } }').then(resolve)));
    expect(html).toBe("transaction { prepare() { log(&quot;&lt;b&gt;&quot;) } }");
  });
});

/** The part of Vite's API used here (Vite ships ESM types the node-side tsconfig cannot resolve). */
interface ViteDevServer {
  listen(): Promise<unknown>;
  close(): Promise<void>;
}
type CreateServer = (config: { configFile: string; logLevel: string; server: { port: number; host: string } }) => Promise<ViteDevServer>;

describe("Vite's dev server serves the page's sources and nothing else", () => {
  let server: ViteDevServer;
  let base: string;
  const probeDir = path.join(repoRoot(), ".flareflow", "security-probe");
  const probe = path.join(probeDir, "key-service.jsonl");

  beforeAll(async () => {
    fs.mkdirSync(probeDir, { recursive: true });
    fs.writeFileSync(probe, '{"seq":1,"header":"a journal the page must never serve"}\n');
    const port = await freePort();
    const { createServer } = (await import("vite" as string)) as { createServer: CreateServer };
    server = await createServer({ configFile: path.join(repoRoot(), "web/vite.config.ts"), logLevel: "silent", server: { port, host: "127.0.0.1" } });
    await server.listen();
    base = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    fs.rmSync(probeDir, { recursive: true, force: true });
  });

  it("a page asking /@fs/ for the stack's journal under .flareflow/ is refused", async () => {
    const res = await fetch(`${base}/@fs${probe}`);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("a journal the page must never serve");
    // The same by a relative escape out of web/.
    expect(await (await fetch(`${base}/../.flareflow/security-probe/key-service.jsonl`)).text()).not.toContain("a journal the page must never serve");
  });

  it("files of the repository outside the page's sources are refused too", async () => {
    expect((await fetch(`${base}/@fs${path.join(repoRoot(), "package.json")}`)).status).toBe(403);
    expect((await fetch(`${base}/@fs${path.join(repoRoot(), "flow.json")}`)).status).toBe(403);
  });

  it("the page itself and the shared sources it imports are still served", async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/src/main.tsx`)).status).toBe(200);
    expect((await fetch(`${base}/@fs${path.join(repoRoot(), "src/pricing/index.ts")}`)).status).toBe(200);
  });
});
