/**
 * Environment variables through zod/mini schemas, for every reader of one (the connector's
 * configuration, the publisher, the key service's leaves, a live network's oracles), so that a
 * variable read in two places means the same in both. Each message names its variable; the
 * required-text message says what to set and never quotes what was there (several are secrets).
 */
import * as z from "zod/mini";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * One variable through its schema, or `refuse` of the first issue's message. A reader stops at its
 * first bad variable: each refusal is one thing for the operator to fix, and the next start names the next.
 */
export function readEnv<T>(schema: z.ZodMiniType<T>, raw: string | undefined, refuse: (message: string) => Error): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw refuse(result.error.issues[0]?.message ?? "the configuration is malformed");
}

/** Unset and blank are both unset; the value without surrounding white space otherwise. */
export const optionalText = z.transform((raw: string | undefined) => (raw === undefined || raw.trim() === "" ? undefined : raw.trim()));

export function requiredText(name: string, why: string) {
  return z.pipe(optionalText, z.string({ error: `set ${name} (${why})` }));
}

/** A whole number from 0 to `max`; an unset or empty one takes `fallback`. */
function whole(name: string, fallback: number, max: number, what: string) {
  const counted = z.pipe(
    z.string().check(
      z.refine((raw) => Number.isSafeInteger(Number(raw)) && Number(raw) >= 0 && Number(raw) <= max, { error: (issue) => `${name} must be ${what}, got ${String(issue.input)}` }),
    ),
    z.transform(Number),
  );
  return z.pipe(
    z.transform((raw: string | undefined) => (raw === "" ? undefined : raw)),
    z._default(counted, fallback),
  );
}

export function count(name: string, fallback: number) {
  return whole(name, fallback, Number.MAX_SAFE_INTEGER, "a non-negative integer");
}

/** 0 asks the system for a free port. */
export function port(name: string, fallback: number) {
  return whole(name, fallback, 65535, "a port number");
}
