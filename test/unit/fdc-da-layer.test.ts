import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchProof, decodeResponseHex } from "../../src/connector/prove";
import { prepareRequest, requestBodyFor } from "../../src/connector/attest";
import { publishDocuments, startPublisher } from "../../src/connector/publish";
import { ConnectorState } from "../../src/connector/state";
import { reportDocument, serializeDocument, summaryDocument } from "../../src/connector/report-doc";
import {
  DaAnswerError,
  WEB2JSON_LOWEST_USED_TIMESTAMP,
  decodeWeb2JsonRequest,
  encodeWeb2JsonResponse,
  messageIntegrityCode,
  parseDaProofAnswer,
  web2JsonResponse,
} from "../../src/fdc";
import { lowestUsedTimestampOf, type RoundEngine, type StoredProof } from "../../src/flare-local";
import { daRequestKey } from "../../src/flare-local/rounds";
import { startFlareLocalServer, type FlareLocalServer } from "../../src/flare-local/server";
import { summarize } from "../../src/report";
import { PUBLISHED_DA_PROOF, PUBLISHED_DA_RESPONSE_HEX } from "./fixtures/flare-web2json-vectors";
import { rootOf } from "./fixtures/request-roots";

/*
 * Issue 14, point 3: answer shapes that changed between Flare releases.
 * - lowestUsedTimestamp: verifier-indexer-api v1.5.0 answers 0, v1.6.0-rc.0 2^64-1 (commit 32cace5).
 * - DA layer (data-availability v1.0.0, fdc/serializers/v1/data.py): -raw answers {response_hex,
 *   attestation_type, proof}; proof-by-request-round and v0.0.x answer {response: decoded, proof}
 *   (v0 integers as strings, v1 as JSON numbers).
 */

function decodedForm(hex: string, ints: "string" | "number"): Record<string, unknown> {
  const r = decodeResponseHex(hex);
  const n = (v: bigint) => (ints === "string" ? v.toString() : Number(v));
  return { ...r, votingRound: n(r.votingRound), lowestUsedTimestamp: n(r.lowestUsedTimestamp) };
}

