/**
 * Deterministic fake completions and token counts. The same prompt always
 * yields the same reply and the same usage, so tests can predict sums.
 */
import { createHash } from "node:crypto";

/**
 * Token estimate close to BPE tokenizers for English: a word of up to four
 * characters is one token, longer words one per four characters, every
 * punctuation mark one token.
 */
export function countTextTokens(text: string): number {
  let tokens = 0;
  for (const piece of text.match(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/g) ?? []) {
    tokens += /^[A-Za-z0-9]+$/.test(piece) ? Math.ceil(piece.length / 4) : 1;
  }
  return tokens;
}

export interface ChatMessage {
  role: string;
  content: string;
}

/** OpenAI's chat accounting: 3 tokens per message, the content, and 3 to prime the reply. */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + 3 + countTextTokens(m.role) + countTextTokens(m.content), 3);
}

const WORDS = ["flare", "flow", "oracle", "usage", "escrow", "window", "digest", "token", "ledger", "proof", "relay", "bill"];

/** A reply derived from a hash of the conversation, optionally cut to maxTokens. */
export function fakeReply(model: string, messages: readonly ChatMessage[], maxTokens: number | null): string {
  const digest = createHash("sha256").update(model).update("\0").update(JSON.stringify(messages)).digest();
  const last = messages[messages.length - 1]?.content ?? "";
  const length = 4 + ((digest[0] ?? 0) % 12);
  const words: string[] = [];
  for (let i = 0; i < length; i++) words.push(WORDS[(digest[(i + 1) % digest.length] ?? 0) % WORDS.length] ?? "flow");
  let reply = `Local reply to ${countTextTokens(last)}-token prompt: ${words.join(" ")}.`;
  if (maxTokens !== null) {
    while (reply.length > 0 && countTextTokens(reply) > maxTokens) reply = reply.split(" ").slice(0, -1).join(" ");
  }
  return reply;
}
