/**
 * The page in headless Chromium (Debian's, driven by playwright-core) against a local stack it
 * starts itself: Flow emulator with the contracts, the dev wallet, a production build of web/
 * served by `vite preview`. It connects through the dev wallet's own UI, creates a subscription
 * and sees its tile. The key and usage steps need the key service and connector; they are
 * marked todo here and come with the end-to-end stack (see `stack.keyServiceUrl`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { p256 } from "@noble/curves/p256";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { chromium, type BrowserContext, type FrameLocator, type Page } from "playwright-core";
import { FlowEmulator } from "../../src/local/emulator";
import { flowBinary, repoRoot } from "../../src/local/flow-binary";
import { freePort, waitFor } from "../../src/local/ports";
import { createLocalAccount } from "../../src/local/accounts";
import { emulatorServiceAccount, contractAddresses } from "../../src/config/flow-json";
import { flowNetwork } from "../../src/config/networks";
import { deployFlow } from "../../src/deploy/flow-deploy";
import { flowSigner } from "../../src/deploy/flow-signer";
import { measure, type PageSize } from "../../web/scripts/size";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(repoRoot(), "test-artifacts/screenshots");
if (!fs.existsSync(CHROMIUM)) {
  // npm test installs Debian's chromium (scripts/install-chromium.sh); a missing browser is a failure, not a skip.
  throw new Error(`${CHROMIUM} is missing: run bash scripts/install-chromium.sh`);
}

interface Stack {
  emulator: FlowEmulator;
  walletUrl: string;
  pageUrl: string;
  provider: string;
  distDir: string;
  /** Set by the end-to-end stack when the key service runs: enables the key and usage steps. */
  keyServiceUrl: string | null;
  children: ChildProcess[];
  tmp: string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, log: string[]): ChildProcess {
  const child = spawn(command, args, { cwd: repoRoot(), env, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (d: Buffer) => log.push(d.toString()));
  return child;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const log: string[] = [];
  const child = start(command, args, env, log);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}:\n${log.join("").slice(-3000)}`);
}

async function startStack(): Promise<Stack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ff-web-"));
  const emulator = await FlowEmulator.start();
  const network = flowNetwork("emulator");
  const signer = flowSigner(network);
  await deployFlow({ network, accessNode: emulator.restUrl, signer, yes: false, log: () => undefined, deploymentsDir: tmp });
  const ctx = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", signer.address) };
  const provider = await createLocalAccount(ctx, "10.0");

  const service = emulatorServiceAccount();
  const publicKey = bytesToHex(p256.getPublicKey(hexToBytes(service.privateKey), false).slice(1));
  const walletPort = await freePort();
  const children: ChildProcess[] = [];
  const walletLog: string[] = [];
  children.push(
    start(
      flowBinary(),
      ["dev-wallet", "--port", String(walletPort), "--access-node", emulator.restUrl, "--address", service.address, "--private-key", service.privateKey, "--public-key", publicKey],
      process.env,
      walletLog,
    ),
  );
  const walletUrl = `http://127.0.0.1:${walletPort}`;
  await waitFor("dev wallet", async () => (await fetch(`${walletUrl}/fcl/authn`)).ok, 30_000);

  // A production build configured for this stack, then served as the lead's dev stack would.
  const distDir = path.join(tmp, "dist");
  const env = {
    ...process.env,
    // vitest sets NODE_ENV=test, which would build React's development bundle.
    NODE_ENV: "production",
    VITE_FLOW_NETWORK: "emulator",
    VITE_FLOW_ACCESS_NODE: emulator.restUrl,
    VITE_FLOW_WALLET_DISCOVERY: `${walletUrl}/fcl/authn`,
    VITE_FLOW_CONTRACTS_ADDRESS: signer.address,
    VITE_DEFAULT_PROVIDER: provider.address,
    VITE_USAGE_POLL_MS: "2000",
  };
  const vite = path.join(repoRoot(), "node_modules/vite/bin/vite.js");
  await run(process.execPath, [vite, "build", "web", "--outDir", distDir, "--emptyOutDir", "--logLevel", "warn"], env);
  const pagePort = await freePort();
  children.push(start(process.execPath, [vite, "preview", "web", "--outDir", distDir, "--port", String(pagePort), "--strictPort", "--host", "127.0.0.1"], env, []));
  const pageUrl = `http://127.0.0.1:${pagePort}/`;
  await waitFor("vite preview", async () => (await fetch(pageUrl)).ok, 30_000);
  return { emulator, walletUrl, pageUrl, provider: provider.address, distDir, keyServiceUrl: null, children, tmp };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  for (const child of stack.children) {
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    }
  }
  await stack.emulator.stop();
  fs.rmSync(stack.tmp, { recursive: true, force: true });
}

