import { FlareFlowError } from "../errors";

/**
 * Minimal structural validation for response bodies. The LiteLLM server is
 * treated as untrusted input: a body of the wrong shape becomes a clear
 * `invalid_response` error naming the path, never a crash deeper in the code
 * or a silently wrong number on a bill.
 */

export class ShapeError extends FlareFlowError {
  override readonly name = "ShapeError";
  override readonly docs = "README.md#what-is-real-here-and-what-is-a-stand-in";
  constructor(readonly path: string, expected: string, got: unknown) {
    super(`${path || "body"}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return v.length > 40 ? "string" : `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return `number ${v}`;
  return typeof v;
}

export type Validator<T> = (value: unknown, path: string) => T;

export const str: Validator<string> = (v, p) => {
  if (typeof v !== "string") throw new ShapeError(p, "string", v);
  return v;
};

export const num: Validator<number> = (v, p) => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ShapeError(p, "finite number", v);
  return v;
};

export const nonNegNum: Validator<number> = (v, p) => {
  const n = num(v, p);
  if (n < 0) throw new ShapeError(p, "non-negative number", v);
  return n;
};

export const count: Validator<number> = (v, p) => {
  const n = num(v, p);
  if (!Number.isSafeInteger(n) || n < 0) throw new ShapeError(p, "non-negative integer", v);
  return n;
};

export const bool: Validator<boolean> = (v, p) => {
  if (typeof v !== "boolean") throw new ShapeError(p, "boolean", v);
  return v;
};

export const hash64: Validator<string> = (v, p) => {
  const s = str(v, p);
  if (!/^[0-9a-f]{64}$/.test(s)) throw new ShapeError(p, "sha256 hex", v);
  return s;
};

export const isoDate: Validator<string> = (v, p) => {
  const s = str(v, p);
  if (Number.isNaN(Date.parse(s))) throw new ShapeError(p, "ISO date string", v);
  return s;
};

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (v, p) => (v === null || v === undefined ? null : inner(v, p));
}

export function arrayOf<T>(inner: Validator<T>): Validator<T[]> {
  return (v, p) => {
    if (!Array.isArray(v)) throw new ShapeError(p, "array", v);
    return v.map((item, i) => inner(item, `${p}[${i}]`));
  };
}

export type JsonObject = { [key: string]: unknown };

export const object: Validator<JsonObject> = (v, p) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ShapeError(p, "object", v);
  return v as JsonObject;
};

export function field<T>(o: JsonObject, name: string, inner: Validator<T>, path: string): T {
  return inner(o[name], path ? `${path}.${name}` : name);
}

/** A field LiteLLM may omit: absent and null both read as null. */
export function optField<T>(o: JsonObject, name: string, inner: Validator<T>, path: string): T | null {
  return nullable(inner)(o[name], path ? `${path}.${name}` : name);
}

/**
 * LiteLLM stores some JSON columns as strings in older releases and as objects
 * in newer ones (metadata, request_tags); both are accepted as an object.
 */
export const jsonObjectOrString: Validator<JsonObject> = (v, p) => {
  if (v === null || v === undefined) return {};
  if (typeof v === "string") {
    if (v === "") return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw new ShapeError(p, "JSON object (or its string form)", v);
    }
    return object(parsed, p);
  }
  return object(v, p);
};
