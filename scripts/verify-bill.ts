/**
 * `npm run verify-bill -- --subscription N [--network local|testnet] [--from <date>] [--json]
 *   [--client-log file.jsonl --key-file customer.json]`
 *
 * Recomputes a subscription's bill from public data (src/verify/bill.ts): the Flow access node,
 * the Coston2 RPC and the report publisher's public URL (which UsageReportVerifier pins). With a
 * client log, it also fetches the customer's request leaves from the key service, signed with
 * the customer's Flow key (read from --key-file; never printed), and checks them request by
 * request. Exit 0: every bill checked agrees; 1: a disagreement (named); 2: bad arguments or an
 * endpoint that cannot be reached.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { contractAddresses } from "../src/config/flow-json";
import { flowNetwork, liveRpcUrl } from "../src/config/networks";
import { readDeployment } from "../src/config/deployments";
import { repoRoot } from "../src/local/flow-binary";
import { codec, signUserMessage, type FlowContext, type KeySigner } from "../src/flow/runtime";
import { verifyBill, VerifyError, type VerifyArgs } from "../src/verify/bill";
import { parseClientLog, ClientLogError } from "../src/verify/client-log";
import { coston2BillSource } from "../src/verify/coston2-source";
import { flowBillSource } from "../src/verify/flow-source";
import { keyServiceLeavesSource } from "../src/verify/leaves-source";
import { nodePublisherSource } from "../src/verify/node-publisher-source";
import { verdictJson, verdictProblems, verdictTable } from "../src/verify/format";
import type { BillSources } from "../src/verify/sources";
import { FlareFlowError, formatError } from "../src/errors";

class UsageError extends FlareFlowError {
  override readonly name = "UsageError";
  override readonly docs = "README.md#verifiable-bills";
}

type Options = { subscription: bigint; network: "local" | "testnet"; from?: number; json: boolean; clientLog?: string; keyFile?: string; last?: number };

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`${name} needs a value`);
    return v;
  };
  const known = new Set(["--subscription", "--network", "--from", "--json", "--client-log", "--key-file", "--last"]);
  for (const a of argv) if (a.startsWith("--") && !known.has(a)) throw new UsageError(`unknown option ${a}`);
  const sub = value("--subscription");
  if (sub === undefined || !/^(0|[1-9][0-9]{0,19})$/.test(sub)) throw new UsageError("--subscription N is required (a subscription id)");
  const network = value("--network") ?? "local";
  if (network !== "local" && network !== "testnet") throw new UsageError(`--network is local or testnet, not ${network}`);
  const fromText = value("--from");
  const from = fromText === undefined ? undefined : Date.parse(fromText) / 1000;
  if (from !== undefined && !Number.isFinite(from)) throw new UsageError(`--from ${fromText} is not a date (e.g. 2026-03-01 or 2026-03-01T12:00Z)`);
  const lastText = value("--last");
  const last = lastText === undefined ? undefined : Number(lastText);
  if (last !== undefined && (!Number.isSafeInteger(last) || last < 1)) throw new UsageError("--last is a positive number of windows");
  const clientLog = value("--client-log");
  const keyFile = value("--key-file");
  if (clientLog !== undefined && keyFile === undefined) throw new UsageError("--client-log needs --key-file (the customer's Flow key signs the key service's challenge)");
  return { subscription: BigInt(sub), network, from, json: argv.includes("--json"), clientLog, keyFile, last };
}

type Endpoints = { flow: FlowContext; rpcUrl: string; verifier: string; keyServiceUrl?: string; maxLogBlocks?: number };

function endpoints(network: Options["network"]): Endpoints {
  if (network === "local") {
    const file = process.env.FLAREFLOW_STACK_FILE ?? path.join(repoRoot(), ".flareflow/dev/stack.json");
    if (!fs.existsSync(file)) throw new UsageError(`no local stack: ${file} is missing (start one with npm run dev)`);
    const stack = JSON.parse(fs.readFileSync(file, "utf8")) as { flow: FlowContext; hardhatUrl: string; verifierAddress: string; keyServiceUrl: string };
    return { flow: stack.flow, rpcUrl: stack.hardhatUrl, verifier: stack.verifierAddress, keyServiceUrl: stack.keyServiceUrl };
  }
  const verifier = process.env.FLAREFLOW_VERIFIER_ADDRESS ?? readDeployment("coston2").evm?.contracts.UsageReportVerifier?.address;
  if (!verifier) throw new UsageError("no UsageReportVerifier address for Coston2: set FLAREFLOW_VERIFIER_ADDRESS or deploy (deployments/coston2.json)");
  return {
    flow: { accessNode: flowNetwork("testnet").accessNode, addresses: contractAddresses("testnet") },
    rpcUrl: liveRpcUrl("coston2"),
    verifier,
    keyServiceUrl: process.env.FLAREFLOW_KEY_SERVICE_URL,
    // Coston2's public RPC answers eth_getLogs over at most 30 blocks.
    maxLogBlocks: Number(process.env.FLAREFLOW_COSTON2_LOG_BLOCKS ?? "30"),
  };
}

/** The customer's key file: {address, privateKey, keyIndex?, signatureAlgorithm?, hashAlgorithm?}. */
function readKeyFile(file: string): KeySigner {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<KeySigner>;
  if (typeof raw.privateKey !== "string" || !/^[0-9a-fA-F]{64}$/.test(raw.privateKey)) throw new UsageError(`${file}: privateKey must be 64 hex digits`);
  return {
    address: codec.normalizeAddress(raw.address, `${file} address`),
    privateKey: raw.privateKey,
    keyIndex: raw.keyIndex ?? 0,
    signatureAlgorithm: raw.signatureAlgorithm ?? "ECDSA_P256",
    hashAlgorithm: raw.hashAlgorithm ?? "SHA3_256",
  };
}

