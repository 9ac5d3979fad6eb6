import { isRequestsRoot, reportDigest, summarize, validateLines, type UsageLine, type UsageSummary } from "../report";
import { FlareFlowError, messageOf } from "../errors";

/**
 * The published documents of a window. Every uint64 is a decimal string: Flare's verifiers parse
 * the JSON with JavaScript, where numbers above 2^53 lose digits; ethers ABI-encodes a decimal
 * string as a uint64 exactly. The summary holds the four fields the jq filter picks.
 */

export type SummaryDocument = { window: string; digest: string; lineCount: string; totalTokens: string };
export type LineDocument = { subscriptionId: string; family: string; tokens: string; requests: string; requestsRoot: string };
export type ReportDocument = SummaryDocument & { lines: LineDocument[] };

export function summaryDocument(summary: UsageSummary): SummaryDocument {
  return {
    window: summary.window.toString(),
    digest: summary.digest,
    lineCount: summary.lineCount.toString(),
    totalTokens: summary.totalTokens.toString(),
  };
}

/** The report of a window's lines (validated, in report order). */
export function reportDocument(window: bigint, lines: readonly UsageLine[]): ReportDocument {
  const summary = summarize(window, lines);
  return {
    ...summaryDocument(summary),
    lines: lines.map((l) => ({
      subscriptionId: l.subscriptionId.toString(),
      family: l.family,
      tokens: l.tokens.toString(),
      requests: l.requests.toString(),
      requestsRoot: l.requestsRoot,
    })),
  };
}

/** The exact bytes served: canonical JSON (fixed key order, no spaces), newline-terminated. */
export function serializeDocument(doc: SummaryDocument | ReportDocument): string {
  return `${JSON.stringify(doc)}\n`;
}

export class InvalidReportError extends FlareFlowError {
  override readonly name = "InvalidReportError";
  override readonly docs = "README.md#verifiable-bills";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function uint64(value: unknown, what: string): bigint {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(value)) {
    throw new InvalidReportError(`${what} is not a decimal uint64 string: ${JSON.stringify(value)}`);
  }
  const n = BigInt(value);
  if (n >= 1n << 64n) throw new InvalidReportError(`${what} exceeds uint64`);
  return n;
}

/**
 * Parses a fetched report (an oracle's input: never trusted). Checks the lines are a valid
 * report and that the window, digest, count and total agree with them.
 */
export function parseReportDocument(body: unknown): { window: bigint; lines: UsageLine[]; summary: UsageSummary } {
  if (!isRecord(body)) throw new InvalidReportError("report is not a JSON object");
  const window = uint64(body.window, "window");
  if (!Array.isArray(body.lines)) throw new InvalidReportError("report.lines is not an array");
  const lines: UsageLine[] = body.lines.map((raw: unknown, i: number) => {
    if (!isRecord(raw)) throw new InvalidReportError(`line ${i} is not an object`);
    if (typeof raw.family !== "string") throw new InvalidReportError(`line ${i}: family is not a string`);
    if (!isRequestsRoot(raw.requestsRoot)) throw new InvalidReportError(`line ${i}: requestsRoot is not 32 bytes of lowercase 0x-hex: ${JSON.stringify(raw.requestsRoot)}`);
    return {
      subscriptionId: uint64(raw.subscriptionId, `line ${i} subscriptionId`),
      family: raw.family,
      tokens: uint64(raw.tokens, `line ${i} tokens`),
      requests: uint64(raw.requests, `line ${i} requests`),
      requestsRoot: raw.requestsRoot,
    };
  });
  try {
    validateLines(lines);
  } catch (error) {
    throw new InvalidReportError(`report lines are invalid: ${messageOf(error)}`, { cause: error });
  }
  const summary = summarize(window, lines);
  if (body.digest !== summary.digest) throw new InvalidReportError(`report digest ${String(body.digest)} is not the digest of its lines ${summary.digest}`);
  if (uint64(body.lineCount, "lineCount") !== summary.lineCount) throw new InvalidReportError("report lineCount does not match its lines");
  if (uint64(body.totalTokens, "totalTokens") !== summary.totalTokens) throw new InvalidReportError("report totalTokens does not match its lines");
  return { window, lines, summary };
}

export { reportDigest };
