import { RoundEngine } from "./rounds";
import { startFlareLocalServer, type FlareLocalServer } from "./server";
import { DEFAULT_VERIFIER_RELEASE, type VerifierRelease } from "./release";
import { FLARE_FETCH_POLICY, type FetchPolicy } from "./web2json-fetch";
import { createLogger, type Logger } from "../log";

/**
 * The local Flare stand-in services: Flare's Web2Json verifier server and DA layer, and the
 * round engine that plays Flare's attestation providers against the Hardhat node's FDC harness.
 */
export { HardhatNode, HARDHAT_DEV_KEYS } from "./hardhat-node";
export { RoundEngine, type StoredProof } from "./rounds";
export { DA_PROOF_PATH, VERIFIER_PREPARE_REQUEST_PATH, VERIFIER_PREPARE_RESPONSE_PATH } from "./server";
export { FLARE_FETCH_POLICY, FLARE_WEB2JSON_LIMITS, WEB2JSON_STATUS, processWeb2Json, type FetchPolicy, type Web2JsonOutcome } from "./web2json-fetch";
export { VERIFIER_RELEASES, lowestUsedTimestampOf, type VerifierRelease } from "./release";

export type FlareLocalOptions = {
  rpcUrl: string;
  /** The FDC harness owner's key (the Relay stand-in accepts roots from it only). */
  ownerKey: string;
  /** The verifier server's X-API-KEY. */
  apiKey: string;
  host?: string;
  port?: number;
  fastClock?: boolean;
  finalizationDelaySeconds?: number;
  pollMs?: number;
  policy?: Partial<FetchPolicy>;
  /** The verifier release whose response shape the stand-in gives (default: the newest). */
  verifierRelease?: VerifierRelease;
  /** Default: src/log.ts's logger as service "flare-local". */
  log?: Logger;
};

export type FlareLocal = { url: string; port: number; engine: RoundEngine; stop(): Promise<void> };

export async function startFlareLocal(options: FlareLocalOptions): Promise<FlareLocal> {
  // Locally the publisher is http on loopback; Flare itself fetches https on public addresses only.
  const policy: FetchPolicy = { ...FLARE_FETCH_POLICY, allowLoopbackHttp: true, ...options.policy };
  const verifierRelease = options.verifierRelease ?? DEFAULT_VERIFIER_RELEASE;
  const log = options.log ?? createLogger("flare-local", { secrets: [options.ownerKey, options.apiKey] });
  const engine = new RoundEngine({
    rpcUrl: options.rpcUrl,
    ownerKey: options.ownerKey,
    policy,
    verifierRelease,
    fastClock: options.fastClock ?? false,
    finalizationDelaySeconds: options.finalizationDelaySeconds ?? 0,
    pollMs: options.pollMs ?? 1000,
    log,
  });
  let server: FlareLocalServer;
  try {
    server = await startFlareLocalServer({ apiKey: options.apiKey, policy, verifierRelease, engine, host: options.host, port: options.port });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  engine.start();
  return {
    url: server.url,
    port: server.port,
    engine,
    async stop() {
      await server.stop();
      await engine.stop();
    },
  };
}
