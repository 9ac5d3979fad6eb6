import * as fs from "node:fs";
import * as path from "node:path";
import type { NonSharedBuffer } from "node:buffer";
import { createHash } from "node:crypto";
import { Hono } from "hono";
import { errorBody, HttpError } from "../http/error";
import { pathOf, renderErrors, serve, type NodeEnv } from "../http/server";
import { createLogger, type Logger } from "../log";
import { DEV_PORTS } from "../config/endpoints";
import { port, readEnv } from "../config/env";
import { writeFileOnce } from "./durable";
import { ConnectorError, ConnectorStateError } from "./errors";
import { parseReportDocument, reportDocument, serializeDocument, summaryDocument } from "./report-doc";
import { readWindowRecord, type WindowRecord } from "./state";
import { messageOf } from "../errors";

/**
 * The report publisher: immutable JSON at `/reports/<w>` (window, digest, count, total, lines)
 * and `/reports/<w>/summary` (the four fields Flare attests). Every Flare data provider fetches
 * the summary on its own and all must see the same bytes, so a published file is written once
 * and never changes. Flare's verifiers fetch only public HTTPS within 5 s and 100 KiB and require
 * `application/json`; on Coston2 put this server behind a public HTTPS address. Any origin may
 * read the documents (CORS `*`): a customer's browser verifies bills from them.
 *
 * It is the internet-facing part of the connector and holds no secret: it reads the connector's
 * state directory (the published files and each window's record) and nothing else. Before
 * serving a file it checks it against the digest the connector recorded for its window, so a
 * file changed or cut short on disk is refused (500, logged), never served as immutable.
 */

const WINDOW_PATH = /^\/reports\/(0|[1-9][0-9]{0,19})(\/summary)?$/;
const MAX_SUMMARY_BYTES = 100 * 1024;

export function publishedFiles(publishedDir: string, window: bigint): { report: string; summary: string } {
  const base = path.join(publishedDir, "reports", window.toString());
  return { report: `${base}.json`, summary: `${base}.summary.json` };
}

/** Publishes a window's two documents (idempotent: same bytes again is fine, other bytes are refused). */
export function publishDocuments(publishedDir: string, window: bigint, report: string, summary: string): void {
  if (Buffer.byteLength(summary) > MAX_SUMMARY_BYTES) throw new ConnectorError("rejected", `window ${window}: summary exceeds Flare's 100 KiB fetch limit`);
  const files = publishedFiles(publishedDir, window);
  // The summary last: once it exists, the report beside it is complete.
  writeFileOnce(files.report, report);
  writeFileOnce(files.summary, summary);
}

export type Publisher = { url: string; port: number; stop(): Promise<void> };

export type PublisherOptions = {
  /** The connector's state directory: `published/` is served, `windows/<w>.json` holds each window's digest. */
  stateDir: string;
  host?: string;
  port?: number;
  /** Where refusals are logged (default: src/log.ts's logger, as service "publisher"). */
  log?: Logger;
};

type Answer = { status: number; body: NonSharedBuffer; immutable: boolean; etag?: string };

const json = (status: number, code: string, message: string): Answer => ({ status, body: Buffer.from(`${JSON.stringify(errorBody(code, message))}\n`), immutable: false });

/** The digest and counts the connector recorded for `window` (its record read through the state's schema), or null when it recorded none. */
function recordedSummary(stateDir: string, window: bigint): WindowRecord["summary"] | null {
  return readWindowRecord(path.join(stateDir, "windows", `${window}.json`), window)?.summary ?? null;
}

/**
 * Files already found to be exactly what their window's record implies, by path, content hash
 * and recorded summary: a 30,000-line report takes seconds to parse and hash again, and every
 * oracle and bill verifier asks for it. A changed file or record is a new key, checked again.
 */
class CheckedFiles {
  private readonly keys = new Set<string>();
  constructor(private readonly max = 10_000) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    if (this.keys.size >= this.max) this.keys.delete(this.keys.values().next().value as string);
    this.keys.add(key);
  }
}

