import { AbiCoder, concat, dataSlice, keccak256, toBeHex, toUtf8Bytes } from "ethers";
import { describe, expect, it } from "vitest";
import { ConnectorError } from "../../src/connector/errors";
import { checkProof, decodeResponseHex } from "../../src/connector/prove";
import type { FlareContracts } from "../../src/connector/flare-contracts";
import {
  PUBLIC_WEB2_SOURCE_ID,
  WEB2JSON_ATTESTATION_TYPE,
  WEB2JSON_LOWEST_USED_TIMESTAMP_UNTIL_V1_5,
  Web2JsonRequestDecodeError,
  buildRoundProofs,
  buildWeb2JsonProof,
  decodeWeb2JsonRequest,
  encodeWeb2JsonRequest,
  messageIntegrityCode,
  reportRequestSpec,
  requestSpecHash,
  verifyFlareMerkleProof,
  web2JsonLeaf,
  web2JsonResponse,
} from "../../src/fdc";
import { PUBLISHED_DA_RESPONSE_HEX, PUBLISHED_REQUEST_BODY, PUBLISHED_WEB2JSON_REQUEST } from "./fixtures/flare-web2json-vectors";

// Issue 14, point 1: Flare's request layout, checked against Flare's published bytes.

const word = (hex: string, i: number) => dataSlice(hex, 32 * i, 32 * (i + 1));

/** The layout this project used before: the four fields as one parameter list (word 3 = 0x80). */
function oldLayout(hex: string): string {
  const r = decodeWeb2JsonRequest(hex);
  const b = r.requestBody;
  return AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "bytes32", "tuple(string,string,string,string,string,string,string)"],
    [r.attestationType, r.sourceId, r.messageIntegrityCode, [b.url, b.httpMethod, b.headers, b.queryParams, b.body, b.postProcessJq, b.abiSignature]],
  );
}

describe("Web2Json request bytes (Flare's layout)", () => {
  it("decodes Flare's published request: three header words, then abi.encode(requestBody) (word 3 = 0x20)", () => {
    expect(word(PUBLISHED_WEB2JSON_REQUEST, 3)).toBe(toBeHex(0x20, 32));
    const request = decodeWeb2JsonRequest(PUBLISHED_WEB2JSON_REQUEST);
    expect(request.attestationType).toBe(WEB2JSON_ATTESTATION_TYPE);
    expect(request.sourceId).toBe(PUBLIC_WEB2_SOURCE_ID);
    expect(request.messageIntegrityCode).toBe("0x64f3f301397c2dfa2f9043325e161596786109b9195520ca8623a6c6d46cf4b6");
    expect(request.requestBody).toEqual(PUBLISHED_REQUEST_BODY);
  });

  it("encodes byte for byte what Flare's verifier produced", () => {
    const request = decodeWeb2JsonRequest(PUBLISHED_WEB2JSON_REQUEST);
    expect(encodeWeb2JsonRequest(request)).toBe(PUBLISHED_WEB2JSON_REQUEST.toLowerCase());
  });

  it("the message integrity code of the published request is keccak256(abi.encode(response with round 0, \"Flare\")) of the DA's published response", () => {
    const response = decodeResponseHex(PUBLISHED_DA_RESPONSE_HEX);
    expect(response.lowestUsedTimestamp).toBe(WEB2JSON_LOWEST_USED_TIMESTAMP_UNTIL_V1_5);
    expect(response.requestBody).toEqual(PUBLISHED_REQUEST_BODY);
    expect(messageIntegrityCode(response)).toBe(decodeWeb2JsonRequest(PUBLISHED_WEB2JSON_REQUEST).messageIntegrityCode);
    // The leaf is keccak256 of the exact response bytes the DA layer serves.
    expect(web2JsonLeaf(response)).toBe(keccak256(PUBLISHED_DA_RESPONSE_HEX));
  });

  it("refuses the old one-parameter-list layout (word 3 = 0x80), trailing bytes and non-hex with a clear error", () => {
    const old = oldLayout(PUBLISHED_WEB2JSON_REQUEST);
    expect(word(old, 3)).toBe(toBeHex(0x80, 32));
    expect(() => decodeWeb2JsonRequest(old)).toThrow(Web2JsonRequestDecodeError);
    expect(() => decodeWeb2JsonRequest(`${PUBLISHED_WEB2JSON_REQUEST}00`)).toThrow(Web2JsonRequestDecodeError);
    expect(() => decodeWeb2JsonRequest(`${PUBLISHED_WEB2JSON_REQUEST}${"00".repeat(32)}`)).toThrow(/canonical/);
    expect(() => decodeWeb2JsonRequest(PUBLISHED_WEB2JSON_REQUEST.slice(0, 2 + 64 * 3))).toThrow(/shorter/);
    expect(() => decodeWeb2JsonRequest("0xzz")).toThrow(/hex/);
  });

  it("a request of exactly three header words and one body word is read as a body (and refused as one), with the ABI decoder's reason", () => {
    const error = (() => {
      try {
        decodeWeb2JsonRequest(PUBLISHED_WEB2JSON_REQUEST.slice(0, 2 + 64 * 4));
      } catch (e) {
        return e as Error;
      }
      throw new Error("not refused");
    })();
    expect(error).toBeInstanceOf(Web2JsonRequestDecodeError);
    expect(error.name).toBe("Web2JsonRequestDecodeError");
    expect(error.message).toMatch(/^the body after the three header words is not an ABI-encoded IWeb2Json.RequestBody \(data out-of-bounds\)$/);
  });

  it("checkProof turns undecodable bytes into a ConnectorError, never a raw ethers error", async () => {
    const noRelay = {} as FlareContracts;
    const fetched = { votingRound: 979721n, responseHex: PUBLISHED_DA_RESPONSE_HEX, merkleProof: [] };
    const expected = { window: 1n, digest: `0x${"00".repeat(32)}`, lineCount: 1n, totalTokens: 1n };
    const bad = oldLayout(PUBLISHED_WEB2JSON_REQUEST);
    await expect(checkProof(noRelay, fetched, bad, expected)).rejects.toBeInstanceOf(ConnectorError);
    await expect(checkProof(noRelay, { ...fetched, responseHex: "0x1234" }, PUBLISHED_WEB2JSON_REQUEST, expected)).rejects.toThrow(ConnectorError);
    // Real bytes decode; the check then fails on our own summary, as a ConnectorError too.
    await expect(checkProof(noRelay, fetched, PUBLISHED_WEB2JSON_REQUEST, expected)).rejects.toThrow(/not a usage summary|attested summary/);
  });
});

