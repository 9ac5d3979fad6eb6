/**
 * The one base of the project's errors: a stable `name`, the standard `cause` (ES2022), and
 * `docs`, the README section that helps with this kind of failure. `formatError` is how the
 * command-line entry points print any failure: the message, then each cause once, then where to read.
 *
 * Runs in Node and browsers (the page imports modules that throw these).
 */

export type FlareFlowErrorOptions = {
  /** The error this one wraps; `formatError` prints it as "caused by: …". */
  cause?: unknown;
  /** A README anchor (`README.md#heading-slug`); a subclass's own `docs` field takes precedence. */
  docs?: string;
};

export class FlareFlowError extends Error {
  /** `README.md#<slug>` of the section that explains this failure; a test checks each names a heading. */
  declare readonly docs?: string;

  constructor(message?: string, options: FlareFlowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Subclasses declare their name as a literal: class names do not survive the page's minifier.
    this.name = new.target.name;
    if (options.docs !== undefined) this.docs = options.docs;
  }
}

/** What one link of the chain says; a non-Error value is shown only as far as String() shows it. */
function describe(value: unknown, withName: boolean): string {
  if (value instanceof Error) {
    const named = withName && value.name !== "Error" && value.name !== "" && !value.message.startsWith(`${value.name}:`);
    return named ? `${value.name}: ${value.message}` : value.message;
  }
  if (typeof value === "object" && value !== null) {
    const message = (value as { message?: unknown }).message;
    if (typeof message === "string") return message;
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The message, one "caused by: …" line per cause not already spelled out above it (code that
 * wraps an error often inlines its message), and "see <docs>" for each distinct pointer in the
 * chain. A cause that comes round again ends the walk.
 */
export function formatError(error: unknown): string {
  const lines = [describe(error, false)];
  const docs: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (;;) {
    seen.add(current);
    if (current instanceof FlareFlowError && current.docs !== undefined && !docs.includes(current.docs)) docs.push(current.docs);
    if (!(current instanceof Error)) break;
    const cause: unknown = current.cause;
    if (cause === undefined || seen.has(cause)) break;
    const text = describe(cause, true);
    const bare = describe(cause, false);
    if (bare !== "" && !lines.some((line) => line.includes(bare))) lines.push(`caused by: ${text}`);
    current = cause;
  }
  for (const d of docs) lines.push(`see ${d}`);
  return lines.join("\n");
}

/** What an error says, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
