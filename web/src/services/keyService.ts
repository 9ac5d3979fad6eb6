/**
 * The provider's key service as the page uses it: a wallet-signed sign-in, then the
 * subscription's plaintext key, a key rotation, and pending usage (LiteLLM's live view, not yet
 * attested or billed). Components depend on the KeyService interface; httpKeyService is the
 * client of the real endpoints (src/keys/http/actions.ts, the same client as the local customer's).
 */
import { getUsage, keyServiceClient, revealKey, rotateKey, type ChallengeSigner } from "../../../src/keys/http/actions";
import type { UsageAnswer } from "../../../src/keys/http/wire";

export type { DailyUsage, KeyUsage, RecentRequest, UsageAnswer } from "../../../src/keys/http/wire";

/** A signed-in customer: what one wallet signature buys until it expires. */
export interface KeySession {
  readonly address: string;
  /** Whether usage may be polled without asking the wallet each time (a token-based service). */
  readonly pollable: boolean;
  revealKey(subscriptionId: bigint): Promise<string>;
  rotateKey(subscriptionId: bigint): Promise<void>;
  /** The seed's getKeyUsage shape with the live spending limit; costs are LiteLLM's estimate, not a bill. */
  usage(subscriptionId: bigint): Promise<UsageAnswer>;
}

export interface KeyService {
  signIn(address: string, sign: ChallengeSigner): Promise<KeySession>;
}

/**
 * The key service over HTTP (src/keys/http/routes.ts). Every request carries its own proof: a
 * single-use challenge, signed by the wallet. So each reveal, rotation or usage read asks the
 * wallet once, and usage is refreshed on request, not polled.
 */
export function httpKeyService(baseUrl: string): KeyService {
  return {
    async signIn(address, sign) {
      const client = keyServiceClient(baseUrl, sign);
      return {
        address,
        pollable: false,
        async revealKey(subscriptionId) {
          return (await revealKey(client, { subscriptionId })).key;
        },
        async rotateKey(subscriptionId) {
          await rotateKey(client, { subscriptionId });
        },
        usage: (subscriptionId) => getUsage(client, { subscriptionId }),
      };
    },
  };
}
