/**
 * The customer's own record of their requests: JSON Lines, one OpenAI-compatible response per
 * line, as a client logs what the API returned: `id` (the chat completion's response id, which is
 * LiteLLM's spend-row request_id), `created` (unix seconds) and `usage.total_tokens`; any other
 * field is ignored. A streamed call is logged as its chunks' id and created with the usage of its
 * last chunk. Parsed as hostile input: a malformed line is an error naming its line number.
 */
import { quoteId } from "./quote";
import { FlareFlowError } from "../errors";

export type ClientLogEntry = { id: string; created: number; totalTokens: bigint; line: number };

export class ClientLogError extends FlareFlowError {
  override readonly name = "ClientLogError";
  override readonly docs = "README.md#verifiable-bills";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a client log (JSONL text); blank lines are skipped, a repeated id is refused. */
export function parseClientLog(text: string): Map<string, ClientLogEntry> {
  const entries = new Map<string, ClientLogEntry>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === "") continue;
    const where = `client log line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ClientLogError(`${where} is not JSON`);
    }
    if (!isRecord(value)) throw new ClientLogError(`${where} is not a JSON object`);
    const { id, created, usage } = value;
    if (typeof id !== "string" || id.length === 0) throw new ClientLogError(`${where} has no response id`);
    if (typeof created !== "number" || !Number.isSafeInteger(created) || created < 0) throw new ClientLogError(`${where} (${quoteId(id)}) has no created time`);
    const total = isRecord(usage) ? usage.total_tokens : undefined;
    if (typeof total !== "number" || !Number.isSafeInteger(total) || total < 0) throw new ClientLogError(`${where} (${quoteId(id)}) has no usage.total_tokens`);
    if (entries.has(id)) throw new ClientLogError(`${where} repeats response id ${quoteId(id)} (line ${entries.get(id)?.line})`);
    entries.set(id, { id, created, totalTokens: BigInt(total), line: i + 1 });
  }
  return entries;
}