describe("the page in Chromium on the local stack", () => {
  let stack: Stack | undefined;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const requested = new Set<string>();
  /** Requests to anywhere but this machine, blocked, keyed by the frame that made them. */
  const blocked: { url: string; frame: string }[] = [];
  const figures: Record<string, number | string> = {};

  const wallet = (): FrameLocator => page.frameLocator(`iframe[src^="${stack?.walletUrl}"]`);
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack();
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
      viewport: { width: 1280, height: 900 },
    });
    context.on("request", (request) => requested.add(new URL(request.url()).origin));
    // Nothing may leave the machine: anything else is refused and remembered.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (/^(https?|wss?):\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url) || url.startsWith("data:")) return route.continue();
      blocked.push({ url, frame: route.request().frame().url() });
      return route.abort("blockedbyclient");
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await stopStack(stack);
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    if (Object.keys(figures).length > 0) {
      fs.writeFileSync(path.join(SCREENSHOTS, "../page-figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
    }
  });

  it("meets the size goals: first-load JS ≤ 120 KB gzip, all JS ≤ 400 KB gzip", () => {
    const size: PageSize = measure(stack!.distDir);
    figures.firstLoadGzipKB = size.firstLoadGzipKB;
    figures.totalGzipKB = size.totalGzipKB;
    expect(size.firstLoadGzipKB).toBeLessThanOrEqual(120);
    expect(size.totalGzipKB).toBeLessThanOrEqual(400);
  });

  it("renders the shell first, then loads the wallet library", async () => {
    const started = Date.now();
    await page.goto(stack!.pageUrl);
    await page.getByRole("heading", { name: "FlareFlow" }).waitFor();
    const shellMs = Date.now() - started;
    await page.getByRole("button", { name: "Connect wallet" }).waitFor();
    const readyMs = Date.now() - started;
    const paint = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1);
    figures.firstContentfulPaintMs = Math.round(paint);
    figures.shellVisibleMs = shellMs;
    figures.walletReadyMs = readyMs;
    expect(paint).toBeGreaterThan(0);
    await expect(page.getByTestId("quote").innerText()).resolves.toMatch(/^4\.125 FLOW/);
    await shot("01-shell");
  });

  it("connects with the dev wallet (a new account made in the wallet's UI)", async () => {
    await page.getByRole("button", { name: "Connect wallet" }).click();
    await wallet().getByText("Create New Account").click();
    await wallet().locator('input[name="label"]').fill("Browser customer");
    await wallet().getByRole("button", { name: "Create" }).click();
    await wallet().getByText("Browser customer").click();
    await expect(page.getByTestId("wallet-address").innerText({ timeout: 30_000 })).resolves.toMatch(/^0x[0-9a-f]{16}$/);
    await page.getByText(/You have no subscriptions yet/).waitFor();
    await page.getByTestId("storage-check").and(page.locator('[data-ok="true"]')).waitFor();
    await shot("02-connected");
  });

  it("creates a subscription: progress in words, then its tile", async () => {
    const form = page.getByRole("form", { name: "Create subscription" });
    await expect(form.getByRole("textbox", { name: /provider/i }).inputValue()).resolves.toBe(stack!.provider);
    await form.getByRole("textbox", { name: /deposit/i }).fill("12.5");
    await form.getByRole("textbox", { name: /spending cap/i }).fill("5");
    await form.getByRole("textbox", { name: /allowed models/i }).fill("gpt-4o, claude-3-haiku");
    await form.getByRole("button", { name: /create subscription/i }).click();
    await expect(form.getByTestId("tx-status").innerText()).resolves.toMatch(/waiting for your wallet/);
    await shot("03-signing");
    await wallet().getByRole("button", { name: /approve/i }).click({ timeout: 30_000 });
    await form.getByTestId("tx-status").and(page.locator('[data-state="sealed"]')).waitFor({ timeout: 60_000 });
    const tile = page.getByTestId("subscription-tile");
    await tile.waitFor({ timeout: 30_000 });
    await expect(tile.getByTestId("status").innerText()).resolves.toBe("Active");
    await expect(tile.getByTestId("escrow").innerText()).resolves.toContain("12.5 FLOW");
    await expect(tile.getByTestId("escrow").innerText()).resolves.toContain("Models: gpt-4o, claude-3-haiku");
    await expect(tile.getByTestId("verified-usage").innerText()).resolves.toContain("0 tokens");
    await shot("04-tile");
  });

  // With the end-to-end stack (key service + connector) these run in order after the tile.
  it.todo("reveals the key after a wallet-signed request to the key service (needs stack.keyServiceUrl)");
  it.todo("shows usage sent with the key as pending, then as verified once the connector settles it");

  it("requests nothing outside the local stack", () => {
    const fromPage = blocked.filter((b) => b.frame.startsWith(stack!.pageUrl));
    expect(fromPage).toEqual([]);
    // The dev wallet's transaction view asks a CDN for its code editor (a toolchain matter, not the
    // page's): blocked above, and said here so it is not forgotten.
    const fromWallet = blocked.filter((b) => b.frame.startsWith(stack!.walletUrl));
    if (fromWallet.length > 0) figures.devWalletBlockedRequests = [...new Set(fromWallet.map((b) => new URL(b.url).origin))].join(" ");
    expect(blocked.length).toBe(fromPage.length + fromWallet.length);
    expect(requested.size).toBeGreaterThan(0);
  });
});
