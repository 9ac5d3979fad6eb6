import { ConnectorError, messageOf } from "./errors";

/** POSTs JSON and parses a JSON answer; network failures become "unreachable" errors naming `what`. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  what: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ConnectorError("unreachable", `${what} at ${url} is unreachable: ${messageOf(error)}`, { cause: error });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new ConnectorError("integrity", `${what} at ${url} answered HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConnectorError("integrity", `${what} at ${url} answered HTTP ${res.status} with JSON that is not an object`);
  }
  return { status: res.status, body: parsed as Record<string, unknown> };
}
