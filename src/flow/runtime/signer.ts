import type { AuthorizationFunction, Signable } from "@onflow/fcl";
import { p256 } from "@noble/curves/p256";
import { secp256k1 } from "@noble/curves/secp256k1";
import { sha3_256 } from "@noble/hashes/sha3";
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";
import { normalizeAddress } from "./codec";

export interface KeySigner {
  address: string;
  keyIndex: number;
  privateKey: string;
  signatureAlgorithm: "ECDSA_P256" | "ECDSA_secp256k1";
  hashAlgorithm: "SHA3_256" | "SHA2_256";
}

/**
 * Signs a Flow payload (FCL's `signable.message`, already prefixed with the
 * transaction domain tag) as Flow expects: hash, ECDSA, 64-byte r‖s.
 */
export function signFlowMessage(messageHex: string, key: Omit<KeySigner, "address" | "keyIndex">): string {
  const digest = key.hashAlgorithm === "SHA3_256" ? sha3_256(hexToBytes(messageHex)) : sha256(hexToBytes(messageHex));
  const curve = key.signatureAlgorithm === "ECDSA_P256" ? p256 : secp256k1;
  return bytesToHex(curve.sign(digest, hexToBytes(key.privateKey), { prehash: false }).toCompactRawBytes());
}

/**
 * An FCL authorization function for an account whose key this process holds
 * (the emulator service account, a provider's service key). The key never
 * leaves this function's closure and is never logged.
 */
export function keyAuthorization(signer: KeySigner): AuthorizationFunction {
  const address = normalizeAddress(signer.address, "signer address");
  return (account) => ({
    ...account,
    tempId: `${address}-${signer.keyIndex}`,
    addr: address.replace(/^0x/, ""),
    keyId: signer.keyIndex,
    signingFunction: async (signable: Signable) => ({
      addr: address,
      keyId: signer.keyIndex,
      signature: signFlowMessage(signable.message, signer),
    }),
  });
}

/** The 32-byte, zero-padded user domain tag FCL wallets prepend before signing a user message. */
const USER_TAG_HEX = bytesToHex(new TextEncoder().encode("FLOW-V0.0-user")).padEnd(64, "0");

/**
 * What a wallet returns from `fcl.currentUser.signUserMessage(messageHex)` for an account whose
 * key this process holds (scripts and tests acting as a customer).
 */
export function signUserMessage(signer: KeySigner, messageHex: string): { addr: string; keyId: number; signature: string }[] {
  return [{ addr: normalizeAddress(signer.address, "signer address"), keyId: signer.keyIndex, signature: signFlowMessage(USER_TAG_HEX + messageHex, signer) }];
}
