/** Shared helpers for the LiteLLM client/server tests. */
import { LiteLLMAdminClient, type LiteLLMClientOptions } from "../../src/litellm";
import type { Logger } from "../../src/log";
import { captureLog } from "../log-capture";
import { startLiteLLMServer, type LiteLLMServerHandle, type LiteLLMServerOptions } from "../../src/litellm-server";

export const MASTER = "sk-test-master-0123456789";
export const T0 = Date.parse("2026-03-01T12:00:00.000Z");

export interface Clock {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
}

export function fixedClock(start = T0): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}

export async function startServer(opts: Partial<LiteLLMServerOptions> = {}): Promise<LiteLLMServerHandle> {
  return startLiteLLMServer({ masterKey: MASTER, spendLogDelayMs: 0, ...opts });
}

/** The client's log at debug level, as the lines written. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  return captureLog("litellm-client", { level: "debug" });
}

export function clientFor(url: string, opts: Partial<LiteLLMClientOptions> = {}): LiteLLMAdminClient {
  return new LiteLLMAdminClient({
    env: { LITELLM_MASTER_KEY: MASTER },
    baseUrl: url,
    sleep: async () => undefined,
    ...opts,
  });
}

export interface ChatResult {
  status: number;
  body: Record<string, unknown>;
}

export async function chat(url: string, key: string, model: string, content: string): Promise<ChatResult> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content }] }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function errorOf(r: ChatResult): { message: string; type: string; code: string } {
  return r.body["error"] as { message: string; type: string; code: string };
}

export function usageOf(r: ChatResult): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return r.body["usage"] as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export const meta = (id: string) => ({ subscription_id: id, customer: "0xf8d6e0586b0a20c7", provider: "0x01cf0e2f2f715450" });