describe("DA layer answers in both shapes", () => {
  it("the -raw shape: Flare's published answer", () => {
    const answer = { response_hex: PUBLISHED_DA_RESPONSE_HEX, attestation_type: "0x576562324a736f6e000000000000000000000000000000000000000000000000", proof: PUBLISHED_DA_PROOF };
    expect(parseDaProofAnswer(answer)).toEqual({ responseHex: PUBLISHED_DA_RESPONSE_HEX.toLowerCase(), proof: PUBLISHED_DA_PROOF });
  });

  it("the decoded shape (v0 strings, v1 numbers) re-encodes to exactly the published bytes", () => {
    for (const ints of ["string", "number"] as const) {
      const parsed = parseDaProofAnswer({ response: decodedForm(PUBLISHED_DA_RESPONSE_HEX, ints), proof: PUBLISHED_DA_PROOF });
      expect(parsed?.responseHex).toBe(PUBLISHED_DA_RESPONSE_HEX.toLowerCase());
    }
  });

  it("a v1 decoded answer whose 2^64-1 sentinel came as a JSON number is refused (its digits are lost), v0's string form is exact", () => {
    const response = { ...decodeResponseHex(PUBLISHED_DA_RESPONSE_HEX), lowestUsedTimestamp: WEB2JSON_LOWEST_USED_TIMESTAMP };
    const hex = encodeWeb2JsonResponse(response);
    expect(() => parseDaProofAnswer({ response: decodedForm(hex, "number"), proof: [] })).toThrow(DaAnswerError);
    expect(parseDaProofAnswer({ response: decodedForm(hex, "string"), proof: [] })?.responseHex).toBe(hex.toLowerCase());
  });

  it("no proof yet is undefined; malformed answers are DaAnswerError", () => {
    expect(parseDaProofAnswer({ error: "attestation request not found" })).toBeUndefined();
    expect(() => parseDaProofAnswer({ response_hex: "zz", proof: [] })).toThrow(DaAnswerError);
    expect(() => parseDaProofAnswer({ response_hex: PUBLISHED_DA_RESPONSE_HEX, proof: ["0x12"] })).toThrow(DaAnswerError);
    expect(() => parseDaProofAnswer({ response: { attestationType: "0x00" }, proof: [] })).toThrow(DaAnswerError);
    expect(() => parseDaProofAnswer([])).toThrow(DaAnswerError);
  });

  it("an empty or null response_hex, or a null response, is no proof yet, never an error", () => {
    const decoded = decodedForm(PUBLISHED_DA_RESPONSE_HEX, "string");
    const expected = { responseHex: PUBLISHED_DA_RESPONSE_HEX.toLowerCase(), proof: PUBLISHED_DA_PROOF };
    expect(parseDaProofAnswer({ response_hex: "", response: decoded, proof: PUBLISHED_DA_PROOF })).toEqual(expected);
    expect(parseDaProofAnswer({ response_hex: null, response: decoded, proof: PUBLISHED_DA_PROOF })).toEqual(expected);
    expect(parseDaProofAnswer({ response_hex: "", proof: [] })).toBeUndefined();
    expect(parseDaProofAnswer({ response: null, proof: [] })).toBeUndefined();
  });

  it("every refusal is a DaAnswerError naming what is wrong", () => {
    const decoded = decodedForm(PUBLISHED_DA_RESPONSE_HEX, "string");
    const requestBody = decoded.requestBody as Record<string, unknown>;
    const refusal = (answer: unknown): DaAnswerError => {
      try {
        parseDaProofAnswer(answer);
      } catch (e) {
        return e as DaAnswerError;
      }
      throw new Error(`not refused: ${JSON.stringify(answer)}`);
    };
    const withResponse = (over: Record<string, unknown>) => ({ response: { ...decoded, ...over }, proof: PUBLISHED_DA_PROOF });
    const cases: Array<[unknown, string]> = [
      [null, "answer is not a JSON object"],
      ["0x12", "answer is not a JSON object"],
      [{ response_hex: 5, proof: [] }, "response_hex is not hex"],
      [{ response_hex: "0xzz", proof: [] }, "response_hex is not hex"],
      [{ response_hex: PUBLISHED_DA_RESPONSE_HEX, proof: ["0x12"] }, "proof is not a list of 32-byte hashes"],
      [{ response_hex: PUBLISHED_DA_RESPONSE_HEX, proof: "0x12" }, "proof is not a list of 32-byte hashes"],
      [{ response: [], proof: [] }, "response is not a decoded IWeb2Json.Response"],
      [withResponse({ responseBody: { abiEncodedData: "0xzz" } }), "response.responseBody.abiEncodedData is not hex"],
      [withResponse({ responseBody: { abiEncodedData: 5 } }), "response.responseBody.abiEncodedData is not hex"],
      [withResponse({ attestationType: "0x12" }), "response.attestationType is not a 32-byte hex string"],
      [withResponse({ sourceId: 7 }), "response.sourceId is not a 32-byte hex string"],
      [withResponse({ requestBody: { ...requestBody, url: 7 } }), "response.requestBody.url is not a string"],
      [withResponse({ requestBody: { ...requestBody, abiSignature: undefined } }), "response.requestBody.abiSignature is not a string"],
    ];
    for (const [answer, message] of cases) {
      const error = refusal(answer);
      expect(error, message).toBeInstanceOf(DaAnswerError);
      expect(error.name).toBe("DaAnswerError");
      expect(error.message, message).toBe(message);
    }
  });

  it("takes a uint64 as a plain decimal string or a safe non-negative JSON number, nothing else", () => {
    const decoded = decodedForm(PUBLISHED_DA_RESPONSE_HEX, "string");
    const parse = (over: Record<string, unknown>) => parseDaProofAnswer({ response: { ...decoded, ...over }, proof: PUBLISHED_DA_PROOF });
    const round = (hex: string | undefined) => decodeResponseHex(hex ?? "").votingRound;
    expect(round(parse({ votingRound: "18446744073709551615" })?.responseHex)).toBe((1n << 64n) - 1n);
    expect(round(parse({ votingRound: 0 })?.responseHex)).toBe(0n);
    for (const field of ["votingRound", "lowestUsedTimestamp"]) {
      for (const bad of ["18446744073709551616", "x5", "5x", "-1", "01", "", true, null, {}]) {
        expect(() => parse({ [field]: bad }), `${field} ${JSON.stringify(bad)}`).toThrow(new RegExp(`^response\\.${field} is not a uint64$`));
      }
      for (const bad of [-1, 1.5]) expect(() => parse({ [field]: bad }), `${field} ${bad}`).toThrow(DaAnswerError);
    }
  });
});

