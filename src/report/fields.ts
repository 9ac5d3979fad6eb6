/**
 * The rules of a report line's fields that need no hashing: a family name, a requestsRoot's
 * form, a request id. Apart from lines.ts and requests.ts (which load ethers) so that the key
 * service's wire contract can check a leaves answer on the page without them.
 */

const BYTES32_HEX = /^0x[0-9a-f]{64}$/;

/** Whether `root` is a requestsRoot as the report writes it: 0x and 64 lowercase hex digits. */
export function isRequestsRoot(root: unknown): root is string {
  return typeof root === "string" && BYTES32_HEX.test(root);
}

/** A family name fits a bytes32 with at least one zero byte after it: at most 31 bytes. */
export const MAX_FAMILY_BYTES = 31;

const PRINTABLE_ASCII_FIRST = 0x20;
const PRINTABLE_ASCII_LAST = 0x7e;

/** Whether `family` is a valid family name: printable ASCII (0x20–0x7E), at most 31 bytes. */
export function isValidFamily(family: string): boolean {
  if (family.length > MAX_FAMILY_BYTES) return false;
  for (let i = 0; i < family.length; i++) {
    const code = family.charCodeAt(i);
    if (code < PRINTABLE_ASCII_FIRST || code > PRINTABLE_ASCII_LAST) return false;
  }
  return true;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `requestId` may be a leaf's id: well-formed Unicode, since two lone surrogates encode to the same UTF-8 bytes (requests.ts). */
export function isWellFormedRequestId(requestId: string): boolean {
  return !LONE_SURROGATE.test(requestId);
}
