/**
 * The one logger of the long-running services (key service, connector, publisher, LiteLLM and
 * Flare stand-ins): pino, one JSON object per line, `service` naming who wrote it.
 *
 * No secret may reach a line, whoever wrote the call. Two layers make that hold:
 * - pino's `redact` replaces the fields that hold secrets by name, at any of the first four
 *   levels of a logged object (a whole config can be logged safely, nested under a field);
 * - every finished line then passes through redactSecrets: `sk-` keys, bearer credentials and
 *   URL passwords anywhere (a key LiteLLM echoed into an error message), and the exact secret
 *   values the service was started with (a master key without the sk- prefix, a private key,
 *   which look like any other hex).
 * Oracle signatures and transaction hashes are public and stay readable.
 */
import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { redactSecrets } from "./redact";

export type { Logger };

/** Field names whose value is a secret, wherever they sit. */
const SECRET_FIELDS = [
  "password",
  "privateKey",
  "privateKeys",
  "masterKey",
  "apiKey",
  "verifierApiKey",
  "daApiKey",
  "encryptionKey",
  "authorization",
  "key",
  "LITELLM_MASTER_KEY",
  "LITELLM_DATABASE_URL",
] as const;

const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export interface LogOptions {
  /** Values to scrub wherever they appear; empty or short (< 4 characters) ones are ignored. */
  secrets?: readonly (string | undefined)[];
  /** Where lines go; by default info and below to stdout, warn and above to stderr, written at once. */
  destination?: DestinationStream;
  level?: Level | "silent";
}

function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === undefined || s.length < 4) continue;
    forms.add(s);
    // As it appears inside a JSON string, and a hex key with or without its 0x.
    forms.add(JSON.stringify(s).slice(1, -1));
    if (/^0x[0-9a-fA-F]+$/.test(s)) forms.add(s.slice(2));
  }
  // Longest first, so a secret that contains another is scrubbed whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

function standardStreams(): DestinationStream {
  return pino.multistream(
    [
      { level: "trace", stream: pino.destination({ dest: 1, sync: true }) },
      { level: "warn", stream: pino.destination({ dest: 2, sync: true }) },
    ],
    { dedupe: true },
  );
}

export function createLogger(service: string, options: LogOptions = {}): Logger {
  const secrets = secretForms(options.secrets ?? []);
  return pino(
    {
      level: options.level ?? "info",
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
      hooks: { streamWrite: (line) => redactSecrets(line, secrets) },
    },
    options.destination ?? standardStreams(),
  );
}

/** A logger that writes nothing (the default of library code no service has given one). */
export const silentLogger: Logger = createLogger("silent", { level: "silent", destination: { write: () => undefined } });
