/**
 * Single-use, expiring challenges for wallet proofs. A challenge names the
 * subscription and the action it authorises, so a signature obtained for one
 * cannot be spent on another. Challenges live in memory only: a restart voids
 * them, which costs a customer one more signature and never a replay.
 *
 * Anyone may ask for a challenge, so the table is bounded three ways: per
 * client and subscription (a page needs one or two at a time), per client
 * (one address cannot fill the table), and in total (memory). A full bucket is
 * answered with the seconds until its oldest challenge expires; a flood from
 * one client fills only that client's buckets, never another customer's.
 */
import { randomBytes } from "node:crypto";
import type { ProofAction } from "./wire";
import { FlareFlowError } from "../../errors";


export interface Challenge {
  nonce: string;
  subscriptionId: string;
  action: ProofAction;
  expiresAt: number;
  /** The exact text the wallet signs (as hex of its UTF-8 bytes). */
  message: string;
}

export class ChallengeError extends FlareFlowError {
  override readonly name = "ChallengeError";
  override readonly docs = "README.md#services";
  constructor(
    message: string,
    readonly reason: "unknown" | "expired" | "mismatch",
  ) {
    super(message);
  }
}

/** A bucket of the challenge table is full; try again after `retryAfterSeconds`. */
export class ChallengeLimitError extends FlareFlowError {
  override readonly name = "ChallengeLimitError";
  override readonly docs = "README.md#services";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface ChallengeLimits {
  /** Open challenges one client may hold for one subscription. */
  perSubscriptionClient: number;
  /** Open challenges one client may hold in all. */
  perClient: number;
  /** Open challenges in all (bounds memory: about 1 KB each). */
  total: number;
}

export const DEFAULT_CHALLENGE_LIMITS: ChallengeLimits = { perSubscriptionClient: 8, perClient: 32, total: 50_000 };

interface OpenChallenge extends Challenge {
  client: string;
}

function shown(c: OpenChallenge): Challenge {
  return { nonce: c.nonce, subscriptionId: c.subscriptionId, action: c.action, expiresAt: c.expiresAt, message: c.message };
}

/** Buckets of nonces in insertion order, which is expiry order (one TTL for all). */
class Buckets {
  private readonly map = new Map<string, Set<string>>();

  size(key: string): number {
    return this.map.get(key)?.size ?? 0;
  }

  oldest(key: string): string | undefined {
    return this.map.get(key)?.values().next().value;
  }

  add(key: string, nonce: string): void {
    const set = this.map.get(key) ?? new Set<string>();
    set.add(nonce);
    this.map.set(key, set);
  }

  remove(key: string, nonce: string): void {
    const set = this.map.get(key);
    if (set === undefined) return;
    set.delete(nonce);
    if (set.size === 0) this.map.delete(key);
  }
}

export class ChallengeStore {
  private readonly open = new Map<string, OpenChallenge>();
  private readonly byClient = new Buckets();
  private readonly bySubscriptionClient = new Buckets();
  private readonly limits: ChallengeLimits;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    /** Names the service in the signed text, so a signature for another service is useless here. */
    private readonly serviceName: string,
    limits: Partial<ChallengeLimits> = {},
  ) {
    this.limits = { ...DEFAULT_CHALLENGE_LIMITS, ...limits };
  }

  /** Open challenges right now (for tests and health). */
  get size(): number {
    this.sweep();
    return this.open.size;
  }

  issue(subscriptionId: string, action: ProofAction, client: string): Challenge {
    this.sweep();
    const pair = `${subscriptionId}\u0000${client}`;
    if (this.bySubscriptionClient.size(pair) >= this.limits.perSubscriptionClient) {
      throw this.full(`too many open challenges for subscription ${subscriptionId} from this client`, this.bySubscriptionClient.oldest(pair));
    }
    if (this.byClient.size(client) >= this.limits.perClient) {
      throw this.full("too many open challenges from this client", this.byClient.oldest(client));
    }
    if (this.open.size >= this.limits.total) {
      throw this.full("the key service has too many open challenges", this.open.keys().next().value);
    }
    const nonce = randomBytes(32).toString("hex");
    const expiresAt = this.now() + this.ttlMs;
    const message = [
      `FlareFlow key service (${this.serviceName})`,
      `Action: ${action}`,
      `Subscription: ${subscriptionId}`,
      `Nonce: ${nonce}`,
      `Expires: ${new Date(expiresAt).toISOString()}`,
    ].join("\n");
    const challenge: OpenChallenge = { nonce, subscriptionId, action, expiresAt, message, client };
    this.open.set(nonce, challenge);
    this.byClient.add(client, nonce);
    this.bySubscriptionClient.add(pair, nonce);
    return shown(challenge);
  }

  /**
   * Takes the challenge out for good, whatever happens next: a failed proof
   * burns it too, so each nonce gets exactly one verification attempt.
   */
  consume(nonce: string, subscriptionId: string, action: ProofAction): Challenge {
    const challenge = this.open.get(nonce);
    if (challenge !== undefined) this.remove(challenge);
    if (challenge === undefined) throw new ChallengeError("nonce unknown or already used; request a new challenge", "unknown");
    if (this.now() > challenge.expiresAt) throw new ChallengeError("nonce expired; request a new challenge", "expired");
    if (challenge.subscriptionId !== subscriptionId || challenge.action !== action) {
      throw new ChallengeError(`nonce was issued for ${challenge.action} of subscription ${challenge.subscriptionId}`, "mismatch");
    }
    return shown(challenge);
  }

  private full(message: string, oldestNonce: string | undefined): ChallengeLimitError {
    const oldest = oldestNonce === undefined ? undefined : this.open.get(oldestNonce);
    const wait = oldest === undefined ? 1 : Math.max(1, Math.ceil((oldest.expiresAt - this.now()) / 1000));
    return new ChallengeLimitError(`${message}; use or let expire the ones you hold, or try again in ${wait} s`, wait);
  }

  private remove(c: OpenChallenge): void {
    this.open.delete(c.nonce);
    this.byClient.remove(c.client, c.nonce);
    this.bySubscriptionClient.remove(`${c.subscriptionId}\u0000${c.client}`, c.nonce);
  }

  /** Drops expired challenges: the map is in expiry order, so this stops at the first live one. */
  private sweep(): void {
    const t = this.now();
    for (const c of this.open.values()) {
      if (t <= c.expiresAt) return;
      this.remove(c);
    }
  }
}

export function messageHex(challenge: Challenge): string {
  return Buffer.from(challenge.message, "utf8").toString("hex");
}
