import * as z from "zod/mini";
import { readEnv, requiredText } from "../env";
import { FlareFlowError } from "../../errors";

/**
 * The oracles of a live network: their public keys and the quorum come from the environment
 * (FLAREFLOW_ORACLE_PUBLIC_KEYS, comma-separated 128-hex secp256k1 keys; FLAREFLOW_ORACLE_THRESHOLD),
 * so that who attests is decided by whoever operates the deployment, not by this repository.
 */

export class NetworkConfigError extends FlareFlowError {
  override readonly name = "NetworkConfigError";
  override readonly docs = "README.md#configuring-after-deployment";
}

/** Each key as FlareOracleVerifier registers it (no 0x, no 04, lower case), named by its place in the list. */
const PublicKeys = z.pipe(
  z.pipe(
    requiredText("FLAREFLOW_ORACLE_PUBLIC_KEYS", "comma-separated oracle secp256k1 public keys, 128 hex chars each"),
    z.transform((raw: string) => raw.split(",").map((k) => k.trim().replace(/^0x/, "").replace(/^04(?=[0-9a-fA-F]{128}$)/, "").toLowerCase())),
  ),
  z.array(z.string().check(z.regex(/^[0-9a-f]{128}$/, { error: (issue) => `FLAREFLOW_ORACLE_PUBLIC_KEYS[${String(issue.path?.[0])}] is not a 64-byte public key` }))),
);

function quorum(keys: number) {
  const error = `FLAREFLOW_ORACLE_THRESHOLD must be an integer between 1 and ${keys}`;
  return z.pipe(
    z.string({ error }).check(z.refine((raw) => Number.isInteger(Number(raw)) && Number(raw) >= 1 && Number(raw) <= keys, { error })),
    z.transform(Number),
  );
}

export function liveOracleSettings(env: NodeJS.ProcessEnv): { publicKeys: string[]; threshold: number } {
  const refuse = (message: string) => new NetworkConfigError(message);
  const publicKeys = readEnv(PublicKeys, env.FLAREFLOW_ORACLE_PUBLIC_KEYS, refuse);
  return { publicKeys, threshold: readEnv(quorum(publicKeys.length), env.FLAREFLOW_ORACLE_THRESHOLD, refuse) };
}
