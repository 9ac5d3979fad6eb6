import { AbiCoder, dataSlice, keccak256, toBeHex } from "ethers";
import { describe, expect, it } from "vitest";
import { ConnectorError } from "../../src/connector/errors";
import { checkProof, decodeResponseHex } from "../../src/connector/prove";
import type { FlareContracts } from "../../src/connector/flare-contracts";
import {
  PUBLIC_WEB2_SOURCE_ID,
  WEB2JSON_ATTESTATION_TYPE,
  WEB2JSON_LOWEST_USED_TIMESTAMP_UNTIL_V1_5,
  Web2JsonRequestDecodeError,
  decodeWeb2JsonRequest,
  encodeWeb2JsonRequest,
  messageIntegrityCode,
  web2JsonLeaf,
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
