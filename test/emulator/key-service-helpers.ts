/**
 * Shared setup of the key-service tests: one emulator with the contracts, the
 * local LiteLLM server, provider and customer accounts, a log capture, and the
 * customer's side of the wallet proof (what FCL's signUserMessage produces).
 */
import { vi } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { p256 } from "@noble/curves/p256";
import { bytesToHex } from "@noble/hashes/utils";
import { FlowEmulator } from "../../src/local/emulator";
import { flowNetwork } from "../../src/config/networks";
import { deployFlow } from "../../src/deploy/flow-deploy";
import type { ProofAction } from "../../src/keys/http/wire";
import { flowSigner } from "../../src/deploy/flow-signer";
import { contractAddresses } from "../../src/config/flow-json";
import { createLocalAccount } from "../../src/local/accounts";
import { keyAuthorization, sendTransaction, signFlowMessage, type FlowContext, type KeySigner, signUserMessage } from "../../src/flow/runtime";
import { subscriptionsCreateSubscription } from "../../src/flow/generated/transactions";
import { LiteLLMAdminClient } from "../../src/litellm";
import { startLiteLLMServer, type LiteLLMServerHandle } from "../../src/litellm-server";
import { KeyService, type KeyServiceOptions } from "../../src/keys";
import { createLogger, type Logger } from "../../src/log";
import { FlowEventSource } from "../../src/keys/events";
import { freePort } from "../../src/local/ports";

export const MASTER_KEY = `sk-master-${randomBytes(8).toString("hex")}`;
export const SPEND_LOG_DELAY_MS = 200;

/** Every line any component of the run logged. */
export const logLines: string[] = [];

/** A logger of src/log.ts writing its (JSON) lines into logLines. */
export function loggerIntoLines(service: string, level: "debug" | "info" = "info"): Logger {
  return createLogger(service, { level, destination: { write: (line: string) => void logLines.push(line.trimEnd()) } });
}

/** The level of a line a loggerIntoLines logger wrote; undefined for any other line. */
export function levelOf(line: string): string | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === "string" ? level : undefined;
  } catch {
    return undefined;
  }
}

/** Routes console output (FCL, the emulator harness, anything) into logLines too. */
export function captureConsole(): void {
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" "));
    });
  }
}

