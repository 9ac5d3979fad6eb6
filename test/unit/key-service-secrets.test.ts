/**
 * Attack test: the key service's logger scrubs every secret the service holds, in every form a
 * line could carry it, whichever way the service was built (from the environment, or from
 * options with no logger given).
 */
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { LiteLLMAdminClient } from "../../src/litellm";
import { secretsOfEnv, secretsOfOptions } from "../../src/keys/secrets";
import { captureLog } from "../log-capture";

// No sk- prefix: only the exact value can catch it.
const MASTER_KEY = "master-without-prefix-7f3a9c";
const PRIVATE_KEY = `0x${randomBytes(32).toString("hex")}`;
const KEK = randomBytes(32);

const FORMS: Record<string, string> = {
  "private key": PRIVATE_KEY,
  "encryption key, hex": KEK.toString("hex"),
  "encryption key, base64": KEK.toString("base64"),
  "master key": MASTER_KEY,
};

const paths: Record<string, () => (string | undefined)[]> = {
  "from the environment": () =>
    secretsOfEnv({ LITELLM_MASTER_KEY: MASTER_KEY, FLAREFLOW_PROVIDER_PRIVATE_KEY: PRIVATE_KEY, FLAREFLOW_KEY_ENCRYPTION_KEY: KEK.toString("hex") }),
  "from the environment, the encryption key in base64": () =>
    secretsOfEnv({ LITELLM_MASTER_KEY: MASTER_KEY, FLAREFLOW_PROVIDER_PRIVATE_KEY: PRIVATE_KEY, FLAREFLOW_KEY_ENCRYPTION_KEY: KEK.toString("base64") }),
  "from options": () =>
    secretsOfOptions({
      provider: { address: "0x179b6b1cb6755e31", privateKey: PRIVATE_KEY, keyIndex: 0, signatureAlgorithm: "ECDSA_P256", hashAlgorithm: "SHA3_256" },
      encryptionKey: KEK,
      litellm: new LiteLLMAdminClient({ env: { LITELLM_MASTER_KEY: MASTER_KEY } }),
    }),
};

describe("the key service's logger", () => {
  for (const [path, secrets] of Object.entries(paths)) {
    for (const [form, value] of Object.entries(FORMS)) {
      it(`built ${path}, redacts the ${form}`, () => {
        const { logger, lines } = captureLog("key-service", { secrets: secrets() });
        logger.error(`an upstream echoed ${value} back`);
        expect(lines).toHaveLength(1);
        expect(lines[0]).not.toContain(value.replace(/^0x/, ""));
      });
    }
  }
});
