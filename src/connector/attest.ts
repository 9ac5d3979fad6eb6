import { formatEther, type Wallet } from "ethers";
import {
  PUBLIC_WEB2_SOURCE_ID,
  WEB2JSON_ATTESTATION_TYPE,
  decodeWeb2JsonRequest,
  reportRequestSpec,
  type Web2JsonRequestBody,
} from "../fdc";
import { summaryUrl } from "../report";
import { ConnectorError, messageOf } from "./errors";
import type { FlareContracts } from "./flare-contracts";
import { postJson } from "./http-json";

/**
 * Stage 3: the Web2Json request of a window's summary. The verifier server prepares it (and
 * computes its message integrity code); FdcHub takes it with the fee the fee configuration asks.
 */

export function requestBodyFor(baseUrl: string, window: bigint): Web2JsonRequestBody {
  const spec = reportRequestSpec();
  return {
    url: summaryUrl(baseUrl, window),
    httpMethod: spec.httpMethod,
    headers: spec.headers,
    queryParams: spec.queryParams,
    body: spec.body,
    postProcessJq: spec.postProcessJq,
    abiSignature: spec.abiSignature,
  };
}

/** POST <verifier>/verifier/web2/Web2Json/prepareRequest; checks the answer encodes what was asked. */
export async function prepareRequest(verifierUrl: string, apiKey: string, body: Web2JsonRequestBody): Promise<string> {
  const url = `${verifierUrl.replace(/\/$/, "")}/verifier/web2/Web2Json/prepareRequest`;
  const answer = await postJson(url, { attestationType: WEB2JSON_ATTESTATION_TYPE, sourceId: PUBLIC_WEB2_SOURCE_ID, requestBody: body }, { "X-API-KEY": apiKey }, "Flare verifier server");
  if (answer.status === 401 || answer.status === 403) throw new ConnectorError("config", `Flare verifier server ${url} refused the API key (HTTP ${answer.status})`);
  if (answer.status !== 200) throw new ConnectorError("unreachable", `Flare verifier server ${url}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  const { status, abiEncodedRequest } = answer.body;
  if (status !== "VALID") {
    throw new ConnectorError("rejected", `Flare verifier server says ${String(status)} for ${body.url} (is the publisher reachable from the verifiers? they fetch public HTTPS only)`);
  }
  if (typeof abiEncodedRequest !== "string" || !/^0x[0-9a-fA-F]*$/.test(abiEncodedRequest)) {
    throw new ConnectorError("integrity", "Flare verifier server answered VALID without a hex abiEncodedRequest");
  }
  let decoded: ReturnType<typeof decodeWeb2JsonRequest>;
  try {
    decoded = decodeWeb2JsonRequest(abiEncodedRequest);
  } catch (error) {
    throw new ConnectorError("integrity", `abiEncodedRequest does not decode as a Web2Json request: ${messageOf(error)}`, { cause: error });
  }
  const same =
    decoded.attestationType === WEB2JSON_ATTESTATION_TYPE &&
    decoded.sourceId === PUBLIC_WEB2_SOURCE_ID &&
    (Object.keys(body) as (keyof Web2JsonRequestBody)[]).every((k) => decoded.requestBody[k] === body[k]);
  if (!same) throw new ConnectorError("integrity", "the verifier server's abiEncodedRequest is not the request that was asked for");
  return abiEncodedRequest.toLowerCase();
}

/** The fee of a request, with a clear error when the paying account cannot cover it. */
export async function feeFor(contracts: FlareContracts, wallet: Wallet, abiEncodedRequest: string): Promise<bigint> {
  const fee = await contracts.fees.getRequestFee(abiEncodedRequest);
  const provider = wallet.provider;
  if (!provider) throw new ConnectorError("crash", "wallet has no provider");
  const balance = await provider.getBalance(wallet.address);
  const gasReserve = 10n ** 16n;
  if (balance < fee + gasReserve) {
    throw new ConnectorError(
      "fee",
      `account ${wallet.address} holds ${formatEther(balance)} but the attestation fee is ${formatEther(fee)} plus gas: fund it (Coston2: the faucet)`,
    );
  }
  return fee;
}

/** The voting round a request mined at `blockTimestamp` belongs to (Flare's Relay decides). */
export async function votingRoundOf(contracts: FlareContracts, blockTimestamp: number): Promise<bigint> {
  return contracts.relay.getVotingRoundId(blockTimestamp);
}
