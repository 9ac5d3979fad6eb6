/**
 * The page in headless Chromium (Debian's, driven by playwright-core) against the whole local
 * stack (src/local/stack.ts: Flow emulator, Hardhat node with the FDC harness, local LiteLLM
 * server, Flare stand-in, publisher, key service, connector), plus the dev wallet and a
 * production build of web/ served by `vite preview`. Issue 9's scenario end to end, through the
 * page and the dev wallet's own UI: connect, create a subscription, see its tile, reveal the key
 * (a wallet-signed request to the key service), send usage with that key from this process, see
 * it pending on the tile, then verified once the connector's attested report is billed on Flow;
 * then the window's evidence and the verify action (issue 17).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext, type FrameLocator, type Page } from "playwright-core";
import { repoRoot } from "../../src/local/flow-binary";
import { until, waitFor } from "../../src/local/wait";
import { devWalletProcess } from "../../src/local/flow-services";
import { freePorts, LocalStack } from "../../src/local/stack";
import { stopChild, type ManagedProcess } from "../../src/local/process";
import { chargedEvents, chat, sealedHeight } from "../../src/local/customer";
import { formatFlow, parseUFix64 } from "../../src/pricing";
import { measure, type PageSize } from "../../web/scripts/size";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = path.join(repoRoot(), "test-artifacts/screenshots");
/** Short usage windows: one window plus its attestation is what "verified" waits for. */
const WINDOW_SECONDS = 15;
if (!fs.existsSync(CHROMIUM)) {
  // npm test installs Debian's chromium (scripts/install-chromium.sh); a missing browser is a failure, not a skip.
  throw new Error(`${CHROMIUM} is missing: run bash scripts/install-chromium.sh`);
}

interface Served {
  stack: LocalStack;
  wallet: ManagedProcess;
  walletOrigin: string;
  pageUrl: string;
  distDir: string;
  preview: ChildProcess;
  tmp: string;
}

