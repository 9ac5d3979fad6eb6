import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { deployFdcHarness, type FdcHarness } from "../../../src/fdc/harness";
import {
  buildRoundProofs,
  PUBLIC_WEB2_SOURCE_ID,
  reportRequestSpec,
  SUMMARY_JQ_FILTER,
  web2JsonResponse,
  type Web2JsonAttestation,
  type Web2JsonProof,
  type Web2JsonRequestBody,
  type Web2JsonResponse,
} from "../../../src/fdc";
import {
  encodeSummary,
  summarize,
  summaryUrl,
  USAGE_SUMMARY_ABI_SIGNATURE,
  Windows,
  type UsageLine,
  type UsageSummary,
} from "../../../src/report";
import { LIVE_WINDOW_SECONDS } from "../../../src/config/networks";
import { UsageReportVerifier__factory, type UsageReportVerifier } from "../../../src/evm/typechain";
import { rootOf } from "../../unit/fixtures/request-roots";

/** The publisher's base URL in tests. */
export const BASE_URL = "https://reports.flareflow.test";

/** The jq filter the tests pin: the production one. */
export const SUMMARY_JQ = SUMMARY_JQ_FILTER;

/** The pinned request of the tests (all but the URL): the production one. */
export function requestSpec(): UsageReportVerifier.RequestSpecStruct {
  return reportRequestSpec();
}

/** The request body a correct attestation of `window` carries. */
export function requestBodyFor(window: bigint, baseUrl = BASE_URL): Web2JsonRequestBody {
  const spec = requestSpec();
  return {
    url: summaryUrl(baseUrl, window),
    httpMethod: String(spec.httpMethod),
    headers: String(spec.headers),
    queryParams: String(spec.queryParams),
    body: String(spec.body),
    postProcessJq: String(spec.postProcessJq),
    abiSignature: String(spec.abiSignature),
  };
}

const FAMILIES = ["", "claude", "gpt-3.5", "gpt-4", "llama"];

/** `count` valid, sorted lines: subscriptions 1.., up to five families each. */
export function makeLines(count: number): UsageLine[] {
  const lines: UsageLine[] = [];
  for (let i = 0; i < count; i++) {
    lines.push({
      subscriptionId: BigInt(Math.floor(i / FAMILIES.length) + 1),
      family: FAMILIES[i % FAMILIES.length],
      tokens: BigInt(1000 + i * 37),
      requests: BigInt(1 + (i % 7)),
      requestsRoot: rootOf(i),
    });
  }
  return lines;
}

export type Deployed = {
  owner: Signer;
  other: Signer;
  relayer: Signer;
  harness: FdcHarness;
  verifier: UsageReportVerifier;
  /** A closed window a little in the past. */
  firstWindow: bigint;
};

/** The verifier under test cuts the live networks' windows. */
export const WINDOWS = new Windows(LIVE_WINDOW_SECONDS);

/** The window containing a block time (unix seconds). */
export const windowAt = (unixSeconds: number): bigint => WINDOWS.of(unixSeconds * 1000);

/** Harness at Flare's registry address plus a verifier configured for BASE_URL. */
export async function deployVerifierFixture(): Promise<Deployed> {
  const [owner, other, relayer] = await ethers.getSigners();
  const harness = await deployFdcHarness(owner);
  const verifier = await new UsageReportVerifier__factory(owner).deploy(
    await owner.getAddress(),
    BASE_URL,
    requestSpec(),
    WINDOWS.seconds,
  );
  await verifier.waitForDeployment();
  const firstWindow = windowAt(await time.latest()) - 10n;
  return { owner, other, relayer, harness, verifier, firstWindow };
}

let nextVotingRound = 1_000n;

/** A fresh voting round id. */
export function freshRound(): bigint {
  nextVotingRound += 1n;
  return nextVotingRound;
}

export type Attested = {
  summary: UsageSummary;
  response: Web2JsonResponse;
  proof: Web2JsonProof;
  root: string;
  votingRound: bigint;
};

export type AttestOptions = {
  /** Changes to the correct attestation (request body fields, type, source, data). */
  tweak?: (a: Web2JsonAttestation) => Web2JsonAttestation;
  /** Other leaves of the same round. */
  extraLeaves?: string[];
  /** Do not finalize the round on the Relay. */
  skipFinalize?: boolean;
};

/** Builds the correct attestation of (window, lines), optionally tweaked, and finalizes its round. */
export async function attest(
  harness: FdcHarness,
  window: bigint,
  lines: UsageLine[],
  options: AttestOptions = {},
): Promise<Attested> {
  const summary = summarize(window, lines);
  const votingRound = freshRound();
  const base: Web2JsonAttestation = {
    votingRound,
    requestBody: requestBodyFor(window),
    responseBody: { abiEncodedData: encodeSummary(summary) },
  };
  const attestation = options.tweak ? options.tweak(base) : base;
  const response = web2JsonResponse(attestation);
  const { root, proofs } = buildRoundProofs([response], options.extraLeaves ?? []);
  if (!options.skipFinalize) await harness.finalizeRound(votingRound, root);
  return { summary, response, proof: proofs[0], root, votingRound };
}

/** Lines as the contract's struct input. */
export function linesForChain(lines: UsageLine[]): Array<{
  subscriptionId: bigint;
  family: string;
  tokens: bigint;
  requests: bigint;
  requestsRoot: string;
}> {
  return lines.map((l) => ({
    subscriptionId: l.subscriptionId,
    family: ethers.encodeBytes32String(l.family),
    tokens: l.tokens,
    requests: l.requests,
    requestsRoot: l.requestsRoot,
  }));
}

/** Everything the verifier stores about the given windows, for no-change assertions. */
export async function verifierState(verifier: UsageReportVerifier, windows: bigint[]): Promise<string> {
  const [hasVerified, lastWindow] = await verifier.lastWindow();
  const reports = await Promise.all(
    windows.map(async (w) => {
      const r = await verifier.reportOf(w);
      return [r.digest, r.votingRound, r.lineCount, r.totalTokens, r.verified];
    }),
  );
  const config = [
    await verifier.publisherBaseUrl(),
    await verifier.sourceId(),
    await verifier.requestSpecHash(),
    await verifier.windowSeconds(),
    await verifier.owner(),
  ];
  return JSON.stringify({ hasVerified, lastWindow, reports, config }, (_k, v: unknown) =>
    typeof v === "bigint" ? v.toString() : v,
  );
}
