/**
 * Custody of a plaintext key between its creation and its delivery: AES-256-GCM
 * under a key-encryption key from the environment. The additional data binds a
 * ciphertext to its subscription and alias, so a record copied onto another
 * subscription in the state file does not decrypt there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { FlareFlowError } from "../errors";

export interface SealedKey {
  /** base64 of the 12-byte GCM nonce. */
  iv: string;
  /** base64 of the 16-byte GCM tag. */
  tag: string;
  /** base64 of the ciphertext. */
  data: string;
}

export class KeyCustodyError extends FlareFlowError {
  override readonly name = "KeyCustodyError";
  override readonly docs = "README.md#services";
}

function aad(subscriptionId: string, alias: string): Buffer {
  return Buffer.from(`flareflow-key:v1:${subscriptionId}:${alias}`, "utf8");
}

export function sealKey(kek: Buffer, subscriptionId: string, alias: string, plaintext: string): SealedKey {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", kek, iv);
  cipher.setAAD(aad(subscriptionId, alias));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
}

export function openKey(kek: Buffer, subscriptionId: string, alias: string, sealed: SealedKey): string {
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek, Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(aad(subscriptionId, alias));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8");
  } catch {
    // Never say more: the cause is a wrong FLAREFLOW_KEY_ENCRYPTION_KEY or a tampered state file.
    throw new KeyCustodyError(
      `cannot decrypt the stored key of subscription ${subscriptionId} (${alias}): wrong FLAREFLOW_KEY_ENCRYPTION_KEY or a tampered state file`,
    );
  }
}

/** Parses FLAREFLOW_KEY_ENCRYPTION_KEY: 32 bytes as 64 hex digits or as base64. */
export function parseEncryptionKey(value: string | undefined, name = "FLAREFLOW_KEY_ENCRYPTION_KEY"): Buffer {
  if (value === undefined || value.trim() === "") {
    throw new KeyCustodyError(`${name} is not set: the key service needs 32 random bytes (64 hex digits, e.g. \`openssl rand -hex 32\`) to encrypt keys awaiting delivery`);
  }
  const v = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) {
    const buf = Buffer.from(v.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (buf.length === 32) return buf;
  }
  throw new KeyCustodyError(`${name} must be exactly 32 bytes, written as 64 hex digits or base64`);
}