async function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const log: string[] = [];
  const child = spawn(command, args, { cwd: repoRoot(), env, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) stream?.on("data", (d: Buffer) => log.push(d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}:\n${log.join("").slice(-3000)}`);
}

/** The local stack (no page), the dev wallet beside it, and a production build of the page for it. */
async function startServed(served: Partial<Served>): Promise<Served> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ff-web-"));
  served.tmp = tmp;
  const stack = await LocalStack.start({
    ports: await freePorts(),
    windowSeconds: WINDOW_SECONDS,
    stateDir: path.join(tmp, "stack"),
    spendLogDelaySeconds: 1,
    web: false,
    log: () => undefined,
  });
  served.stack = stack;
  // LocalStack starts the dev wallet only with its Vite dev server (web: true); here the page is
  // a production build, so the wallet is started beside the stack on the port the stack named.
  const wallet = devWalletProcess(stack.options.ports.devWallet, stack.info.accessNode, path.join(stack.options.stateDir, "logs"));
  served.wallet = wallet;
  await wallet.start();

  const distDir = path.join(tmp, "dist");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack.webEnv(),
    // vitest sets NODE_ENV=test, which would build React's development bundle.
    NODE_ENV: "production",
    // The subscription list re-reads the chain every max(poll, 5 s): verified usage shows sooner.
    VITE_USAGE_POLL_MS: "2000",
  };
  const vite = path.join(repoRoot(), "node_modules/vite/bin/vite.js");
  await run(process.execPath, [vite, "build", "web", "--outDir", distDir, "--emptyOutDir", "--logLevel", "warn"], env);
  // The port the stack reserved for the page: the key service allows that origin, no other.
  const pagePort = stack.options.ports.web;
  const preview = spawn(process.execPath, [vite, "preview", "web", "--outDir", distDir, "--port", String(pagePort), "--strictPort", "--host", "127.0.0.1"], {
    cwd: repoRoot(),
    env,
    stdio: "ignore",
  });
  served.preview = preview;
  const pageUrl = `http://127.0.0.1:${pagePort}/`;
  await waitFor("vite preview", async () => (await fetch(pageUrl)).ok, { timeoutMs: 30_000, everyMs: 200, retryErrors: true });
  return { stack, wallet, walletOrigin: new URL(stack.info.walletUrl).origin, pageUrl, distDir, preview, tmp };
}

async function stopServed(served: Partial<Served>): Promise<void> {
  if (served.preview) await stopChild(served.preview);
  await served.wallet?.stop();
  await served.stack?.stop();
  if (served.tmp) fs.rmSync(served.tmp, { recursive: true, force: true });
}

describe("the page in Chromium on the local stack", () => {
  const served: Partial<Served> = {};
  let s: Served;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const requested = new Set<string>();
  /** Requests to anywhere but this machine, blocked, keyed by the frame that made them. */
  const blocked: { url: string; frame: string }[] = [];
  const figures: Record<string, number | string> = {};
  /** The key as the page showed it, and the tokens LiteLLM counted for the requests made with it. */
  let key = "";
  let sentTokens = 0;
  let scenarioStarted = 0;
  /** The sealed height before the subscription exists: its charges come after. */
  let startHeight = 0;

  // FCL shows the wallet in one iframe at a time, always with this id.
  const wallet = (): FrameLocator => page.frameLocator("iframe#FCL_IFRAME");
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const tile = () => page.getByTestId("subscription-tile");

  /** Approves the wallet's "Sign Message" screen (fcl.currentUser.signUserMessage), then waits for it to close. */
  const approveSignature = async (screenshot?: string) => {
    const frame = wallet();
    await frame.getByText("Sign Message", { exact: true }).waitFor({ timeout: 30_000 });
    await frame.getByText("Message (Hex)").waitFor();
    if (screenshot) await shot(screenshot);
    // This frame, not the id: the next request's frame may take the id at once.
    const shown = await page.locator("iframe#FCL_IFRAME").elementHandle();
    await frame.getByRole("button", { name: "Approve" }).click();
    await shown?.waitForElementState("hidden", { timeout: 30_000 });
  };

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const started = Date.now();
    s = await startServed(served);
    figures.stackStartSeconds = Math.round((Date.now() - started) / 1000);
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
  }, 420_000);

  afterAll(async () => {
    await context?.close();
    await stopServed(served);
    if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
    if (Object.keys(figures).length > 0) {
      fs.writeFileSync(path.join(SCREENSHOTS, "../page-figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
    }
  }, 120_000);

  it("meets the size goals: first-load JS ≤ 120 KB gzip, all JS ≤ 400 KB gzip", () => {
    const size: PageSize = measure(s.distDir);
    figures.firstLoadGzipKB = size.firstLoadGzipKB;
    figures.totalGzipKB = size.totalGzipKB;
    expect(size.firstLoadGzipKB).toBeLessThanOrEqual(120);
    expect(size.totalGzipKB).toBeLessThanOrEqual(400);
  });

  it("renders the shell first, then loads the wallet library", async () => {
    const started = Date.now();
    await page.goto(s.pageUrl);
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
    scenarioStarted = Date.now();
    startHeight = await sealedHeight(s.stack.info.accessNode);
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
    await expect(form.getByRole("textbox", { name: /provider/i }).inputValue()).resolves.toBe(s.stack.info.provider.address);
    await form.getByRole("textbox", { name: /deposit/i }).fill("12.5");
    await form.getByRole("textbox", { name: /spending cap/i }).fill("5");
    // Two of the models the local LiteLLM server serves.
    await form.getByRole("textbox", { name: /allowed models/i }).fill("gpt-4, claude-3-sonnet");
    await form.getByRole("button", { name: /create subscription/i }).click();
    await expect(form.getByTestId("tx-status").innerText()).resolves.toMatch(/waiting for your wallet/);
    await shot("03-signing");
    // The approve screen shows the transaction's Cadence (through the toolchain's local editor stand-in).
    await wallet().locator("code").filter({ hasText: "SimpleUsageSubscriptions" }).first().waitFor({ state: "attached", timeout: 30_000 });
    await wallet().getByRole("button", { name: /approve/i }).click({ timeout: 30_000 });
    await form.getByTestId("tx-status").and(page.locator('[data-state="sealed"]')).waitFor({ timeout: 60_000 });
    await tile().waitFor({ timeout: 30_000 });
    await expect(tile().getByTestId("status").innerText()).resolves.toBe("Active");
    await expect(tile().getByTestId("escrow").innerText()).resolves.toContain("12.5 FLOW");
    await expect(tile().getByTestId("escrow").innerText()).resolves.toContain("Models: gpt-4, claude-3-sonnet");
    await expect(tile().getByTestId("verified-usage").innerText()).resolves.toContain("0 tokens");
    await shot("04-tile");
  }, 120_000);

  it("reveals the key after a wallet-signed request to the key service", async () => {
    // The key service sees SubscriptionCreated, has LiteLLM issue a key and records its hash on
    // Flow; the tile shows the masked key once it re-reads the chain.
    const reveal = tile().getByRole("button", { name: "Reveal key" });
    await reveal.waitFor({ timeout: 60_000 });
    await expect(tile().getByTestId("api-key-value").innerText()).resolves.toMatch(/^sk-•+ +\(hash [0-9a-f]{8}…\)$/);
    await reveal.click();
    // Two signatures: the reveal, and the session's first pending-usage read (the page asks for
    // them one after the other; the wallet shows one at a time).
    await approveSignature("05-sign-message");
    await approveSignature();
    const shown = tile().getByTestId("api-key-value");
    await expect.poll(() => shown.innerText(), { timeout: 30_000 }).toMatch(/^sk-[^•\s]+$/);
    key = await shown.innerText();
    await tile().getByRole("button", { name: "Copy" }).waitFor();
    await expect.poll(() => tile().getByTestId("pending-usage").innerText(), { timeout: 30_000 }).toContain("Seen by LiteLLM");
    await shot("06-key");
    // The key the page shows is one LiteLLM takes, and only for the subscription's models.
    expect((await chat(s.stack.info.litellmUrl, key, "llama-3-70b", "Not one of this subscription's models.")).status).toBeGreaterThanOrEqual(400);
  }, 120_000);

  it("shows usage sent with the key as pending, then as verified once the connector settles it", async () => {
    // Windows are aligned on multiples of their length. Sending early in one leaves the pending
    // view at least ~10 s (plus the connector's close delay) before the bill can land.
    const intoWindow = Date.now() % (WINDOW_SECONDS * 1000);
    if (intoWindow > 5000) await new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000 - intoWindow + 200));
    for (const [model, prompt] of [
      ["gpt-4", "The first request of the browser customer, through LiteLLM."],
      ["claude-3-sonnet", "A second request, to Claude, with the key the page revealed."],
      ["gpt-4", "A third request, to GPT-4 again."],
    ] as const) {
      const result = await chat(s.stack.info.litellmUrl, key, model, prompt);
      expect(result.status).toBe(200);
      sentTokens += result.totalTokens;
    }
    expect(sentTokens).toBeGreaterThan(0);
    const sent = `${sentTokens.toLocaleString("en-US")} tokens`;

    // Pending: LiteLLM's live view through the key service; each read is one more signature.
    const pending = tile().getByTestId("pending-usage");
    await until(
      "the usage to show as pending",
      async () => {
        const text = await pending.innerText();
        if (text.includes(`${sent} in 3 requests`)) return true;
        await pending.getByRole("button", { name: /^Refresh/ }).click();
        await approveSignature();
        return undefined;
      },
      { timeoutMs: 60_000, everyMs: 2000 },
    );
    const estimate = /^([\d,]+) tokens, about ([0-9.]+) FLOW$/.exec(await tile().getByTestId("pending-tokens").innerText());
    expect(estimate?.[1]).toBe(sentTokens.toLocaleString("en-US"));
    await expect(tile().getByTestId("verified-usage").innerText()).resolves.toContain("This period\n0 tokens");
    await shot("07-pending");

    // Verified: the connector closes the window, has it attested, and Flow bills it; the list
    // re-reads the chain every 5 s.
    const verified = tile().getByTestId("verified-usage");
    const pendingAt = Date.now();
    await expect.poll(() => verified.innerText(), { timeout: 180_000, interval: 2000 }).toContain(`This period\n${sent}`);
    figures.pendingToVerifiedSeconds = Math.round((Date.now() - pendingAt) / 1000);
    // What the tile says was billed is what Flow charged (SubscriptionCharged events), for exactly
    // the tokens sent; the pending estimate (the page's pricing mirror) was that bill to the unit.
    const id = BigInt((await tile().getAttribute("data-subscription-id")) ?? "-1");
    const charges = (await chargedEvents(s.stack.info.flow, startHeight, await sealedHeight(s.stack.info.accessNode))).filter((e) => e.id === id);
    expect(charges.reduce((n, e) => n + e.tokens, 0n)).toBe(BigInt(sentTokens));
    const billed = charges.reduce((n, e) => n + parseUFix64(e.charged), 0n);
    expect(billed).toBeGreaterThan(0n);
    const periodLine = /This period\n([^\n]+)/.exec(await verified.innerText())?.[1];
    expect(periodLine?.replace(/ in \d+ requests/, "")).toBe(`${sent}, ${formatFlow(billed)} FLOW`);
    expect(estimate?.[2]).toBe(formatFlow(billed));
    await expect(tile().getByTestId("escrow").innerText()).resolves.toContain(`Escrow left: ${formatFlow(parseUFix64("12.5") - billed)} FLOW`);
    // Read once more: nothing is pending any longer.
    await pending.getByRole("button", { name: /^Refresh/ }).click();
    await approveSignature();
    await expect.poll(() => tile().getByTestId("pending-tokens").innerText(), { timeout: 30_000 }).toBe("nothing: all of it is verified");
    // The README shows this screenshot: the key goes back under its mask first.
    await tile().getByRole("button", { name: "Hide" }).click();
    await shot("08-verified");
    figures.scenarioSeconds = Math.round((Date.now() - scenarioStarted) / 1000);
  }, 300_000);

  it("links a verified window's evidence and verifies it in the browser with verify-bill's code", async () => {
    const evidence = tile().getByTestId("verified-windows");
    await evidence.getByTestId("show-evidence").click();
    const row = evidence.getByTestId("verified-window").first();
    await row.waitFor({ timeout: 60_000 });
    const window = (await row.getAttribute("data-window")) ?? "";
    expect(window).toMatch(/^\d+$/);
    // The report's immutable URL, the Flare round, the Coston2 and Flow transactions.
    await expect(row.getByTestId("report-link").getAttribute("href")).resolves.toBe(`${s.stack.info.publisherUrl}/reports/${window}`);
    const text = await row.innerText();
    expect(text).toMatch(/Flare round \d+/);
    expect(text).toMatch(/Coston2 0x[0-9a-f]{8}…[0-9a-f]{6}/);
    expect(text).toMatch(/Flow [0-9a-f]{10}…[0-9a-f]{6}/);
    await row.getByTestId("verify-window").click();
    const result = row.getByTestId("verify-result");
    await result.waitFor({ timeout: 120_000 });
    expect(await result.innerText()).toMatch(/^✓ Verified in this browser: the report hashes to the digest Flow settled and Coston2 stored under round \d+/);
    await shot("09-evidence-verified");
  }, 240_000);

  it("requests nothing outside the local stack, the dev wallet included", () => {
    // The dev wallet's approve screen used to ask a CDN for its code editor; the toolchain now
    // serves a local stand-in (tools/flow-toolchain/walletassets/monaco-loader.js).
    expect(blocked.map((b) => `${b.url} (from ${b.frame})`)).toEqual([]);
    // What was requested at all: the page, the access node, the key service and the wallet, all on this machine.
    // The bill verifier also reads the publisher's reports and the EVM node (UsageReportVerifier).
    const allowed = new Set([new URL(s.pageUrl).origin, s.stack.info.accessNode, s.stack.info.keyServiceUrl, s.walletOrigin, s.stack.info.publisherUrl, s.stack.info.hardhatUrl]);
    const local = [...requested].filter((o) => o !== "null"); // data: URLs have no origin
    expect(local.filter((o) => !allowed.has(o.replace("//localhost:", "//127.0.0.1:")))).toEqual([]);
    expect(requested.has(s.stack.info.keyServiceUrl)).toBe(true);
  });
});
