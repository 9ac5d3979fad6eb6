import { ConnectorError } from "./errors";

/**
 * LITELLM_DATABASE_URL: a read-only connection to the PostgreSQL database of the LiteLLM proxy
 * (its DATABASE_URL, with a role that may only SELECT). Parsed here into explicit connection
 * fields so that nothing else in the URL reaches the driver: one host, a port, a database, a user,
 * a password, and at most `sslmode`. The password is never part of a message or a log line;
 * `display` is the URL without it.
 */
export type DatabaseUrl = {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  ssl: "disable" | "prefer" | "require" | "verify-full";
  /** postgres://user@host:port/database: safe to print. */
  display: string;
};

const SSL_MODES = ["disable", "prefer", "require", "verify-full"] as const;
const MAX_LENGTH = 2048;

function bad(name: string, why: string): ConnectorError {
  // Never echo the value: it holds a password.
  return new ConnectorError("config", `${name} ${why} (expected postgres://user:password@host:port/database[?sslmode=require])`);
}

function decode(part: string, name: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw bad(name, `has a badly percent-encoded ${what}`);
  }
}

export function parseDatabaseUrl(raw: string, name = "LITELLM_DATABASE_URL"): DatabaseUrl {
  const text = raw.trim();
  if (text.length > MAX_LENGTH) throw bad(name, `is longer than ${MAX_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) throw bad(name, "holds control characters");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad(name, "is not a URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw bad(name, `has scheme ${url.protocol.replace(/:$/, "")}, not postgres`);
  if (url.hostname === "") throw bad(name, "names no host");
  if (url.hostname.includes(",")) throw bad(name, "names several hosts; give one");
  if (url.hash !== "") throw bad(name, "has a #fragment");
  const user = decode(url.username, name, "user");
  if (user === "") throw bad(name, "names no user");
  const password = decode(url.password, name, "password");
  const path = decode(url.pathname.replace(/^\//, ""), name, "database name");
  if (path === "" || path.includes("/")) throw bad(name, "names no database (or more than one path segment)");
  const port = url.port === "" ? 5432 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(name, "has an invalid port");
  let ssl: DatabaseUrl["ssl"] = "prefer";
  for (const [key, value] of url.searchParams) {
    if (key !== "sslmode") throw bad(name, `has the parameter ${JSON.stringify(key.slice(0, 40))}; only sslmode is accepted`);
    if (!(SSL_MODES as readonly string[]).includes(value)) throw bad(name, `has sslmode ${JSON.stringify(value.slice(0, 40))}; use one of ${SSL_MODES.join(", ")}`);
    ssl = value as DatabaseUrl["ssl"];
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port, database: path, user, password, ssl, display: `postgres://${encodeURIComponent(user)}@${url.host}/${encodeURIComponent(path)}` };
}

/** The database path's URL from the environment, or undefined when unset (the connector then pages the API). */
export function databaseUrlFromEnv(env: Readonly<Record<string, string | undefined>>): DatabaseUrl | undefined {
  const raw = env.LITELLM_DATABASE_URL;
  if (raw === undefined || raw.trim() === "") return undefined;
  return parseDatabaseUrl(raw);
}
