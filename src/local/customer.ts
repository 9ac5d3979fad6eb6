import * as fcl from "@onflow/fcl";
import { signUserMessage, type FlowContext, type KeySigner } from "../flow/runtime";
import { FlareFDCTriggers_SubscriptionCharged, type FlareFDCTriggers_SubscriptionCharged as Charged } from "../flow/generated/types";
import * as z from "zod/mini";
import { ChallengeAnswer, ErrorAnswer, KeyAnswer, UsageAnswer, wireIssue, type ProofAction } from "../keys/http/wire";

/**
 * What a customer does outside the page, as a script or a test does it: prove the account to
 * the key service with a user signature, fetch the key and pending usage, call the LLM.
 */

/** A key service answer: its body as the route's schema reads it (200), or its refusal. */
export type KeyServiceAnswer<T> = { status: 200; body: T; error?: undefined } | { status: number; body?: undefined; error: ErrorAnswer["error"] };

/** Parsed by the wire's schemas (src/keys/http/wire.ts): a malformed answer throws, naming the field. */
async function keyServiceCall<T>(base: string, route: string, body: unknown, answer: z.ZodMiniType<T>): Promise<KeyServiceAnswer<T>> {
  const response = await fetch(`${base}${route}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`key service ${route} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  const parsed = response.status === 200 ? z.safeParse(answer, json) : z.safeParse(ErrorAnswer, json);
  if (!parsed.success) throw new Error(`key service ${route} answered ${response.status} with a malformed body: ${wireIssue(parsed.error, "the answer")}`);
  return response.status === 200 ? { status: 200, body: parsed.data as T } : { status: response.status, error: (parsed.data as ErrorAnswer).error };
}

/** A wallet-signed request to the key service (challenge, sign, call). */
export async function provenCall<T>(
  keyServiceUrl: string,
  customer: KeySigner,
  subscriptionId: bigint,
  action: ProofAction,
  route: string,
  answer: z.ZodMiniType<T>,
  extra: Record<string, unknown> = {},
): Promise<KeyServiceAnswer<T>> {
  const challenge = await keyServiceCall(keyServiceUrl, "/v1/challenge", { subscriptionId: subscriptionId.toString(), action }, ChallengeAnswer);
  if (challenge.error !== undefined) return challenge;
  return keyServiceCall(keyServiceUrl, route, {
    subscriptionId: subscriptionId.toString(),
    nonce: challenge.body.nonce,
    signatures: signUserMessage(customer, challenge.body.messageHex),
    ...extra,
  }, answer);
}

/** The subscription's plaintext key, once the key service has issued it (polls while pending). */
export async function revealKey(keyServiceUrl: string, customer: KeySigner, subscriptionId: bigint, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await provenCall(keyServiceUrl, customer, subscriptionId, "reveal", "/v1/keys/reveal", KeyAnswer);
    if (answer.error === undefined) return answer.body.key;
    const code = answer.error.code;
    if ((code !== "key_pending" && code !== "unknown_subscription" && code !== "no_key") || Date.now() > deadline) {
      throw new Error(`no key for subscription ${subscriptionId}: ${answer.error.message}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Pending usage (LiteLLM's live view) in the seed's getKeyUsage shape, with the live limit's figures. */
export async function pendingUsage(keyServiceUrl: string, customer: KeySigner, subscriptionId: bigint): Promise<UsageAnswer> {
  const answer = await provenCall(keyServiceUrl, customer, subscriptionId, "usage", "/v1/usage", UsageAnswer);
  if (answer.error !== undefined) throw new Error(`pending usage: ${answer.error.message}`);
  return answer.body;
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
  if (events.at(-1) !== "[DONE]") throw new Error("stream did not end with data: [DONE]");
  const last = JSON.parse(events.at(-2) ?? "{}") as Partial<ClientLogLine>;
  if (typeof last.usage?.total_tokens !== "number") throw new Error("stream carried no usage in its last chunk");
  if (typeof last.id !== "string" || typeof last.created !== "number") throw new Error("stream chunk carried no id or created time");
  return { id: last.id, created: last.created, model: String(last.model), usage: last.usage };
}

/** SubscriptionCharged events (what Flow billed, per window and family) in [start, end]. */
export async function chargedEvents(flow: FlowContext, start: number, end: number): Promise<Charged[]> {
  fcl.config().put("accessNode.api", flow.accessNode);
  const address = flow.addresses.FlareFDCTriggers?.replace(/^0x/, "");
  if (!address) throw new Error("no FlareFDCTriggers address");
  const out: Charged[] = [];
  const step = 200;
  for (let from = start; from <= end; from += step) {
    const to = Math.min(end, from + step - 1);
    const raw = await fcl.decode(await fcl.send([fcl.getEventsAtBlockHeightRange(`A.${address}.FlareFDCTriggers.SubscriptionCharged`, from, to)]));
    if (!Array.isArray(raw)) throw new Error("access node returned no event list");
    for (const e of raw as { data?: unknown }[]) out.push(FlareFDCTriggers_SubscriptionCharged.decode(e.data as never, "SubscriptionCharged"));
  }
  return out;
}

/** The latest sealed block height. */
export async function sealedHeight(accessNode: string): Promise<number> {
  const blocks = (await (await fetch(`${accessNode}/v1/blocks?height=sealed`)).json()) as { header?: { height?: string } }[];
  return Number(blocks[0]?.header?.height ?? 0);
}
