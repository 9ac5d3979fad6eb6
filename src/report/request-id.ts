/**
 * Which strings a request leaf may carry as its id (requests.ts says why). Apart from the hashing
 * so that the key service's wire contract can check a leaves answer without loading ethers into
 * the page.
 */

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `requestId` is well-formed Unicode: two lone surrogates encode to the same UTF-8 bytes. */
export function isWellFormedRequestId(requestId: string): boolean {
  return !LONE_SURROGATE.test(requestId);
}
