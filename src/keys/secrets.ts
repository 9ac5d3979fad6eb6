import { parseEncryptionKey } from "./crypto";
import type { KeyServiceOptions } from "./options";

type Env = Readonly<Record<string, string | undefined>>;

/** What the key service holds secret, however it was configured. */
interface HeldSecrets {
  masterKey: string | undefined;
  providerPrivateKey: string | undefined;
  /** The key-encryption key: its bytes, or the text it was configured as. */
  encryptionKey: Buffer | string | undefined;
}

/**
 * Every form a log line could carry one of the service's secrets in: the key-encryption key is
 * configured as hex or base64 and either may be echoed, so both (and the text as given) are
 * listed. The logger from the environment and the one a service builds from its options are
 * told this same list.
 */
function keyServiceSecrets({ masterKey, providerPrivateKey, encryptionKey }: HeldSecrets): (string | undefined)[] {
  const forms = [masterKey, providerPrivateKey];
  let bytes: Buffer | undefined;
  if (typeof encryptionKey === "string") {
    forms.push(encryptionKey);
    try {
      bytes = parseEncryptionKey(encryptionKey);
    } catch {
      // Misconfigured: the logger still scrubs the text, and the configuration error says why.
    }
  } else {
    bytes = encryptionKey;
  }
  if (bytes !== undefined) forms.push(bytes.toString("hex"), bytes.toString("base64"), bytes.toString("base64url"));
  return forms;
}

export function secretsOfEnv(env: Env): (string | undefined)[] {
  return keyServiceSecrets({
    masterKey: env["LITELLM_MASTER_KEY"],
    providerPrivateKey: env["FLAREFLOW_PROVIDER_PRIVATE_KEY"],
    encryptionKey: env["FLAREFLOW_KEY_ENCRYPTION_KEY"],
  });
}

export function secretsOfOptions(options: Pick<KeyServiceOptions, "provider" | "encryptionKey" | "litellm">): (string | undefined)[] {
  return keyServiceSecrets({ masterKey: options.litellm.masterKey, providerPrivateKey: options.provider.privateKey, encryptionKey: options.encryptionKey });
}
