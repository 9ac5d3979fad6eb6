/**
 * Single-use, expiring challenges for wallet proofs. A challenge names the
 * subscription and the action it authorises, so a signature obtained for one
 * cannot be spent on another. Challenges live in memory only: a restart voids
 * them, which costs a customer one more signature and never a replay.
 */
import { randomBytes } from "node:crypto";

export const ACTIONS = ["reveal", "usage", "rotate"] as const;
export type ProofAction = (typeof ACTIONS)[number];

export interface Challenge {
  nonce: string;
  subscriptionId: string;
  action: ProofAction;
  expiresAt: number;
  /** The exact text the wallet signs (as hex of its UTF-8 bytes). */
  message: string;
}

export class ChallengeError extends Error {
  override readonly name = "ChallengeError";
  constructor(
    message: string,
    readonly reason: "unknown" | "expired" | "mismatch",
  ) {
    super(message);
  }
}

export class ChallengeStore {
  private readonly open = new Map<string, Challenge>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Names the service in the signed text, so a signature for another service is useless here. */
    private readonly serviceName: string,
    /** Bounds memory against a flood of challenge requests. */
    private readonly maxOpen = 10_000,
  ) {}

  issue(subscriptionId: string, action: ProofAction): Challenge {
    this.sweep();
    if (this.open.size >= this.maxOpen) throw new ChallengeError("too many open challenges; try again shortly", "unknown");
    const nonce = randomBytes(32).toString("hex");
    const expiresAt = this.now() + this.ttlMs;
    const message = [
      `FlareFlow key service (${this.serviceName})`,
      `Action: ${action}`,
      `Subscription: ${subscriptionId}`,
      `Nonce: ${nonce}`,
      `Expires: ${new Date(expiresAt).toISOString()}`,
    ].join("\n");
    const challenge: Challenge = { nonce, subscriptionId, action, expiresAt, message };
    this.open.set(nonce, challenge);
    return challenge;
  }

  /**
   * Takes the challenge out for good, whatever happens next: a failed proof
   * burns it too, so each nonce gets exactly one verification attempt.
   */
  consume(nonce: string, subscriptionId: string, action: ProofAction): Challenge {
    const challenge = this.open.get(nonce);
    this.open.delete(nonce);
    if (challenge === undefined) throw new ChallengeError("nonce unknown or already used; request a new challenge", "unknown");
    if (this.now() > challenge.expiresAt) throw new ChallengeError("nonce expired; request a new challenge", "expired");
    if (challenge.subscriptionId !== subscriptionId || challenge.action !== action) {
      throw new ChallengeError(`nonce was issued for ${challenge.action} of subscription ${challenge.subscriptionId}`, "mismatch");
    }
    return challenge;
  }

  private sweep(): void {
    const t = this.now();
    for (const [nonce, c] of this.open) if (t > c.expiresAt) this.open.delete(nonce);
  }
}

export function messageHex(challenge: Challenge): string {
  return Buffer.from(challenge.message, "utf8").toString("hex");
}
