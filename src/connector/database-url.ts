import * as z from "zod/mini";
import { optionalText, readEnv, type Env } from "../config/env";
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

/**
 * The URL as a schema per variable name, since every message names it. No message quotes the
 * value (it holds a password); a refused parameter's name or sslmode is quoted, cut to 40 characters.
 */
function databaseUrl(name: string) {
  const bad = (why: string) => `${name} ${why} (expected postgres://user:password@host:port/database[?sslmode=require])`;
  const decoded = (what: string) =>
    z.pipe(
      z.string(),
      z.transform((part: string, ctx) => {
        try {
          return decodeURIComponent(part);
        } catch {
          ctx.issues.push({ code: "custom", input: "", message: bad(`has a badly percent-encoded ${what}`) });
          return z.NEVER;
        }
      }),
    );
  const Text = z.pipe(
    z.transform((raw: string) => raw.trim()),
    z.string().check(
      z.maxLength(MAX_LENGTH, { error: bad(`is longer than ${MAX_LENGTH} characters`), abort: true }),
      // eslint-disable-next-line no-control-regex
      z.regex(/^[^\u0000-\u001f\u007f]*$/, { error: bad("holds control characters") }),
    ),
  );
  const Url = z.transform((text: string, ctx) => {
    try {
      return new URL(text);
    } catch {
      ctx.issues.push({ code: "custom", input: "", message: bad("is not a URL") });
      return z.NEVER;
    }
  });
  // The parts the driver gets, each checked in the order an operator would fix them.
  const Parts = z.object({
    protocol: z.enum(["postgres:", "postgresql:"], { error: (issue) => bad(`has scheme ${String(issue.input).replace(/:$/, "")}, not postgres`) }),
    hostname: z.string().check(z.minLength(1, { error: bad("names no host"), abort: true }), z.refine((h) => !h.includes(","), { error: bad("names several hosts; give one") })),
    hash: z.literal("", { error: bad("has a #fragment") }),
    username: z.pipe(decoded("user"), z.string().check(z.minLength(1, { error: bad("names no user") }))),
    password: decoded("password"),
    pathname: z.pipe(
      z.transform((p: string) => p.replace(/^\//, "")),
      z.pipe(decoded("database name"), z.string().check(z.regex(/^[^/]+$/, { error: bad("names no database (or more than one path segment)") }))),
    ),
    port: z.pipe(
      z.transform((p: string) => (p === "" ? 5432 : Number(p))),
      z.int({ error: bad("has an invalid port") }).check(z.gte(1, { error: bad("has an invalid port") }), z.lte(65535, { error: bad("has an invalid port") })),
    ),
    params: z.array(
      z.tuple([
        z.literal("sslmode", { error: (issue) => bad(`has the parameter ${JSON.stringify(String(issue.input).slice(0, 40))}; only sslmode is accepted`) }),
        z.enum(SSL_MODES, { error: (issue) => bad(`has sslmode ${JSON.stringify(String(issue.input).slice(0, 40))}; use one of ${SSL_MODES.join(", ")}`) }),
      ]),
      { error: bad("has sslmode twice") },
    ).check(z.maxLength(1, { error: bad("has sslmode twice") })),
    host: z.string(),
  });
  return z.pipe(
    z.pipe(z.pipe(Text, Url), z.transform((url: URL) => ({ ...pick(url), params: [...url.searchParams] }))),
    z.pipe(
      Parts,
      z.transform(
        (u): DatabaseUrl => ({
          host: u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname,
          port: u.port,
          database: u.pathname,
          user: u.username,
          password: u.password,
          ssl: u.params[0]?.[1] ?? "prefer",
          display: `postgres://${encodeURIComponent(u.username)}@${u.host}/${encodeURIComponent(u.pathname)}`,
        }),
      ),
    ),
  );
}

function pick(url: URL) {
  const { protocol, hostname, hash, username, password, pathname, port, host } = url;
  return { protocol, hostname, hash, username, password, pathname, port, host };
}

function refuse(message: string): ConnectorError {
  return new ConnectorError("config", message);
}

export function parseDatabaseUrl(raw: string, name = "LITELLM_DATABASE_URL"): DatabaseUrl {
  return readEnv(databaseUrl(name), raw, refuse);
}

/** The database path's URL from the environment, or undefined when unset or blank (the connector then pages the API). */
export function databaseUrlFromEnv(env: Env): DatabaseUrl | undefined {
  return readEnv(z.pipe(optionalText, z.optional(databaseUrl("LITELLM_DATABASE_URL"))), env.LITELLM_DATABASE_URL, refuse);
}
