import { RoundEngine } from "./rounds";
import { startFlareLocalServer, type FlareLocalServer } from "./server";
import { FLARE_FETCH_POLICY, type FetchPolicy } from "./web2json-fetch";

/**
 * The local Flare stand-in services: Flare's Web2Json verifier server and DA layer, and the
 * round engine that plays Flare's attestation providers against the Hardhat node's FDC harness.
 */
export { HardhatNode, HARDHAT_DEV_KEYS } from "./hardhat-node";
export { RoundEngine, type StoredProof } from "./rounds";
export { DA_PROOF_PATH, VERIFIER_PREPARE_REQUEST_PATH, VERIFIER_PREPARE_RESPONSE_PATH } from "./server";
export { FLARE_FETCH_POLICY, WEB2JSON_STATUS, applyJq, encodeWithSignature, processWeb2Json, type FetchPolicy } from "./web2json-fetch";

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
  log?: (line: string) => void;
};

export type FlareLocal = { url: string; port: number; engine: RoundEngine; stop(): Promise<void> };

export async function startFlareLocal(options: FlareLocalOptions): Promise<FlareLocal> {
  // Locally the publisher is http on loopback; Flare itself fetches https on public addresses only.
  const policy: FetchPolicy = { ...FLARE_FETCH_POLICY, allowHttp: true, ...options.policy };
  const log = options.log ?? ((line: string) => console.log(line));
  const engine = new RoundEngine({
    rpcUrl: options.rpcUrl,
    ownerKey: options.ownerKey,
    policy,
    fastClock: options.fastClock ?? false,
    finalizationDelaySeconds: options.finalizationDelaySeconds ?? 0,
    pollMs: options.pollMs ?? 1000,
    log,
  });
  let server: FlareLocalServer;
  try {
    server = await startFlareLocalServer({ apiKey: options.apiKey, policy, engine, host: options.host, port: options.port });
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
