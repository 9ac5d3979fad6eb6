/**
 * LiteLLM's spend-log table in PostgreSQL, for tests and benchmarks of the connector's database
 * path: the layout of "LiteLLM_SpendLogs" in LiteLLM 1.110.2 (`litellm/proxy/schema.prisma`,
 * model LiteLLM_SpendLogs; column types as Prisma's migrations create them, e.g.
 * litellm-proxy-extras 0.4.110 `migrations/20250326162113_baseline`: TEXT, DOUBLE PRECISION,
 * INTEGER, TIMESTAMP(3) without time zone holding UTC, JSONB), with its indexes, and a bulk
 * writer (COPY) standing in for LiteLLM's batched spend writer. The table is written by this
 * module only; the connector reads it with its own query (src/connector/spend-db.ts).
 */
import type { Sql } from "postgres";
import type { SpendLogRecord } from "./types";

export const SPEND_LOGS_TABLE = "LiteLLM_SpendLogs";

/** A row's columns (the stand-in's own bookkeeping fields left out). */
export type SpendLogColumns = Omit<SpendLogRecord, "seq" | "visible_at">;

/** CREATE TABLE and indexes as LiteLLM 1.110.2 declares them. */
export const SPEND_LOGS_DDL = [
  `CREATE TABLE "LiteLLM_SpendLogs" (
    "request_id" TEXT NOT NULL,
    "call_type" TEXT NOT NULL,
    "api_key" TEXT NOT NULL DEFAULT '',
    "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
    "total_tokens" INTEGER NOT NULL DEFAULT 0,
    "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
    "completion_tokens" INTEGER NOT NULL DEFAULT 0,
    "startTime" TIMESTAMP(3) NOT NULL,
    "endTime" TIMESTAMP(3) NOT NULL,
    "request_duration_ms" INTEGER,
    "completionStartTime" TIMESTAMP(3),
    "model" TEXT NOT NULL DEFAULT '',
    "model_id" TEXT DEFAULT '',
    "model_group" TEXT DEFAULT '',
    "custom_llm_provider" TEXT DEFAULT '',
    "api_base" TEXT DEFAULT '',
    "user" TEXT DEFAULT '',
    "metadata" JSONB DEFAULT '{}',
    "cache_hit" TEXT DEFAULT '',
    "cache_key" TEXT DEFAULT '',
    "request_tags" JSONB DEFAULT '[]',
    "team_id" TEXT,
    "organization_id" TEXT,
    "end_user" TEXT,
    "requester_ip_address" TEXT,
    "messages" JSONB DEFAULT '{}',
    "response" JSONB DEFAULT '{}',
    "session_id" TEXT,
    "status" TEXT,
    "mcp_namespaced_tool_name" TEXT,
    "billing_agent_id" TEXT,
    "agent_id" TEXT,
    "proxy_server_request" JSONB DEFAULT '{}',
    "litellm_call_id" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LiteLLM_SpendLogs_pkey" PRIMARY KEY ("request_id")
  )`,
  `CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs"("startTime")`,
  `CREATE INDEX "LiteLLM_SpendLogs_startTime_request_id_idx" ON "LiteLLM_SpendLogs"("startTime", "request_id")`,
  `CREATE INDEX "LiteLLM_SpendLogs_end_user_idx" ON "LiteLLM_SpendLogs"("end_user")`,
  `CREATE INDEX "LiteLLM_SpendLogs_session_id_idx" ON "LiteLLM_SpendLogs"("session_id")`,
  `CREATE INDEX "LiteLLM_SpendLogs_litellm_call_id_idx" ON "LiteLLM_SpendLogs"("litellm_call_id")`,
  `CREATE INDEX "LiteLLM_SpendLogs_api_key_startTime_idx" ON "LiteLLM_SpendLogs"("api_key", "startTime")`,
];

export async function createSpendLogsTable(sql: Sql): Promise<void> {
  for (const statement of SPEND_LOGS_DDL) await sql.unsafe(statement);
}

/** The columns COPY writes, in order. */
export const COPY_COLUMNS = [
  "request_id",
  "call_type",
  "api_key",
  "spend",
  "total_tokens",
  "prompt_tokens",
  "completion_tokens",
  "startTime",
  "endTime",
  "completionStartTime",
  "model",
  "model_id",
  "model_group",
  "custom_llm_provider",
  "api_base",
  "user",
  "metadata",
  "cache_hit",
  "cache_key",
  "request_tags",
  "team_id",
  "end_user",
  "requester_ip_address",
  "session_id",
  "status",
] as const;

const JSON_COLUMNS: ReadonlySet<string> = new Set(["metadata", "request_tags"]);
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A value in COPY's text format: \N for NULL, backslash escapes for the rest. */
function copyText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r") : text;
}

/** JSON of objects many rows share (one metadata object per key in bulk loads), written once each. */
const jsonOf = new WeakMap<object, string>();

function cell(value: unknown, json: boolean): string {
  if (value === null || value === undefined) return "\\N";
  if (!json) return copyText(typeof value === "string" ? value : String(value));
  if (typeof value !== "object") return copyText(JSON.stringify(value));
  let text = jsonOf.get(value);
  if (text === undefined) {
    text = copyText(JSON.stringify(value));
    jsonOf.set(value, text);
  }
  return text;
}

/** A timestamp(3) as LiteLLM stores it: the UTC wall-clock time, no zone. */
function utcTimestamp(iso: string): string {
  return new Date(iso).toISOString().replace("T", " ").replace("Z", "");
}

/** One spend row as a COPY line. `null` columns and absent status are written as NULL. */
export function copyLine(row: SpendLogColumns): string {
  const cells = COPY_COLUMNS.map((c) => {
    const v = (row as unknown as Record<string, unknown>)[c];
    if (c === "startTime" || c === "endTime" || c === "completionStartTime") return typeof v === "string" ? utcTimestamp(v) : "\\N";
    return cell(v, JSON_COLUMNS.has(c));
  });
  return `${cells.join("\t")}\n`;
}

/** Writes rows with COPY, in batches of text (LiteLLM writes its spend logs in batches too). */
export async function insertSpendLogs(sql: Sql, rows: Iterable<SpendLogColumns>, onProgress?: (written: number) => void): Promise<number> {
  const columns = COPY_COLUMNS.map((c) => `"${c}"`).join(", ");
  const stream = await sql.unsafe(`COPY "LiteLLM_SpendLogs" (${columns}) FROM STDIN`).writable();
  let written = 0;
  let chunk: string[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const text = chunk.join("");
    chunk = [];
    if (!stream.write(text)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
  };
  for (const row of rows) {
    chunk.push(copyLine(row));
    written++;
    if (chunk.length >= 5000) {
      await flush();
      onProgress?.(written);
    }
  }
  await flush();
  await new Promise<void>((resolve, reject) => {
    stream.once("error", reject);
    stream.once("finish", () => resolve());
    stream.end();
  });
  return written;
}
