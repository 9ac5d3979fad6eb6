import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { writeFileOnce } from "./durable";

/**
 * The report publisher: immutable JSON at `/reports/<w>` (window, digest, count, total, lines)
 * and `/reports/<w>/summary` (the four fields Flare attests). Every Flare data provider fetches
 * the summary on its own and all must see the same bytes, so a published file is written once
 * and never changes. Flare's verifiers fetch only public HTTPS within 5 s and 100 KiB and require
 * `application/json`; on Coston2 put this server behind a public HTTPS address.
 */

const WINDOW_PATH = /^\/reports\/(0|[1-9][0-9]{0,19})(\/summary)?$/;
const MAX_SUMMARY_BYTES = 100 * 1024;

export function publishedFiles(publishedDir: string, window: bigint): { report: string; summary: string } {
  const base = path.join(publishedDir, "reports", window.toString());
  return { report: `${base}.json`, summary: `${base}.summary.json` };
}

/** Publishes a window's two documents (idempotent: same bytes again is fine, other bytes are refused). */
export function publishDocuments(publishedDir: string, window: bigint, report: string, summary: string): void {
  if (Buffer.byteLength(summary) > MAX_SUMMARY_BYTES) throw new Error(`window ${window}: summary exceeds Flare's 100 KiB fetch limit`);
  const files = publishedFiles(publishedDir, window);
  // The summary last: once it exists, the report beside it is complete.
  writeFileOnce(files.report, report);
  writeFileOnce(files.summary, summary);
}

export type Publisher = { url: string; port: number; stop(): Promise<void> };

export async function startPublisher(options: { publishedDir: string; host?: string; port?: number }): Promise<Publisher> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://publisher");
    const match = WINDOW_PATH.exec(url.pathname);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json" }).end('{"error":"method not allowed"}');
      return;
    }
    if (!match) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    const files = publishedFiles(options.publishedDir, BigInt(match[1]));
    const file = match[2] ? files.summary : files.report;
    let body: Buffer;
    try {
      body = fs.readFileSync(file);
    } catch {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"no such report"}');
      return;
    }
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": body.length,
      "cache-control": "public, max-age=31536000, immutable",
      etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("publisher: no port");
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${address.port}`,
    port: address.port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