/** Throws unless `bytes` are exactly the file that the record of `window` implies. */
function verified(stateDir: string, window: bigint, summary: boolean, bytes: Buffer, sha256: string, checked: CheckedFiles): void {
  const recorded = recordedSummary(stateDir, window);
  if (recorded === null) throw new ConnectorStateError(`no window record holds the digest of window ${window}`);
  const key = `${window}:${summary ? "summary" : "report"}:${sha256}:${recorded.digest}:${recorded.lineCount}:${recorded.totalTokens}`;
  if (checked.has(key)) return;
  if (summary) {
    const expected = serializeDocument(
      summaryDocument({ window, digest: recorded.digest, lineCount: BigInt(recorded.lineCount), totalTokens: BigInt(recorded.totalTokens) }),
    );
    if (!bytes.equals(Buffer.from(expected))) throw new ConnectorStateError(`the summary differs from the one recorded for window ${window}`);
  } else {
    const parsed = parseReportDocument(JSON.parse(bytes.toString("utf8")) as unknown);
    if (parsed.window !== window) throw new ConnectorStateError(`the report names window ${parsed.window}`);
    if (parsed.summary.digest !== recorded.digest) throw new ConnectorStateError(`the report's digest ${parsed.summary.digest} is not the one recorded (${recorded.digest})`);
    if (!bytes.equals(Buffer.from(serializeDocument(reportDocument(window, parsed.lines))))) throw new ConnectorStateError("the report is not in its canonical form");
  }
  checked.add(key);
}

function answer(stateDir: string, url: string, log: Logger, refused: Set<string>, checked: CheckedFiles): Answer {
  const match = WINDOW_PATH.exec(url);
  if (!match) return json(404, "not_found", "no such document: the publisher serves /reports/<window> and /reports/<window>/summary");
  const window = BigInt(match[1] as string);
  const summary = match[2] !== undefined;
  const files = publishedFiles(path.join(stateDir, "published"), window);
  const file = summary ? files.summary : files.report;
  let bytes: NonSharedBuffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return json(404, "not_found", `no ${summary ? "summary" : "report"} for window ${window}`);
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  try {
    verified(stateDir, window, summary, bytes, sha256, checked);
  } catch (error) {
    // Once per file and content, so a client retrying a damaged file does not flood the log.
    const seen = `${file}:${sha256}`;
    if (!refused.has(seen)) {
      refused.add(seen);
      log.error({ url, file, window: window.toString() }, `publisher: refusing ${url}: ${file} does not match window ${window}'s record (${messageOf(error)})`);
    }
    return json(500, "digest_mismatch", "the published file does not match its recorded digest");
  }
  return { status: 200, body: bytes, immutable: true, etag: sha256.slice(0, 32) };
}

export async function startPublisher(options: PublisherOptions): Promise<Publisher> {
  const log = options.log ?? createLogger("publisher");
  const refused = new Set<string>();
  const checked = new CheckedFiles();
  const app = new Hono<NodeEnv>({ getPath: pathOf });
  // GET, and HEAD through it: hono answers a HEAD with the GET's status and headers, no body.
  app.get("*", (c) => {
    const a = answer(options.stateDir, pathOf(c.req.raw), log, refused, checked);
    return new Response(a.body, {
      status: a.status,
      headers: {
        "content-type": "application/json",
        "content-length": String(a.body.length),
        // Public documents: any page may read them (the bill verifier in a customer's browser).
        // No credentials are ever involved, so the wildcard exposes nothing.
        "access-control-allow-origin": "*",
        ...(a.immutable ? { "cache-control": "public, max-age=31536000, immutable", etag: `"${a.etag ?? ""}"` } : { "cache-control": "no-store" }),
      },
    });
  });
  app.all("*", () => {
    const refused = json(405, "method_not_allowed", "the publisher takes GET and HEAD only");
    return new Response(refused.body, { status: refused.status, headers: { allow: "GET, HEAD", "content-type": "application/json" } });
  });
  renderErrors(app, {
    internal: new HttpError(500, errorBody("internal", "internal error; see the publisher log"), { "cache-control": "no-store" }),
    onInternal: (error) => log.error({ err: error }, `publisher: ${messageOf(error)}`),
  });
  const server = await serve(app, { host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  return { url: server.url, port: server.port, stop: () => server.close() };
}

/**
 * What `connector -- publish` needs, from the environment: the state directory and where to
 * listen. No key, no URL of any other service: the publisher reads files.
 */
export function publisherOptionsFromEnv(stateDir: string, env: Readonly<Record<string, string | undefined>>): PublisherOptions {
  const listen = readEnv(port("FLAREFLOW_PUBLISHER_PORT", DEV_PORTS.publisher), env.FLAREFLOW_PUBLISHER_PORT, (message) => new ConnectorError("config", message));
  return { stateDir, host: env.FLAREFLOW_PUBLISHER_HOST ?? "127.0.0.1", port: listen };
}