describe("a voting round's proofs", () => {
  const attestation = (votingRound: bigint, url: string) => ({
    votingRound,
    requestBody: { ...PUBLISHED_REQUEST_BODY, url },
    responseBody: { abiEncodedData: "0x1234" },
  });

  it("a response alone in its round proves into the round's root; beside other leaves too", () => {
    const alone = buildWeb2JsonProof(attestation(7n, "https://a.example/s"));
    expect(alone.root).toBe(alone.leaf);
    expect(alone.proof.merkleProof).toEqual([]);
    expect(alone.leaf).toBe(web2JsonLeaf(alone.proof.data));
    const others = [keccak256("0x01"), keccak256("0x02")];
    const beside = buildWeb2JsonProof(attestation(7n, "https://a.example/s"), others);
    expect(beside.root).not.toBe(beside.leaf);
    expect(beside.proof.merkleProof.length).toBeGreaterThan(0);
    expect(verifyFlareMerkleProof(beside.leaf, beside.proof.merkleProof, beside.root)).toBe(true);
  });

  it("every response of a round proves into one root; a round needs a response and one voting round", () => {
    const responses = [web2JsonResponse(attestation(9n, "https://a.example/1")), web2JsonResponse(attestation(9n, "https://a.example/2"))];
    const round = buildRoundProofs(responses);
    expect(round.tree.leafCount).toBe(2);
    round.proofs.forEach((p, i) => {
      expect(p.data).toBe(responses[i]);
      expect(verifyFlareMerkleProof(web2JsonLeaf(responses[i]), p.merkleProof, round.root)).toBe(true);
    });
    expect(() => buildRoundProofs([])).toThrow(/^a round needs at least one response$/);
    const mixed = [responses[0], web2JsonResponse(attestation(10n, "https://a.example/3"))];
    expect(() => buildRoundProofs(mixed)).toThrow(/^responses of different voting rounds$/);
    expect(() => buildRoundProofs([responses[0], { ...responses[1], votingRound: 8n }])).toThrow(/different voting rounds/);
  });
});

describe("the pinned request spec's hash", () => {
  it("is UsageReportVerifier's: keccak256 of the six field hashes as one bytes32[6], binding each field and not the source id", () => {
    const spec = reportRequestSpec();
    const fields = [spec.httpMethod, spec.headers, spec.queryParams, spec.body, spec.postProcessJq, spec.abiSignature];
    // abi.encode(bytes32[6]) is the six words back to back.
    expect(requestSpecHash(spec)).toBe(keccak256(concat(fields.map((f) => keccak256(toUtf8Bytes(f))))));
    for (const field of ["httpMethod", "headers", "queryParams", "body", "postProcessJq", "abiSignature"] as const) {
      expect(requestSpecHash({ ...spec, [field]: `${spec[field]} ` }), field).not.toBe(requestSpecHash(spec));
    }
    expect(requestSpecHash({ ...spec, sourceId: WEB2JSON_ATTESTATION_TYPE })).toBe(requestSpecHash(spec));
  });
});
