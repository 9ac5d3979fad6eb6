import { getBytes, hexlify, id, keccak256 } from "ethers";
// The report structs' ABI from the compiler's artifact (named import: a bundler keeps only `abi`).
import { abi } from "../../artifacts/solidity/contracts/UsageReportAbi.sol/IUsageReportAbi.json";
import { abiParameter, tupleType } from "../evm/abi";
import { familyToBytes32, validateLines, type UsageLine } from "./lines";
import { UINT64_MAX } from "../pricing/units";
import { FlareFlowError } from "../errors";

/**
 * keccak256("FlareFlow.UsageReport.v2"): the report digest's domain separator. v2 added each
 * line's requestsRoot; a v1 digest can never equal a v2 one.
 */
export const REPORT_DOMAIN: string = id("FlareFlow.UsageReport.v2");

/** ABI type of a report line: Solidity `UsageLine`, from the compiler's artifact. */
export const LINE_TUPLE: string = tupleType(abiParameter(abi, "usageLine", "line"));

/** The ABI values of lines (validated beforehand). */
export function lineTuples(lines: readonly UsageLine[]): unknown[][] {
  return lines.map((l) => [l.subscriptionId, familyToBytes32(l.family), l.tokens, l.requests, l.requestsRoot]);
}

/** ABI types of the digest preimage: (bytes32 domain, uint64 window, UsageLine[] lines). */
export const REPORT_ENCODING_TYPES = ["bytes32", "uint64", `${LINE_TUPLE}[]`] as const;

function checkWindow(window: bigint): void {
  if (window < 0n || window > UINT64_MAX) throw new RangeError(`window ${window} is not a uint64`);
}

/**
 * The layout the direct encoder below writes: UsageLine as the artifact has it, a static tuple
 * (every field one word), so abi.encode puts each element's fields inline, one word each. Checked
 * when this module loads: a change to the Solidity struct stops here instead of hashing wrongly.
 */
const LINE_FIELDS = ["uint64 subscriptionId", "bytes32 family", "uint64 tokens", "uint64 requests", "bytes32 requestsRoot"];
if (LINE_TUPLE !== `(${LINE_FIELDS.join(", ")})`) throw new FlareFlowError(`UsageLine changed in the artifact (${LINE_TUPLE}): the report encoder writes ${LINE_FIELDS.join(", ")}`);

const WORD = 32;
const ascii = new TextEncoder();

/** A validated uint64 into the last 8 bytes of word `word`. */
function putUint64(out: DataView, word: number, value: bigint): void {
  out.setBigUint64(word * WORD + WORD - 8, value);
}

/** A head word: a bytes32 as 0x-hex, or a uint64. */
export type HeadWord = string | bigint;

/**
 * abi.encode(...head, UsageLine[] lines) as bytes, written directly, for a head of static words
 * (bytes32 or uint64): the report digest's preimage and each chunk's. ethers' AbiCoder took 8 s for
 * a 30,000-line report (10,000 subscriptions), and the connector, each oracle, the publisher and
 * every bill verifier hash reports. test/unit/report.test.ts holds it equal to AbiCoder over the
 * same types. Validates the lines first (sorted, unique, in range).
 */
export function encodeWithLines(head: readonly HeadWord[], lines: readonly UsageLine[]): Uint8Array {
  validateLines(lines);
  const headWords = head.length + 2;
  const bytes = new Uint8Array((headWords + LINE_FIELDS.length * lines.length) * WORD);
  const view = new DataView(bytes.buffer);
  head.forEach((value, word) => {
    if (typeof value === "bigint") {
      if (value < 0n || value > UINT64_MAX) throw new RangeError(`head word ${word} (${value}) is not a uint64`);
      putUint64(view, word, value);
    } else {
      const b = getBytes(value);
      if (b.length !== WORD) throw new RangeError(`head word ${word} is not 32 bytes`);
      bytes.set(b, word * WORD);
    }
  });
  view.setUint32(head.length * WORD + WORD - 4, (head.length + 1) * WORD);
  view.setUint32((head.length + 1) * WORD + WORD - 4, lines.length);
  let word = headWords;
  for (const line of lines) {
    putUint64(view, word, line.subscriptionId);
    // Printable ASCII of at most 31 bytes (validated): left-aligned, zero-padded.
    ascii.encodeInto(line.family, bytes.subarray((word + 1) * WORD, (word + 2) * WORD));
    putUint64(view, word + 2, line.tokens);
    putUint64(view, word + 3, line.requests);
    bytes.set(getBytes(line.requestsRoot), (word + 4) * WORD);
    word += LINE_FIELDS.length;
  }
  return bytes;
}

/**
 * abi.encode(REPORT_DOMAIN, uint64 window, UsageLine[] lines), the digest preimage, as 0x-hex.
 * Validates the lines first (sorted, unique, in range).
 */
export function encodeReport(window: bigint, lines: readonly UsageLine[]): string {
  checkWindow(window);
  return hexlify(encodeWithLines([REPORT_DOMAIN, window], lines));
}

/** keccak256(encodeReport(window, lines)): what Coston2 stores and Flow recomputes. */
export function reportDigest(window: bigint, lines: readonly UsageLine[]): string {
  checkWindow(window);
  return keccak256(encodeWithLines([REPORT_DOMAIN, window], lines));
}
