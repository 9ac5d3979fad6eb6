/** Streaming answers of /chat/completions (stream: true). */
/** The stream_options of a request: only include_usage matters here. */
export function includeUsage(body: Record<string, unknown>): boolean {
  const options = body["stream_options"];
  return typeof options === "object" && options !== null && (options as Record<string, unknown>)["include_usage"] === true;
}

/**
 * The OpenAI stream LiteLLM relays (litellm_core_utils/streaming_handler.py, proxy_server.py
 * `async_data_generator`): `chat.completion.chunk` events, the first delta carrying the role, the
 * last one the finish_reason, then, when stream_options.include_usage is set, one chunk with
 * `choices: []` and the usage, then `data: [DONE]`.
 */
export function streamEvents(id: string, created: number, model: string, reply: string, finish: string, usage: Record<string, number> | null): string[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ id, created, model, object: "chat.completion.chunk", system_fingerprint: null, choices, ...extra });
  const words = reply.split(/(?<= )/);
  const events = words.map((w, i) => chunk([{ index: 0, delta: i === 0 ? { role: "assistant", content: w } : { content: w }, finish_reason: null }]));
  events.push(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
  if (usage !== null) events.push(chunk([], { usage }));
  events.push("[DONE]");
  return events;
}
