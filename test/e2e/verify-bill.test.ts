import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AbiCoder, JsonRpcProvider, keccak256, toBeHex } from "ethers";
import { freePorts, LocalStack } from "../../src/local/stack";
import { createLocalAccount, serviceSigner } from "../../src/local/accounts";
import { chat, revealKey, type ClientLogLine } from "../../src/local/customer";
import { subscriptionApi } from "../../src/api/subscriptions";
import { keyAuthorization, runScript, signUserMessage, type KeySigner } from "../../src/flow/runtime";
import { triggersGetState } from "../../src/flow/generated/scripts";
import { LOCAL_ORACLE_KEYS } from "../../src/config/local-oracles";
import { settleOnFlow } from "../../src/connector/flow";
import { reportDocument, serializeDocument } from "../../src/connector/report-doc";
import { publishedFiles } from "../../src/connector/publish";
import { attestationFor, requestsRoot, signAttestation, type UsageLine } from "../../src/report";
import { verifyBill, type BillVerdict } from "../../src/verify/bill";
import { parseClientLog } from "../../src/verify/client-log";
import { coston2BillSource } from "../../src/verify/coston2-source";
import { flowBillSource } from "../../src/verify/flow-source";
import { keyServiceLeavesSource } from "../../src/verify/leaves-source";
import { httpPublisherSource } from "../../src/verify/publisher-source";
import type { BillSources, FlowBillSource } from "../../src/verify/sources";
import { repoRoot } from "../../src/local/flow-binary";
import { until, waitFor } from "../../src/local/wait";

/** The stack's services restart under these tests: a probe that throws has not been answered yet. */
const POLL = { everyMs: 1000, retryErrors: true };

// Issue 17 on a stack this test starts: the command agrees with every bill it checks, then each
// fault is made for real (files on the publisher's disk, Coston2 storage on the Hardhat node, an
// oracle quorum settling what Flare never attested, a request through the stand-in LiteLLM that
// the customer's client never logged) and named.
const WINDOW_SECONDS = 15;


