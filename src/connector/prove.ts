import { AbiCoder } from "ethers";
import {
  DaAnswerError,
  FDC_PROTOCOL_ID,
  WEB2JSON_ATTESTATION_TYPE,
  WEB2JSON_RESPONSE_TYPE,
  decodeWeb2JsonRequest,
  parseDaProofAnswer,
  verifyFlareMerkleProof,
  web2JsonLeaf,
  type DaProof,
  type Web2JsonProof,
  type Web2JsonRequest,
  type Web2JsonResponse,
} from "../fdc";
import { decodeSummary, type UsageSummary } from "../report";
import { ConnectorError, messageOf } from "./errors";
import type { FlareContracts } from "./flare-contracts";
import { postJson } from "./http-json";

/**
 * Stage 4: wait for the voting round to finalize on the Relay (protocol 200), then take the
 * proof from Flare's DA layer and check everything in it before it goes anywhere: the response
 * is our request's, carries our summary, and its Merkle proof leads to the Relay's root.
 */

export async function isRoundFinalized(contracts: FlareContracts, round: bigint): Promise<boolean> {
  return contracts.relay.isFinalized(FDC_PROTOCOL_ID, round);
}

export function decodeResponseHex(responseHex: string): Web2JsonResponse {
  const [t] = AbiCoder.defaultAbiCoder().decode([WEB2JSON_RESPONSE_TYPE], responseHex);
  const tuple = t as unknown as [string, string, bigint, bigint, string[], [string]];
  const [url, httpMethod, headers, queryParams, body, postProcessJq, abiSignature] = tuple[4];
  return {
    attestationType: tuple[0],
    sourceId: tuple[1],
    votingRound: tuple[2],
    lowestUsedTimestamp: tuple[3],
    requestBody: { url, httpMethod, headers, queryParams, body, postProcessJq, abiSignature },
    responseBody: { abiEncodedData: tuple[5][0] },
  };
}

export type FetchedProof = { votingRound: bigint; responseHex: string; merkleProof: string[] };

/**
 * POST <da>/api/v1/fdc/proof-by-request-round-raw. Undefined while the DA layer has no proof
 * for the request in that round (it answers 400 "not found" or an object without response_hex).
 */
export async function fetchProof(daLayerUrl: string, apiKey: string | undefined, requestBytes: string, round: bigint | undefined): Promise<FetchedProof | undefined> {
  const url = `${daLayerUrl.replace(/\/$/, "")}/api/v1/fdc/proof-by-request-round-raw`;
  const body: Record<string, unknown> = { requestBytes };
  if (round !== undefined) body.votingRoundId = Number(round);
  const answer = await postJson(url, body, apiKey ? { "x-api-key": apiKey } : {}, "Flare DA layer");
  if (answer.status === 400 || answer.status === 404) return undefined;
  if (answer.status !== 200) throw new ConnectorError("unreachable", `Flare DA layer ${url}: HTTP ${answer.status}`);
  let parsed: DaProof | undefined;
  try {
    parsed = parseDaProofAnswer(answer.body);
  } catch (error) {
    throw new ConnectorError("integrity", `DA layer: ${error instanceof DaAnswerError ? error.message : messageOf(error)}`, { cause: error });
  }
  if (parsed === undefined) return undefined;
  let response: Web2JsonResponse;
  try {
    response = decodeResponseHex(parsed.responseHex);
  } catch (error) {
    throw new ConnectorError("integrity", `DA layer: response_hex does not decode as IWeb2Json.Response: ${messageOf(error)}`, { cause: error });
  }
  return { votingRound: response.votingRound, responseHex: parsed.responseHex, merkleProof: parsed.proof };
}

/** Checks a fetched proof against our request, our summary and the Relay's root; returns the Proof struct. */
export async function checkProof(contracts: FlareContracts, fetched: FetchedProof, requestBytes: string, expected: UsageSummary): Promise<Web2JsonProof> {
  let response: Web2JsonResponse;
  let request: Web2JsonRequest;
  try {
    response = decodeResponseHex(fetched.responseHex);
  } catch (error) {
    throw new ConnectorError("integrity", `DA proof: response does not decode as IWeb2Json.Response: ${messageOf(error)}`, { cause: error });
  }
  try {
    request = decodeWeb2JsonRequest(requestBytes);
  } catch (error) {
    throw new ConnectorError("integrity", `DA proof: the recorded request does not decode as a Web2Json request: ${messageOf(error)}`, { cause: error });
  }
  if (response.attestationType !== WEB2JSON_ATTESTATION_TYPE || response.sourceId !== request.sourceId) {
    throw new ConnectorError("integrity", "DA proof: attestation type or source is not the request's");
  }
  for (const k of Object.keys(request.requestBody) as (keyof typeof request.requestBody)[]) {
    if (response.requestBody[k] !== request.requestBody[k]) throw new ConnectorError("integrity", `DA proof: request field ${k} differs from the request sent`);
  }
  let summary: UsageSummary;
  try {
    summary = decodeSummary(response.responseBody.abiEncodedData);
  } catch (error) {
    throw new ConnectorError("integrity", `DA proof: attested data is not a usage summary: ${messageOf(error)}`, { cause: error });
  }
  if (summary.window !== expected.window || summary.digest !== expected.digest || summary.lineCount !== expected.lineCount || summary.totalTokens !== expected.totalTokens) {
    throw new ConnectorError("integrity", `DA proof: attested summary (window ${summary.window}, digest ${summary.digest}) is not the published one (digest ${expected.digest})`);
  }
  const root = await contracts.relay.merkleRoots(FDC_PROTOCOL_ID, response.votingRound);
  if (!verifyFlareMerkleProof(web2JsonLeaf(response), fetched.merkleProof, root)) {
    throw new ConnectorError("integrity", `DA proof: Merkle proof does not lead to the Relay's root of round ${response.votingRound}`);
  }
  return { merkleProof: fetched.merkleProof, data: response };
}