export interface Stack {
  emulator: FlowEmulator;
  ctx: FlowContext;
  dir: string;
  provider: KeySigner;
  litellm: LiteLLMServerHandle;
  litellmPort: number;
  litellmStateFile: string;
  /** Successful /key/generate calls seen by the LiteLLM server. */
  generated: () => number;
  client: LiteLLMAdminClient;
  startLiteLLM(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const emulator = await FlowEmulator.start({ onLog: (l) => logLines.push(l) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-keys-"));
  await deployFlow({
    network: flowNetwork("emulator"),
    accessNode: emulator.restUrl,
    signer: flowSigner(flowNetwork("emulator")),
    yes: false,
    log: (l) => logLines.push(l),
    deploymentsDir: path.join(dir, "deployments"),
  });
  const ctx: FlowContext = { accessNode: emulator.restUrl, addresses: contractAddresses("emulator", "0xf8d6e0586b0a20c7") };
  const provider = await createLocalAccount(ctx, "10.0");
  let generated = 0;
  const litellmPort = await freePort();
  const litellmStateFile = path.join(dir, "litellm-state.json");
  const stack: Stack = {
    emulator,
    ctx,
    dir,
    provider,
    litellm: undefined as unknown as LiteLLMServerHandle,
    litellmPort,
    litellmStateFile,
    generated: () => generated,
    client: new LiteLLMAdminClient({
      env: { LITELLM_MASTER_KEY: MASTER_KEY },
      baseUrl: `http://127.0.0.1:${litellmPort}`,
      retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 },
      logger: loggerIntoLines("litellm-client", "debug"),
    }),
    async startLiteLLM() {
      stack.litellm = await startLiteLLMServer({
        port: litellmPort,
        masterKey: MASTER_KEY,
        spendLogDelayMs: SPEND_LOG_DELAY_MS,
        stateFile: litellmStateFile,
        onRequest: (method, p, status) => {
          logLines.push(`litellm ${method} ${p} ${status}`);
          if (method === "POST" && p === "/key/generate" && status === 200) generated += 1;
        },
      });
    },
    async stop() {
      await stack.litellm?.stop();
      await emulator.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await stack.startLiteLLM();
  return stack;
}

export const ENCRYPTION_KEY = randomBytes(32);

export async function startService(stack: Stack, overrides: Partial<KeyServiceOptions> = {}): Promise<KeyService> {
  return KeyService.start({
    flow: stack.ctx,
    provider: stack.provider,
    litellm: stack.client,
    encryptionKey: ENCRYPTION_KEY,
    stateDir: path.join(stack.dir, "key-service"),
    startHeight: 0,
    http: { port: 0 },
    pollIntervalMs: 150,
    retryDelayMs: 150,
    maxRetryDelayMs: 600,
    logger: loggerIntoLines("key-service"),
    ...overrides,
  });
}

export async function createSub(
  stack: Stack,
  customer: KeySigner,
  options: { models?: string[] | null; cap?: string | null; deposit?: string } = {},
): Promise<string> {
  const sealed = await sendTransaction(
    stack.ctx,
    subscriptionsCreateSubscription,
    {
      provider: stack.provider.address,
      deposit: options.deposit ?? "10.0",
      maxBudgetPerPeriod: options.cap === undefined ? "5.0" : options.cap,
      allowedModels: options.models === undefined ? ["gpt-4", "gpt-3.5-turbo"] : options.models,
    },
    keyAuthorization(customer),
  );
  const created = sealed.events.find((e) => e.type.endsWith(".SimpleUsageSubscriptions.SubscriptionCreated"));
  const id = (created?.data as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string") throw new Error("no SubscriptionCreated event");
  return id;
}

export async function newCustomer(stack: Stack): Promise<KeySigner> {
  return createLocalAccount(stack.ctx, "100.0");
}

export { signUserMessage };

/** A signer claiming `address` but holding a key the account never had. */
export function forger(address: string): KeySigner {
  return {
    address,
    keyIndex: 0,
    privateKey: bytesToHex(p256.utils.randomPrivateKey()),
    signatureAlgorithm: "ECDSA_P256",
    hashAlgorithm: "SHA3_256",
  };
}

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function post(service: KeyService, route: string, body: unknown): Promise<ApiAnswer> {
  const res = await fetch(`${service.url}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function challenge(service: KeyService, subscriptionId: string, action: string): Promise<{ nonce: string; messageHex: string }> {
  const r = await post(service, "/v1/challenge", { subscriptionId, action });
  if (r.status !== 200) throw new Error(`challenge failed: ${JSON.stringify(r.body)}`);
  return { nonce: String(r.body["nonce"]), messageHex: String(r.body["messageHex"]) };
}

/** Challenge, sign as `signer`, send: the whole customer-side flow. */
export async function proven(
  service: KeyService,
  signer: KeySigner,
  subscriptionId: string,
  action: ProofAction,
  extra: Record<string, unknown> = {},
): Promise<ApiAnswer> {
  const c = await challenge(service, subscriptionId, action);
  const route = action === "usage" ? "/v1/usage" : `/v1/keys/${action}`;
  return post(service, route, { subscriptionId, nonce: c.nonce, signatures: signUserMessage(signer, c.messageHex), ...extra });
}

export async function chat(stack: Stack, key: string, model = "gpt-4"): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${stack.litellmPort}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello from the key-service test" }] }),
  });
  await res.text();
  return res.status;
}

/** KeyIssued and KeyRotated events on chain, per subscription id, and the transactions that emitted them. */
export async function keyEventsOnFlow(stack: Stack): Promise<{ issued: Map<string, number>; rotated: Map<string, number>; transactions: Set<string> }> {
  const source = new FlowEventSource(stack.ctx);
  const head = await source.sealedHeight();
  const issued = new Map<string, number>();
  const rotated = new Map<string, number>();
  const transactions = new Set<string>();
  for (const e of await source.range(0, head, ["KeyIssued", "KeyRotated"])) {
    const m = e.name === "KeyIssued" ? issued : rotated;
    const id = e.data.id.toString();
    m.set(id, (m.get(id) ?? 0) + 1);
    transactions.add(e.transactionId);
  }
  return { issued, rotated, transactions };
}

export function attached(service: KeyService, id: string): boolean {
  const rec = service.record(id);
  const cur = rec?.keys[rec.keys.length - 1];
  return cur !== undefined && cur.litellm === "live" && cur.flow === "attached" && !service.health().pending.includes(id);
}
