import { timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import { decodeBytes32String, isHexString } from "ethers";
import {
  PUBLIC_WEB2_SOURCE_ID,
  WEB2JSON_ATTESTATION_TYPE,
  encodeWeb2JsonRequest,
  messageIntegrityCode,
  web2JsonResponse,
  type Web2JsonRequestBody,
} from "../fdc";
import { lowestUsedTimestampOf, type VerifierRelease } from "./release";
import { processWeb2Json, type FetchPolicy } from "./web2json-fetch";
import type { RoundEngine, StoredProof } from "./rounds";
import { HttpError } from "../http/error";
import { jsonResponse, pathOf, readJson, renderErrors, serve, STAND_IN_MAX_BODY_BYTES, type NodeEnv } from "../http/server";

/**
 * Flare's off-chain APIs, locally, on their real paths and JSON shapes:
 * - verifier server (flare-foundation/verifier-indexer-api): POST
 *   /verifier/web2/Web2Json/prepareRequest and .../prepareResponse with an `X-API-KEY` header;
 *   body {attestationType, sourceId, requestBody}; answer {status, abiEncodedRequest} or
 *   {status, response}; an unsupported type or source is HTTP 400.
 *   The answer's `lowestUsedTimestamp` is the chosen verifier release's (release.ts); v1.6.0-rc.0
 *   writes it as the hex string "0xffffffffffffffff" (NO_TIMESTAMP_SENTINEL), v1.5.0 as "0".
 * - DA layer (flare-foundation/data-availability v1.0.0, fdc/views/v1.py): POST
 *   /api/v1/fdc/proof-by-request-round-raw with {votingRoundId?, requestBytes}; answer
 *   {response_hex, attestation_type, proof}; POST /api/v1/fdc/proof-by-request-round answers
 *   {response: <decoded, integers as JSON numbers>, proof}; a request it does not hold is 400
 *   {"error": "attestation request not found"}.
 */

export const VERIFIER_PREPARE_REQUEST_PATH = "/verifier/web2/Web2Json/prepareRequest";
export const VERIFIER_PREPARE_RESPONSE_PATH = "/verifier/web2/Web2Json/prepareResponse";
export const DA_PROOF_PATH = "/api/v1/fdc/proof-by-request-round-raw";
export const DA_DECODED_PROOF_PATH = "/api/v1/fdc/proof-by-request-round";

type Json = Record<string, unknown>;

/** A refusal in the words of the Flare service that answers it (its JSON body as given). */
function flareError(status: number, body: Json): HttpError {
  return new HttpError(status, body, {}, { message: JSON.stringify(body), docs: "README.md#what-is-real-here-and-what-is-a-stand-in" });
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readBody(c: Context<NodeEnv>): Promise<unknown> {
  return readJson(c, {
    maxBytes: STAND_IN_MAX_BODY_BYTES,
    tooLarge: () => flareError(413, { error: "request body too large" }),
    malformed: () => flareError(400, { statusCode: 400, message: "body is not JSON", error: "Bad Request" }),
  });
}

function keyMatches(given: string | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function nameOf(bytes32: string): string {
  try {
    return decodeBytes32String(bytes32);
  } catch {
    return bytes32;
  }
}

function parseRequest(body: unknown): { attestationType: string; sourceId: string; requestBody: Web2JsonRequestBody } {
  if (!isRecord(body) || !isRecord(body.requestBody)) throw flareError(400, { statusCode: 400, message: "requestBody is required", error: "Bad Request" });
  const { attestationType, sourceId } = body;
  const rb = body.requestBody;
  const fields = ["url", "httpMethod", "headers", "queryParams", "body", "postProcessJq", "abiSignature"] as const;
  for (const f of fields) {
    if (typeof rb[f] !== "string") throw flareError(400, { statusCode: 400, message: `requestBody.${f} must be a string`, error: "Bad Request" });
  }
  if (typeof attestationType !== "string" || typeof sourceId !== "string" || !isHexString(attestationType, 32) || !isHexString(sourceId, 32)) {
    throw flareError(400, { statusCode: 400, message: "attestationType and sourceId must be 0x-prefixed 32-byte hex", error: "Bad Request" });
  }
  if (attestationType.toLowerCase() !== WEB2JSON_ATTESTATION_TYPE.toLowerCase() || sourceId.toLowerCase() !== PUBLIC_WEB2_SOURCE_ID.toLowerCase()) {
    // web2-json-verifier.service.ts `checkSupportedType` (names decoded from their bytes32).
    throw flareError(400, { status: 400, error: `Attestation type and source id combination not supported: ${nameOf(attestationType)}/${nameOf(sourceId)}. Supported attestation type: 'Web2Json'. Supported source ids: [PublicWeb2].` });
  }
  const requestBody = Object.fromEntries(fields.map((f) => [f, rb[f] as string])) as Web2JsonRequestBody;
  return { attestationType: WEB2JSON_ATTESTATION_TYPE, sourceId: PUBLIC_WEB2_SOURCE_ID, requestBody };
}

function findProof(body: unknown, engine: RoundEngine): StoredProof {
  if (!isRecord(body) || typeof body.requestBytes !== "string" || body.requestBytes === "") {
    throw flareError(400, { requestBytes: ["This field is required."] });
  }
  let round: bigint | undefined;
  if (body.votingRoundId !== undefined) {
    if (typeof body.votingRoundId !== "number" || !Number.isSafeInteger(body.votingRoundId)) {
      throw flareError(400, { votingRoundId: ["A valid integer is required."] });
    }
    round = BigInt(body.votingRoundId);
  }
  const stored = engine.proofOf(body.requestBytes, round);
  if (!stored) throw flareError(400, { error: "attestation request not found" });
  return stored;
}

/** The decoded response as data-availability v1 writes it: integers as JSON numbers (web3's decoder). */
function decodedResponse(stored: StoredProof): Json {
  const r = stored.response;
  return {
    attestationType: r.attestationType,
    sourceId: r.sourceId,
    votingRound: Number(r.votingRound),
    lowestUsedTimestamp: Number(r.lowestUsedTimestamp),
    requestBody: { ...r.requestBody },
    responseBody: { ...r.responseBody },
  };
}

export type FlareLocalServerOptions = {
  apiKey: string;
  policy: FetchPolicy;
  verifierRelease: VerifierRelease;
  engine: RoundEngine;
  host?: string;
  port?: number;
};

export type FlareLocalServer = { url: string; port: number; stop(): Promise<void> };

export async function startFlareLocalServer(options: FlareLocalServerOptions): Promise<FlareLocalServer> {
  const verifier = async (c: Context<NodeEnv>, path: string): Promise<Response> => {
    if (!keyMatches(c.req.header("x-api-key"), options.apiKey)) throw flareError(401, { statusCode: 401, message: "Unauthorized" });
    const request = parseRequest(await readBody(c));
    const outcome = await processWeb2Json(request.requestBody, options.policy);
    if (outcome.status !== "VALID") return jsonResponse(200, { status: outcome.status });
    const lowestUsedTimestamp = lowestUsedTimestampOf(options.verifierRelease);
    const response = web2JsonResponse({ votingRound: 0n, lowestUsedTimestamp, requestBody: request.requestBody, responseBody: { abiEncodedData: outcome.abiEncodedData } });
    if (path === VERIFIER_PREPARE_RESPONSE_PATH) {
      return jsonResponse(200, {
        status: "VALID",
        response: {
          ...response,
          votingRound: "0",
          lowestUsedTimestamp: lowestUsedTimestamp === 0n ? "0" : `0x${lowestUsedTimestamp.toString(16)}`,
        },
      });
    }
    const abiEncodedRequest = encodeWeb2JsonRequest({ ...request, messageIntegrityCode: messageIntegrityCode(response) });
    return jsonResponse(200, { status: "VALID", abiEncodedRequest });
  };
  const da = async (c: Context<NodeEnv>, path: string): Promise<Response> => {
    const stored = findProof(await readBody(c), options.engine);
    if (path === DA_PROOF_PATH) return jsonResponse(200, { response_hex: stored.responseHex, attestation_type: WEB2JSON_ATTESTATION_TYPE, proof: stored.proof });
    return jsonResponse(200, { response: decodedResponse(stored), proof: stored.proof });
  };

  const app = new Hono<NodeEnv>({ getPath: pathOf });
  for (const path of [VERIFIER_PREPARE_REQUEST_PATH, VERIFIER_PREPARE_RESPONSE_PATH]) app.post(path, (c) => verifier(c, path));
  for (const path of [DA_PROOF_PATH, DA_DECODED_PROOF_PATH]) app.post(path, (c) => da(c, path));
  renderErrors(app, {
    internal: flareError(500, { error: "internal error" }),
    // NestJS's answer to a route it does not have, any method (HEAD included) on any path.
    notFound: (c) => flareError(404, { statusCode: 404, message: `Cannot ${c.req.method} ${pathOf(c.req.raw)}`, error: "Not Found" }),
  });
  const host = options.host ?? "127.0.0.1";
  const server = await serve(app, { host, port: options.port ?? 0 });
  return { url: server.url, port: server.port, stop: () => server.close() };
}