describe("verify-bill: a customer recomputes their bill from public data", () => {
  let stack: LocalStack;
  let dir: string;
  let customer: KeySigner;
  let sub: bigint;
  let key: string;
  const log: ClientLogLine[] = [];
  let stackFile: string;

  const sources = (flow?: FlowBillSource): BillSources => ({
    flow: flow ?? flowBillSource(stack.info.flow),
    coston2: coston2BillSource(stack.info.hardhatUrl, stack.info.verifierAddress),
    publisher: httpPublisherSource(),
    leaves: keyServiceLeavesSource(stack.info.keyServiceUrl, async (hex) => signUserMessage(customer, hex)),
  });
  const clientLog = () => parseClientLog(log.map((l) => JSON.stringify(l)).join("\n"));
  const verify = (flow?: FlowBillSource) => verifyBill(sources(flow), { subscriptionId: sub, clientLog: clientLog() });
  const logFile = () => {
    const file = path.join(dir, "client-log.jsonl");
    fs.writeFileSync(file, log.map((l) => `${JSON.stringify(l)}\n`).join(""));
    return file;
  };
  const command = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(repoRoot(), "node_modules/ts-node/dist/bin.js"), "--transpile-only", path.join(repoRoot(), "scripts/verify-bill.ts"), ...args], {
      cwd: repoRoot(),
      encoding: "utf8",
      env: { ...process.env, FLAREFLOW_STACK_FILE: stackFile },
      timeout: 180_000,
    });
  const billedTokens = async () => (await verifyBill(sources(), { subscriptionId: sub })).total.tokens;
  const loggedTokens = () => log.reduce((n, l) => n + BigInt(l.usage.total_tokens), 0n);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-verify-"));
    stack = await LocalStack.start({ ports: await freePorts(), windowSeconds: WINDOW_SECONDS, stateDir: dir, spendLogDelaySeconds: 1, web: false, log: () => undefined });
    stackFile = path.join(dir, "stack.json");
    fs.writeFileSync(stackFile, JSON.stringify({ ...stack.info, provider: { address: stack.info.provider.address } }));
    customer = await createLocalAccount(stack.info.flow, "100.0");
    const api = subscriptionApi({ ...stack.info.flow, customer: keyAuthorization(customer), customerAddress: customer.address });
    sub = (await api.createSubscriptionVault(stack.info.provider.address, "30.0", customer.address)).vaultId;
    key = await revealKey(stack.info.keyServiceUrl, customer, sub);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Requests in `windows` distinct windows, every one logged as the customer's client logs it. */
  async function useInWindows(windows: number): Promise<void> {
    const models = ["gpt-4", "claude-3-sonnet", "gpt-3.5-turbo", "llama-3-70b"];
    for (let w = 0; w < windows; w++) {
      for (let i = 0; i < 2; i++) {
        const result = await chat(stack.info.litellmUrl, key, models[(w + i) % models.length], `Window ${w}, request ${i}: tell me about verifiable bills.`, { stream: i === 1 });
        expect(result.status).toBe(200);
        if (result.logEntry) log.push(result.logEntry);
      }
      await new Promise((r) => setTimeout(r, (WINDOW_SECONDS + 1) * 1000));
    }
    await waitFor("every logged request billed", async () => (await billedTokens()) >= loggedTokens(), { ...POLL, timeoutMs: 240_000 });
  }

  let clean: BillVerdict;

  it("agrees with every bill it checks, request by request, in the command and the library", async () => {
    await useInWindows(5);
    clean = await verify();
    expect(clean.problems).toEqual([]);
    expect(clean.windows.map((w) => w.problems)).toEqual(clean.windows.map(() => []));
    expect(clean.ok).toBe(true);
    expect(clean.windows.length).toBeGreaterThanOrEqual(5);
    expect(clean.total.tokens).toBe(loggedTokens());
    expect(clean.total.recomputed).toBe(clean.total.charged);
    expect(clean.windows.reduce((n, w) => n + (w.requests?.requests ?? 0), 0)).toBe(log.length);
    for (const w of clean.windows) {
      expect(w.coston2Tx).toMatch(/^0x[0-9a-f]{64}$/);
      expect(w.flowTxs[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(w.reportUrl).toBe(`${stack.info.publisherUrl}/reports/${w.window}`);
    }

    const run = command("--network", "local", "--subscription", sub.toString(), "--client-log", logFile(), "--key-file", writeKeyFile());
    expect(run.stderr).not.toContain(customer.privateKey);
    expect(run.stdout).not.toContain(customer.privateKey);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("every bill checked agrees with the public record ✓");
    expect(run.stdout).toContain(`${log.length} billed requests checked against ${log.length} in your client log`);
  }, 600_000);

  function writeKeyFile(): string {
    const file = path.join(dir, "customer.json");
    fs.writeFileSync(file, JSON.stringify(customer), { mode: 0o600 });
    return file;
  }

  const problemsOf = (verdict: BillVerdict, window: bigint) => verdict.windows.find((w) => w.window === window)?.problems ?? [];

  it("names each fault, with a non-zero exit", async () => {
    const [w1, w2, w3, w4, w5] = clean.windows.map((w) => w.window);
    const state = path.join(dir, "connector");

    // 1. A report modified after publication: the operator rewrites the file and its record.
    const files = publishedFiles(path.join(state, "published"), w1);
    const original = JSON.parse(fs.readFileSync(files.report, "utf8")) as { lines: { subscriptionId: string; family: string; tokens: string; requests: string; requestsRoot: string }[] };
    const altered: UsageLine[] = original.lines.map((l, i) => ({ subscriptionId: BigInt(l.subscriptionId), family: l.family, tokens: BigInt(l.tokens) + (i === 0 ? 1000n : 0n), requests: BigInt(l.requests), requestsRoot: l.requestsRoot }));
    const doc = reportDocument(w1, altered);
    fs.writeFileSync(files.report, serializeDocument(doc));
    const recordFile = path.join(state, "windows", `${w1}.json`);
    const record = JSON.parse(fs.readFileSync(recordFile, "utf8")) as { summary: Record<string, string> };
    fs.writeFileSync(recordFile, JSON.stringify({ ...record, summary: { digest: doc.digest, lineCount: doc.lineCount, totalTokens: doc.totalTokens } }));

    // 2. A report URL that no longer answers.
    fs.rmSync(publishedFiles(path.join(state, "published"), w2).report);

    // 3. A Coston2 digest that differs: the stored digest rewritten on the Hardhat node.
    const evm = new JsonRpcProvider(stack.info.hardhatUrl);
    const stored = (await sources().coston2.reports([w3])).get(w3);
    let slot: string | undefined;
    for (let p = 0; p < 32 && slot === undefined; p++) {
      const s = keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "uint256"], [w3, p]));
      if ((await evm.getStorage(stack.info.verifierAddress, s)).toLowerCase() === stored?.digest) slot = s;
    }
    expect(slot).toBeDefined();
    await evm.send("hardhat_setStorageAt", [stack.info.verifierAddress, slot, toBeHex(12345n, 32)]);

    // 4. A line charged at another price: an access node (or a contract) that reports another cost.
    const honest = flowBillSource(stack.info.flow);
    const lying: FlowBillSource = {
      ...honest,
      events: async (from, to, options) => {
        const e = await honest.events(from, to, options);
        return { ...e, charged: e.charged.map((c) => (c.window === w4 && c.subscriptionId === sub ? { ...c, cost: c.cost + 1000n, charged: c.charged + 1000n } : c)) };
      },
    };

    // 5. A request in the customer's log that was billed with other tokens.
    const leaves = await sources().leaves?.leaves(sub, w5, w5);
    const billedId = leaves?.[0]?.lines[0]?.requests[0]?.requestId;
    const entry = log.find((l) => l.id === billedId);
    expect(entry).toBeDefined();
    if (entry) entry.usage = { ...entry.usage, total_tokens: entry.usage.total_tokens - 7 };

    // 6. A request billed that the customer's log does not have: through the stand-in LiteLLM,
    // with the customer's key, never logged by their client.
    const tokensBefore = await billedTokens();
    const stray = await chat(stack.info.litellmUrl, key, "gpt-4", "A request the customer's client never logged.");
    expect(stray.status).toBe(200);
    await waitFor("the stray request billed", async () => (await billedTokens()) >= tokensBefore + BigInt(stray.totalTokens), { ...POLL, timeoutMs: 240_000 });
    const w6 = (await verifyBill(sources(), { subscriptionId: sub })).windows.at(-1)?.window as bigint;
    expect(w6).toBeGreaterThan(w5);

    // 7. A charge with no attestation behind it: the oracle quorum settles on Flow a window that
    // Flare never attested and Coston2 never verified (the connector is stopped first).
    await stack.processes.get("connector")?.kill();
    const flowState = await runScript(stack.info.flow, triggersGetState, {});
    const w7 = BigInt(String(flowState.lastSettledWindow)) + 1n;
    // FlareFDCTriggers compares with the block's time: blocks come only with transactions.
    await until("window w7 ended on Flow's clock", async () => {
      const [block] = (await (await fetch(`${stack.info.accessNode}/v1/blocks?height=sealed`)).json()) as { header: { timestamp: string } }[];
      if (BigInt(Math.floor(Date.parse(block.header.timestamp) / 1000)) >= (w7 + 1n) * BigInt(WINDOW_SECONDS)) return true;
      await createLocalAccount(stack.info.flow, "0.001");
      return undefined;
    }, { ...POLL, timeoutMs: 90_000 });
    const lines: UsageLine[] = [{ subscriptionId: sub, family: "gpt-4", tokens: 500n, requests: 1n, requestsRoot: requestsRoot([{ requestId: "chatcmpl-never-attested", tokens: 500n }]) }];
    const attestation = attestationFor({ chainId: 31337n, verifier: stack.info.verifierAddress }, w7, lines, 999n);
    const sigs = LOCAL_ORACLE_KEYS.slice(0, 2).map((k, i) => signAttestation(k, BigInt(i + 1), attestation));
    await settleOnFlow(stack.info.flow, serviceSigner(), w7, lines, { kind: "single", votingRound: 999n, chunkCount: 1n, signers: sigs.map((s) => s.oracleId), signatures: sigs.map((s) => s.signature), digest: attestation.digest }, 450, { onTransaction: () => undefined });

    const verdict = await verify(lying);
    expect(verdict.ok).toBe(false);
    expect(problemsOf(verdict, w1).join("\n")).toMatch(/report modified after publication: .*reports\/\d+ hashes to 0x[0-9a-f]{64}, but Flow settled 0x[0-9a-f]{64} and Coston2 stored/);
    expect(problemsOf(verdict, w2).join("\n")).toMatch(/report URL does not answer: .*reports\/\d+ answered HTTP 404/);
    expect(problemsOf(verdict, w3).join("\n")).toMatch(/Coston2 digest differs: UsageReportVerifier stored 0x0{60}3039 for window \d+, Flow settled 0x[0-9a-f]{64}/);
    expect(problemsOf(verdict, w4).join("\n")).toMatch(/line charged at another price: window \d+, family .*: priced [\d.]+ FLOW, but pricing version \d+ in force at the window's start gives [\d.]+ FLOW/);
    expect(problemsOf(verdict, w5).join("\n")).toMatch(new RegExp(`request billed with other tokens: "${billedId}" billed \\d+ tokens in window ${w5}, .*; your client log \\(line \\d+\\) says \\d+`));
    expect(problemsOf(verdict, w6).join("\n")).toMatch(/request billed that your client log does not have: "chatcmpl-[0-9a-f-]+" \(\d+ tokens\) in window \d+, gpt-4/);
    expect(problemsOf(verdict, w7).join("\n")).toMatch(/no attestation: UsageReportVerifier on Coston2 has no verified report for window \d+, yet Flow charged it/);
    // Each fault is named in its own window, and only there: the windows left alone still agree.
    const faulty = new Set([w1, w2, w3, w4, w5, w6, w7]);
    for (const w of verdict.windows) if (!faulty.has(w.window)) expect(w.problems).toEqual([]);

    // The command (honest access node) names every fault above but the price, and exits 1.
    const run = command("--subscription", sub.toString(), "--client-log", logFile(), "--key-file", writeKeyFile());
    expect(run.status, run.stderr).toBe(1);
    for (const text of ["report modified after publication", "report URL does not answer", "Coston2 digest differs", "request billed with other tokens", "request billed that your client log does not have", "no attestation"]) {
      expect(run.stdout).toContain(text);
    }
    expect(run.stdout).toMatch(/\d+ disagreement\(s\):/);
  }, 900_000);
});
