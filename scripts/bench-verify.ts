/**
 * Verifying a month of one subscription's bills: 8,640 five-minute windows, each settled on Flow
 * under an oracle quorum, its summary proved on Coston2 through the FDC harness, its report
 * served by the publisher, all on a local stack this script starts (src/local/stack.ts). Then
 * verifyBill (src/verify/bill.ts, what `npm run verify-bill` runs) checks them all, timed, beside
 * the same checks one request at a time. Figure to beat (DESIGN.md): under a minute.
 *
 *   npx ts-node --transpile-only scripts/bench-verify.ts [--windows 8640]
 *
 * Setup (not timed): the windows are the last 8,640 ended 5-minute windows; each report has the
 * subscription's line and one line of an unknown subscription (so Flow emits events for others
 * too). Flow settles them in batches of reports per transaction (a test-only transaction calling
 * submitReport for each); Coston2 gets one proof per window, all in one voting round's tree.
 */
import * as fs from "node:fs";
import { Session } from "node:inspector/promises";
import * as os from "node:os";
import * as path from "node:path";
import { JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { subscriptionApi } from "../src/api/subscriptions";
import { LOCAL_ORACLE_KEYS } from "../src/config/local-oracles";
import { leavesFile, windowLeaves } from "../src/connector/leaves";
import { publishedFiles } from "../src/connector/publish";
import { reportDocument, serializeDocument, summaryDocument } from "../src/connector/report-doc";
import { FlareContractRegistryStandIn__factory, RelayStandIn__factory, UsageReportVerifier__factory } from "../src/evm/typechain";
import { buildRoundProofs, reportRequestSpec, web2JsonResponse, FDC_PROTOCOL_ID, type Web2JsonProof } from "../src/fdc";
import { FLARE_CONTRACT_REGISTRY_ADDRESS } from "../src/fdc/harness";
import { HARDHAT_DEV_KEYS } from "../src/flare-local";
import { keyAuthorization, sendTransaction, TransactionError } from "../src/flow/runtime";
import { triggersTestingSubmitReports } from "../test/flow-generated/transactions";
import { createLocalAccount, serviceSigner } from "../src/local/accounts";
import { sealedHeight } from "../src/local/customer";
import { freePorts, LocalStack } from "../src/local/stack";
import { attestationFor, encodeSummary, requestsRootOf, signAttestation, summarize, summaryUrl, Windows, type LineRequests, type UsageLine } from "../src/report";
import { HARDHAT_CHAIN_ID, LIVE_WINDOW_SECONDS } from "../src/config/networks";
import { verifyBill } from "../src/verify/bill";
import { coston2BillSource } from "../src/verify/coston2-source";
import { flowBillSource } from "../src/verify/flow-source";
import { nodePublisherSource } from "../src/verify/node-publisher-source";
import { BenchError, runMain } from "./errors";

const WINDOWS = new Windows(LIVE_WINDOW_SECONDS);
/** Far above any round the Flare stand-in reaches while this runs. */
const ROUND = 4_000_000_000n;
const FAMILIES = ["gpt-4", "claude", "gpt-3.5", "llama"];

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const started = Date.now();
/** Progress on stderr, with the seconds since the start: the setup of a month takes minutes. */
const say = (line: string) => process.stderr.write(`[bench-verify ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`);

function linesOf(sub: bigint, w: bigint, i: number): { lines: UsageLine[]; leaves: LineRequests[] } {
  const mine = { ids: [0, 1, 2].map((k) => `chatcmpl-bench-${w}-${k}`), tokens: [0, 1, 2].map((k) => 300 + ((i * 7 + k * 13) % 500)) };
  const other = { ids: [`chatcmpl-other-${w}`], tokens: [777] };
  const lines: UsageLine[] = [
    { subscriptionId: sub, family: FAMILIES[i % FAMILIES.length] as string, tokens: BigInt(mine.tokens.reduce((n, t) => n + t, 0)), requests: 3n, requestsRoot: requestsRootOf(mine) },
    { subscriptionId: 1_000_000n, family: "gpt-4", tokens: 777n, requests: 1n, requestsRoot: requestsRootOf(other) },
  ];
  return { lines, leaves: [mine, other] };
}

/**
 * Every proof to the verifier, fast: signed here with explicit nonces and fees, sent 500 at a time
 * in JSON-RPC batches while the node holds them in its mempool (automine off: it refuses a nonce
 * ahead of the next one while automining, and batch elements may arrive out of order), then mined
 * in as many blocks as they need. Sent one at a time, each waiting for its block, the month's
 * setup took 13 minutes in all (its phases were not timed separately). Every receipt is checked.
 */
async function submitProofs(provider: JsonRpcProvider, relayer: Wallet, verifierAddress: string, proofs: readonly Web2JsonProof[]): Promise<void> {
  const verifier = UsageReportVerifier__factory.connect(verifierAddress, relayer);
  const [nonce, fee, { chainId }] = await Promise.all([provider.getTransactionCount(relayer.address, "pending"), provider.getFeeData(), provider.getNetwork()]);
  const hashes: string[] = [];
  await provider.send("evm_setAutomine", [false]);
  try {
    for (let i = 0; i < proofs.length; i += 500) {
      const part = proofs.slice(i, i + 500);
      const raws = await Promise.all(
        part.map(async (proof, k) =>
          relayer.signTransaction({
            ...(await verifier.submit.populateTransaction(proof)),
            nonce: nonce + i + k,
            gasLimit: 1_000_000,
            maxFeePerGas: fee.maxFeePerGas,
            maxPriorityFeePerGas: fee.maxPriorityFeePerGas,
            chainId,
            type: 2,
          }),
        ),
      );
      hashes.push(...(await Promise.all(raws.map((raw) => provider.send("eth_sendRawTransaction", [raw]) as Promise<string>))));
      say(`Coston2: ${hashes.length}/${proofs.length} proofs sent`);
    }
    while ((await provider.getTransactionReceipt(hashes[hashes.length - 1] as string)) === null) await provider.send("evm_mine", []);
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
  for (let i = 0; i < hashes.length; i += 100) {
    const receipts = await Promise.all(hashes.slice(i, i + 100).map((h) => provider.getTransactionReceipt(h)));
    const refused = receipts.findIndex((r) => r?.status !== 1);
    if (refused >= 0) throw new BenchError(`Coston2 refused the proof of window ${i + refused + 1} of ${hashes.length}`);
  }
  say(`Coston2: ${hashes.length} proofs verified`);
}

async function main(): Promise<void> {
  const count = Number(argValue("--windows", "8640"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-bench-verify-"));
  let failed = true;
  const stack = await LocalStack.start({ ports: await freePorts(), windowSeconds: WINDOWS.seconds, stateDir: dir, spendLogDelaySeconds: 1, web: false, log: () => undefined });
  try {
    say(`stack up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    const flow = stack.info.flow;
    const customer = await createLocalAccount(flow, "1000.0");
    const api = subscriptionApi({ ...flow, customer: keyAuthorization(customer), customerAddress: customer.address });
    const sub = (await api.createSubscriptionVault(stack.info.provider.address, "900.0", customer.address)).vaultId;
    const last = WINDOWS.of(Date.now()) - 2n;
    const windows = Array.from({ length: count }, (_, i) => last - BigInt(count - 1 - i));
    const reports = windows.map((w, i) => ({ w, ...linesOf(sub, w, i) }));

    // The publisher's files and the connector's records (what the publisher checks them against).
    const state = path.join(dir, "connector");
    for (const r of reports) {
      const doc = reportDocument(r.w, r.lines);
      // Setup files, not state to survive a crash: written without publishDocuments' fsyncs (two
      // per window, 17,280 of them), to the paths it writes.
      const published = publishedFiles(path.join(state, "published"), r.w);
      fs.mkdirSync(path.dirname(published.report), { recursive: true });
      fs.writeFileSync(published.report, serializeDocument(doc));
      fs.writeFileSync(published.summary, serializeDocument(summaryDocument(summarize(r.w, r.lines))));
      fs.mkdirSync(path.dirname(leavesFile(path.join(state, "work"), r.w)), { recursive: true });
      fs.writeFileSync(leavesFile(path.join(state, "work"), r.w), JSON.stringify(windowLeaves(r.w, r.lines, r.leaves)));
      fs.writeFileSync(path.join(state, "windows", `${r.w}.json`), JSON.stringify({ window: r.w.toString(), stage: "settled", updatedAt: "", summary: { digest: doc.digest, lineCount: doc.lineCount, totalTokens: doc.totalTokens }, rows: { count: 4, late: 0 } }));
    }
    say(`${count} reports published`);

    // Coston2: one voting round holding every window's attested summary, one proof per window.
    const provider = new JsonRpcProvider(stack.info.hardhatUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const owner = new NonceManager(new Wallet(HARDHAT_DEV_KEYS[0] as string, provider));
    const relayer = new Wallet(HARDHAT_DEV_KEYS[3] as string, provider);
    const spec = reportRequestSpec();
    const responses = reports.map((r) =>
      web2JsonResponse({
        votingRound: ROUND,
        requestBody: { url: summaryUrl(stack.info.publisherUrl, r.w), httpMethod: String(spec.httpMethod), headers: String(spec.headers), queryParams: String(spec.queryParams), body: String(spec.body), postProcessJq: String(spec.postProcessJq), abiSignature: String(spec.abiSignature) },
        responseBody: { abiEncodedData: encodeSummary(summarize(r.w, r.lines)) },
      }),
    );
    const round = buildRoundProofs(responses);
    const registry = FlareContractRegistryStandIn__factory.connect(FLARE_CONTRACT_REGISTRY_ADDRESS, provider);
    const relay = RelayStandIn__factory.connect(await registry.getContractAddressByName("Relay"), owner);
    await (await relay.setMerkleRoot(FDC_PROTOCOL_ID, ROUND, round.root)).wait();
    await submitProofs(provider, relayer, stack.info.verifierAddress, round.proofs);
    // Flow: each report under the oracle quorum, several reports per transaction.
    const signer = keyAuthorization(serviceSigner());
    let batch = 40;
    for (let i = 0; i < reports.length; ) {
      const part = reports.slice(i, i + batch);
      const sigs = part.map((r) => LOCAL_ORACLE_KEYS.slice(0, 2).map((k, j) => signAttestation(k, BigInt(j + 1), attestationFor({ chainId: BigInt(HARDHAT_CHAIN_ID), verifier: stack.info.verifierAddress }, r.w, r.lines, ROUND))));
      try {
        await sendTransaction(flow, triggersTestingSubmitReports, {
          windows: part.map((r) => r.w),
          votingRounds: part.map(() => ROUND),
          subscriptionIds: part.map((r) => r.lines.map((l) => l.subscriptionId)),
          families: part.map((r) => r.lines.map((l) => l.family)),
          tokens: part.map((r) => r.lines.map((l) => l.tokens)),
          requests: part.map((r) => r.lines.map((l) => l.requests)),
          requestRoots: part.map((r) => r.lines.map((l) => BigInt(l.requestsRoot))),
          signers: sigs.map((s) => s.map((x) => x.oracleId)),
          signatures: sigs.map((s) => s.map((x) => x.signature)),
        }, signer);
      } catch (error) {
        if (error instanceof TransactionError && /computation|limit/i.test(error.cadenceError) && batch > 1) {
          batch = Math.max(1, Math.floor(batch / 2));
          continue;
        }
        throw error;
      }
      i += part.length;
      if ((i / batch) % 25 === 0 || i === reports.length) say(`Flow: ${i}/${count} windows settled (${batch} per transaction)`);
    }
    const height = await sealedHeight(flow.accessNode);
    say(`setup done in ${((Date.now() - started) / 1000).toFixed(0)} s; Flow at height ${height}`);

    const sources = () => ({ flow: flowBillSource(flow), coston2: coston2BillSource(stack.info.hardhatUrl, stack.info.verifierAddress), publisher: nodePublisherSource() });
    // The verifier's own CPU beside the wall time: on a shared machine at load 8 the wall time is
    // mostly waiting for a core (the Flow emulator, Hardhat and the publisher run in other processes).
    const cpu: number[] = [];
    // FLAREFLOW_BENCH_VERIFY_PROFILE=<dir>: a V8 CPU profile of each timed verifyBill alone (not
    // the setup), for chrome://inspect or any .cpuprofile reader.
    const profileDir = process.env.FLAREFLOW_BENCH_VERIFY_PROFILE;
    const timed = async (concurrency: number) => {
      const session = profileDir ? new Session() : undefined;
      if (session) {
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
      }
      const t = performance.now();
      const c = process.cpuUsage();
      const verdict = await verifyBill(sources(), { subscriptionId: sub, concurrency });
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(c);
      if (session && profileDir) {
        const { profile } = await session.post("Profiler.stop");
        fs.mkdirSync(profileDir, { recursive: true });
        fs.writeFileSync(path.join(profileDir, `verify-${count}-c${concurrency}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
      cpu.push((used.user + used.system) / 1e6);
      if (!verdict.ok || verdict.windows.length !== count) throw new BenchError(`verification disagreed or missed windows: ${verdict.windows.length} of ${count}, ${verdict.windows.flatMap((w) => w.problems).slice(0, 3).join("; ")}`);
      return seconds;
    };
    const load = (os.loadavg()[0] ?? 0).toFixed(1);
    const ours = await timed(16);
    const sequential = await timed(1);
    const perWindow = (s: number) => ((s / count) * 1000).toFixed(2);
    console.log(`verify ${count.toLocaleString("en")} 5-minute windows for one subscription: ${ours.toFixed(1)} s (16 requests in flight), ${sequential.toFixed(1)} s one request at a time; ${height} Flow blocks read; load ${load}`);
    console.log(`per window: ${perWindow(ours)} ms (16 in flight), ${perWindow(sequential)} ms one at a time; a month (8,640) at that rate: ${((ours / count) * 8640).toFixed(1)} s`);
    console.log(`verifier CPU: ${(cpu[0] ?? 0).toFixed(1)} s (16 in flight), ${(cpu[1] ?? 0).toFixed(1)} s one at a time; ${perWindow(cpu[0] ?? 0)} ms per window`);
    console.log(`figure (a month in < 60 s): ${(ours / count) * 8640 < 60 ? "met" : "NOT met"}${count === 8640 ? "" : ` (extrapolated from ${count.toLocaleString("en")} windows)`}`);
    failed = false;
  } finally {
    await stack.stop();
    // A failed run keeps the stack's logs (hardhat-node.log, the emulator's): 40 minutes of setup
    // should not end in a message alone.
    if (failed) say(`logs kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

runMain("bench-verify", main);
