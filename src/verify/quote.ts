/**
 * A request id as the verifier prints it. Ids come from LiteLLM's spend log, the key service and
 * the customer's own file, and any well-formed string is a valid id (request-leaves), so one could
 * carry terminal escape sequences or bidirectional overrides that would rewrite the verdict on the
 * customer's screen. Printed as a JSON string with every control and direction character escaped.
 */
const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function quoteId(id: string): string {
  return JSON.stringify(id).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
