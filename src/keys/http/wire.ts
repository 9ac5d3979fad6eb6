/**
 * The key service's request and answer shapes that its clients share: the server (routes.ts),
 * the page (web/src/services/keyService.ts) and the local customer (src/local/customer.ts).
 * Types only, so the page's bundle gets none of the service's code.
 */

/** What a proof is for: each action needs its own single-use challenge. */
export type ProofAction = "reveal" | "usage" | "rotate";

/** A signature of FCL's currentUser.signUserMessage (a composite signature). */
export interface CompositeSignature {
  addr: string;
  keyId: number;
  signature: string;
}

/** The answer of POST /v1/challenge {subscriptionId, action}. */
export interface ChallengeAnswer {
  subscriptionId: string;
  action: ProofAction;
  nonce: string;
  /** The text the wallet signs, and the same as hex (what signUserMessage takes). */
  message: string;
  messageHex: string;
  /** ISO time after which the nonce is refused. */
  expiresAt: string;
}

/** The body of a proven request (reveal, rotate, usage): the nonce and its signatures. */
export interface ProvenRequest {
  subscriptionId: string;
  nonce: string;
  signatures: CompositeSignature[];
}
