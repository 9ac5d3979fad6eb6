import { p256 } from "@noble/curves/p256";
import { bytesToHex } from "@noble/hashes/utils";
import { emulatorServiceAccount } from "../config/flow-json";
import { codec, keyAuthorization, sendTransaction, type FlowContext, type KeySigner } from "../flow/runtime";
import { localCreateAccount } from "../flow/generated/transactions";

/** The emulator's service account as a signer. */
export function serviceSigner(): KeySigner {
  return { ...emulatorServiceAccount(), keyIndex: 0 };
}

/**
 * Creates a funded account on a local emulator with a fresh ECDSA_P256 key
 * (customers and providers of the local stack and of tests).
 */
export async function createLocalAccount(ctx: FlowContext, initialFunds: string): Promise<KeySigner> {
  const privateKey = p256.utils.randomPrivateKey();
  const publicKey = bytesToHex(p256.getPublicKey(privateKey, false).slice(1));
  const sealed = await sendTransaction(ctx, localCreateAccount, { publicKey, initialFunds }, keyAuthorization(serviceSigner()));
  const created = sealed.events.find((e) => e.type === "flow.AccountCreated");
  const address = (created?.data as { address?: unknown } | undefined)?.address;
  return {
    address: codec.normalizeAddress(address, "flow.AccountCreated.address"),
    keyIndex: 0,
    privateKey: bytesToHex(privateKey),
    signatureAlgorithm: "ECDSA_P256",
    hashAlgorithm: "SHA3_256",
  };
}
