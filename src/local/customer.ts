import { signUserMessage, type FlowContext, type KeySigner } from "../flow/runtime";
import { blockHeader, contractEvents } from "../flow/runtime/events";
import { FlareFDCTriggers_SubscriptionCharged, type FlareFDCTriggers_SubscriptionCharged as Charged } from "../flow/generated/types";
import * as keyService from "../keys/http/actions";
import { FlareFlowError, messageOf } from "../errors";
import type { UsageAnswer } from "../keys/http/wire";
import { LocalStackError } from "./errors";

/**
 * What a customer does outside the page, as a script or a test does it: prove the account to
 * the key service with a user signature, fetch the key and pending usage, call the LLM.
 */

/** The key service's client for a customer who signs with a local key (what FCL's signUserMessage produces). */
export function customerKeyService(keyServiceUrl: string, customer: KeySigner): keyService.KeyServiceClient {
  return keyService.keyServiceClient(keyServiceUrl, (messageHex) => signUserMessage(customer, messageHex));
}

/** Refusals that mean "not issued yet": the subscription is new to the service, or its key is on its way. */
const NOT_YET = new Set(["key_pending", "unknown_subscription", "no_key"]);

/** The subscription's plaintext key, once the key service has issued it (polls while pending). */
export async function revealKey(keyServiceUrl: string, customer: KeySigner, subscriptionId: bigint, timeoutMs = 60_000): Promise<string> {
  const client = customerKeyService(keyServiceUrl, customer);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await keyService.revealKey(client, { subscriptionId })).key;
    } catch (error) {
      const pending = error instanceof keyService.KeyServiceError && error.code !== undefined && NOT_YET.has(error.code);
      if (!pending || Date.now() > deadline) throw new FlareFlowError(`no key for subscription ${subscriptionId}: ${messageOf(error)}`, { cause: error });
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Pending usage (LiteLLM's live view) in the seed's getKeyUsage shape, with the live limit's figures. */
export function pendingUsage(keyServiceUrl: string, customer: KeySigner, subscriptionId: bigint): Promise<UsageAnswer> {
  return keyService.getUsage(customerKeyService(keyServiceUrl, customer), { subscriptionId });
}

export interface ChatResult {
  status: number;
  totalTokens: number;
  errorType?: string;
  /** What an OpenAI-compatible client logs of a successful call: its response id, time and usage. */
  logEntry?: ClientLogLine;
}

/** One line of a customer's client log (src/verify/client-log.ts reads it). */
export interface ClientLogLine {
  id: string;
  created: number;
  model: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/**
 * One OpenAI-compatible chat completion through LiteLLM with the customer's key. With
 * `stream: true` the answer comes as Server-Sent Events with `stream_options.include_usage`,
 * and the tokens are read from the usage in the last chunk.
 */
export async function chat(litellmUrl: string, key: string, model: string, prompt: string, options: { stream?: boolean } = {}): Promise<ChatResult> {
  const stream = options.stream === true;
  const response = await fetch(`${litellmUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: "user", content: prompt }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) }),
  });
  if (stream && response.status === 200) {
    const logEntry = streamedEntry(await response.text());
    return { status: 200, totalTokens: logEntry.usage.total_tokens, logEntry };
  }
  const body = (await response.json()) as Partial<ClientLogLine> & { error?: { type?: string } };
  const logEntry =
    response.status === 200 && typeof body.id === "string" && typeof body.created === "number" && body.usage !== undefined
      ? { id: body.id, created: body.created, model: String(body.model), usage: body.usage }
      : undefined;
  return { status: response.status, totalTokens: body.usage?.total_tokens ?? 0, errorType: body.error?.type, logEntry };
}

/** A streamed answer as a client logs it: the chunks' id and time, the usage of its last chunk before `[DONE]`. */
function streamedEntry(sse: string): ClientLogLine {
  const events = sse.split("\n\n").filter((e) => e.startsWith("data: ")).map((e) => e.slice("data: ".length));
  if (events.at(-1) !== "[DONE]") throw new LocalStackError("stream did not end with data: [DONE]");
  const last = JSON.parse(events.at(-2) ?? "{}") as Partial<ClientLogLine>;
  if (typeof last.usage?.total_tokens !== "number") throw new LocalStackError("stream carried no usage in its last chunk");
  if (typeof last.id !== "string" || typeof last.created !== "number") throw new LocalStackError("stream chunk carried no id or created time");
  return { id: last.id, created: last.created, model: String(last.model), usage: last.usage };
}

const fail = (message: string, options?: { cause?: unknown }) => new FlareFlowError(message, options);

/** SubscriptionCharged events (what Flow billed, per window and family) in [start, end], through the one event reader. */
export async function chargedEvents(flow: FlowContext, start: number, end: number): Promise<Charged[]> {
  const address = flow.addresses.FlareFDCTriggers?.replace(/^0x/, "");
  if (!address) throw fail("no FlareFDCTriggers address in the Flow context");
  const events = await contractEvents(flow.accessNode, [`A.${address}.FlareFDCTriggers.SubscriptionCharged`], start, end, fail);
  return events.map((e) => FlareFDCTriggers_SubscriptionCharged.decode(e.data as never, "SubscriptionCharged"));
}

/** The latest sealed block height. */
export async function sealedHeight(accessNode: string): Promise<number> {
  return (await blockHeader(accessNode, "height=sealed", fail)).height;
}