describe("the stand-in answers as the chosen verifier release, and the connector reads both", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-da-"));
  let publisher: Awaited<ReturnType<typeof startPublisher>>;
  const lines = [{ subscriptionId: 9n, family: "gpt-4", tokens: 500n, requests: 1n, requestsRoot: rootOf(1) }];
  const stored: StoredProof[] = [];
  // Only proofOf is consulted by the server; the lookup rule is the engine's own.
  const engine = { proofOf: (bytes: string) => stored.find((p) => p.requestBytes === daRequestKey(bytes)) } as unknown as RoundEngine;
  const servers: FlareLocalServer[] = [];
  beforeAll(async () => {
    publisher = await startPublisher({ stateDir: dir });
    // The publisher serves a window only beside the digest the connector recorded for it.
    const doc = reportDocument(5n, lines);
    const state = new ConnectorState(dir);
    state.put({ window: "5", stage: "aggregated", updatedAt: "", summary: { digest: doc.digest, lineCount: doc.lineCount, totalTokens: doc.totalTokens }, rows: { count: 1, late: 0 } });
    publishDocuments(state.publishedDir, 5n, serializeDocument(doc), serializeDocument(summaryDocument(summarize(5n, lines))));
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await publisher.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const release of ["v1.6.0-rc.0", "v1.5.0"] as const) {
    it(`verifier ${release}: lowestUsedTimestamp ${lowestUsedTimestampOf(release)} in prepareResponse, in the MIC, and through the DA to the connector`, async () => {
      const server = await startFlareLocalServer({ apiKey: "k", policy: { allowLoopbackHttp: true }, verifierRelease: release, engine });
      servers.push(server);
      const body = requestBodyFor(publisher.url, 5n);
      const prepared = await (
        await fetch(`${server.url}/verifier/web2/Web2Json/prepareResponse`, {
          method: "POST",
          headers: { "x-api-key": "k", "content-type": "application/json" },
          body: JSON.stringify({ attestationType: "0x576562324a736f6e000000000000000000000000000000000000000000000000", sourceId: "0x5075626c69635765623200000000000000000000000000000000000000000000", requestBody: body }),
        })
      ).json();
      expect((prepared as { response: { lowestUsedTimestamp: string } }).response.lowestUsedTimestamp).toBe(release === "v1.5.0" ? "0" : "0xffffffffffffffff");

      const requestBytes = await prepareRequest(server.url, "k", body);
      const request = decodeWeb2JsonRequest(requestBytes);
      const response = web2JsonResponse({ votingRound: 77n, lowestUsedTimestamp: lowestUsedTimestampOf(release), requestBody: body, responseBody: { abiEncodedData: "0x" } });
      // The MIC binds the release's lowestUsedTimestamp.
      const withData = { ...response, votingRound: 0n, responseBody: { abiEncodedData: (prepared as { response: { responseBody: { abiEncodedData: string } } }).response.responseBody.abiEncodedData } };
      expect(messageIntegrityCode(withData)).toBe(request.messageIntegrityCode);

      const attested = { ...withData, votingRound: 77n };
      stored.push({ votingRound: 77n, requestBytes, response: attested, responseHex: encodeWeb2JsonResponse(attested), proof: [] });
      const viaRaw = await fetchProof(server.url, undefined, requestBytes, 77n);
      expect(viaRaw?.votingRound).toBe(77n);
      expect(decodeResponseHex(viaRaw!.responseHex).lowestUsedTimestamp).toBe(lowestUsedTimestampOf(release));
      // The decoded endpoint (v1 JSON numbers): exact for 0, refused for the 2^64-1 sentinel.
      const decoded = await (await fetch(`${server.url}/api/v1/fdc/proof-by-request-round`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ requestBytes }) })).json();
      if (release === "v1.5.0") expect(parseDaProofAnswer(decoded)?.responseHex).toBe(viaRaw!.responseHex);
      else expect(() => parseDaProofAnswer(decoded)).toThrow(/beyond 2\^53/);
    });
  }

  it("the verifier refuses another attestation type or source with HTTP 400, in Flare's words", async () => {
    const res = await fetch(`${servers[0]!.url}/verifier/web2/Web2Json/prepareRequest`, {
      method: "POST",
      headers: { "x-api-key": "k", "content-type": "application/json" },
      body: JSON.stringify({ attestationType: "0x576562324a736f6e000000000000000000000000000000000000000000000000", sourceId: "0x7465737449676e69746500000000000000000000000000000000000000000000", requestBody: requestBodyFor(publisher.url, 5n) }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(
      "Attestation type and source id combination not supported: Web2Json/testIgnite. Supported attestation type: 'Web2Json'. Supported source ids: [PublicWeb2].",
    );
  });

  it("the DA matches request bytes as given (lowercase hex, optional 0x) and says 400 when it has none", async () => {
    const server = servers[0]!;
    const bytes = stored[0]!.requestBytes;
    const ask = async (requestBytes: string) => (await fetch(`${server.url}/api/v1/fdc/proof-by-request-round-raw`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ requestBytes }) })).status;
    expect(await ask(bytes)).toBe(200);
    expect(await ask(bytes.slice(2))).toBe(200);
    expect(await ask(`0x${bytes.slice(2).toUpperCase()}`)).toBe(400);
    expect(await ask("")).toBe(400);
  });
});