function progress(): VerifyArgs["onProgress"] {
  let last = 0;
  return (phase, done, total) => {
    if (done !== total && Date.now() - last < 1000) return;
    last = Date.now();
    process.stderr.write(`[verify-bill] ${phase}: ${done}/${total}\n`);
  };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const ends = endpoints(options.network);
  const onProgress = progress();
  const sources: BillSources = {
    flow: flowBillSource(ends.flow),
    coston2: coston2BillSource(ends.rpcUrl, ends.verifier, { maxLogBlocks: ends.maxLogBlocks, onProgress: (d, t) => onProgress?.("Coston2 logs", d, t) }),
    publisher: nodePublisherSource(),
  };
  let clientLog: VerifyArgs["clientLog"];
  if (options.clientLog !== undefined && options.keyFile !== undefined) {
    clientLog = parseClientLog(fs.readFileSync(options.clientLog, "utf8"));
    if (!ends.keyServiceUrl) throw new UsageError("no key service URL (FLAREFLOW_KEY_SERVICE_URL)");
    const signer = readKeyFile(options.keyFile);
    sources.leaves = keyServiceLeavesSource(ends.keyServiceUrl, async (hex) => signUserMessage(signer, hex));
  }
  const started = Date.now();
  const verdict = await verifyBill(sources, { subscriptionId: options.subscription, from: options.from, last: options.last, clientLog, onProgress });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (options.json) {
    console.log(verdictJson(verdict));
  } else {
    console.log(`Subscription ${verdict.subscriptionId}: ${verdict.windows.length} charged window(s) checked in ${seconds} s; reports from ${verdict.publisherBaseUrl}`);
    console.log(verdictTable(verdict));
    const problems = verdictProblems(verdict);
    if (clientLog !== undefined) console.log(`requests: ${verdict.windows.reduce((n, v) => n + (v.requests?.requests ?? 0), 0)} billed requests checked against ${clientLog.size} in your client log`);
    if (problems.length > 0) {
      console.log(`\n${problems.length} disagreement(s):`);
      for (const p of problems) console.log(`  ✗ ${p}`);
    } else {
      console.log("every bill checked agrees with the public record ✓");
    }
  }
  return verdict.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Bad arguments, an unknown subscription, an unreadable log, an endpoint that does not answer:
    // nothing was verified, which is not a disagreement.
    const known = error instanceof UsageError || error instanceof VerifyError || error instanceof ClientLogError;
    console.error(`verify-bill: ${known ? "" : "could not verify: "}${formatError(error)}`);
    process.exit(2);
  },
);
