/** A PostgreSQL server with LiteLLM's spend-log table and a read-only role, for the database-path tests. */
import postgres, { type Sql } from "postgres";
import { parseDatabaseUrl, type DatabaseUrl } from "../../src/connector/database-url";
import { createSpendLogsTable } from "../../src/litellm-server/database";
import { syntheticSpendRows } from "../../src/litellm-server/synthetic-rows";
import type { SpendLogRecord } from "../../src/litellm-server/types";
import { startPostgres, type PostgresServer, type StartPostgresOptions } from "../../src/local/postgres";

export const READER = { user: "litellm_reader", password: "reader-pw-5c1e" };

export type SpendDatabase = {
  server: PostgresServer;
  /** The superuser: LiteLLM's own writer in these tests. */
  admin: Sql;
  /** LITELLM_DATABASE_URL as an operator would give it: a role that may only SELECT. */
  readerUrl: DatabaseUrl;
  stop(): Promise<void>;
};

export async function startSpendDatabase(options: StartPostgresOptions = {}): Promise<SpendDatabase> {
  // A session time zone far from UTC: the read must not depend on it (LiteLLM stores UTC wall time).
  const server = await startPostgres({ ...options, settings: { timezone: "Pacific/Chatham", ...options.settings } });
  const admin = postgres(server.url(), { max: 1, onnotice: () => undefined });
  try {
    await createSpendLogsTable(admin);
    await admin.unsafe(`CREATE ROLE ${READER.user} LOGIN PASSWORD '${READER.password}'`);
    await admin.unsafe(`GRANT SELECT ON "LiteLLM_SpendLogs" TO ${READER.user}`);
  } catch (error) {
    await admin.end();
    await server.stop();
    throw error;
  }
  return {
    server,
    admin,
    readerUrl: parseDatabaseUrl(`postgres://${READER.user}:${READER.password}@127.0.0.1:${server.port}/postgres?sslmode=disable`),
    stop: async () => {
      await admin.end({ timeout: 5 });
      await server.stop();
    },
  };
}

/** One spend row with the given fields, the rest as LiteLLM writes them. */
export function spendRow(fields: {
  id: string;
  alias: string | null;
  startMs: number;
  model?: string;
  modelGroup?: string | null;
  tokens?: [number, number];
  status?: string | null;
}): Omit<SpendLogRecord, "seq"> {
  const [base] = [...syntheticSpendRows({ rows: 1, startMs: fields.startMs, spanMs: 1, subscriptions: 1, idPrefix: fields.id, failedShare: 0, foreignShare: 0 })];
  if (base === undefined) throw new Error("no row");
  const [prompt, completion] = fields.tokens ?? [100, 20];
  return {
    ...base,
    request_id: fields.id,
    startTime: new Date(fields.startMs).toISOString(),
    model: fields.model ?? base.model,
    model_group: fields.modelGroup === undefined ? base.model_group : fields.modelGroup,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    status: fields.status === undefined ? "success" : (fields.status as string),
    metadata: { ...base.metadata, user_api_key_alias: fields.alias },
  };
}
