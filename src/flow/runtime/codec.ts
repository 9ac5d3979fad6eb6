import type { ArgFn, CadenceType, CadenceTypes } from "@onflow/fcl";
import { FlareFlowError } from "../../errors";
import { formatUFix64, parseUFix64 } from "../../pricing/units";

/**
 * How one Cadence type crosses the TypeScript boundary: the FCL argument type,
 * the encoding of a TypeScript value as an argument (validated: transaction
 * arguments are hostile until checked), and the decoding of a script result
 * (validated too: a node's answer is checked before it is trusted).
 */
export interface Codec<In, Out = In> {
  readonly cadence: string;
  fclType(t: CadenceTypes): CadenceType;
  encode(value: In, path: string): unknown;
  decode(raw: unknown, path: string): Out;
}

export class CodecError extends FlareFlowError {
  override readonly name = "CodecError";
  override readonly docs = "README.md#the-flow-toolchain";
}

function fail(path: string, expected: string, got: unknown): never {
  const shown = typeof got === "string" ? JSON.stringify(got.slice(0, 80)) : typeof got;
  throw new CodecError(`${path}: expected ${expected}, got ${shown}`);
}

type IntName =
  | "UInt8" | "UInt16" | "UInt32" | "UInt64" | "UInt128" | "UInt256"
  | "Int8" | "Int16" | "Int32" | "Int64" | "Int128" | "Int256"
  | "Word8" | "Word16" | "Word32" | "Word64" | "Int" | "UInt";

function intRange(name: IntName): [bigint, bigint | null] {
  const bits = Number(name.replace(/^\D+/, "")) || 0;
  if (name === "Int") return [-(2n ** 1024n), null];
  if (name === "UInt") return [0n, null];
  if (name.startsWith("Int")) return [-(2n ** BigInt(bits - 1)), 2n ** BigInt(bits - 1) - 1n];
  return [0n, 2n ** BigInt(bits) - 1n];
}

/** Cadence integers are bigint in TypeScript, decimal strings on the wire. */
export function int(name: IntName): Codec<bigint | number | string, bigint> {
  const [min, max] = intRange(name);
  const check = (value: bigint, path: string): bigint => {
    if (value < min || (max !== null && value > max)) fail(path, `a ${name} (${min}..${max ?? "∞"})`, value.toString());
    return value;
  };
  const parse = (value: unknown, path: string): bigint => {
    if (typeof value === "bigint") return check(value, path);
    if (typeof value === "number" && Number.isSafeInteger(value)) return check(BigInt(value), path);
    if (typeof value === "string" && /^-?\d+$/.test(value)) return check(BigInt(value), path);
    return fail(path, `an integer ${name}`, value);
  };
  return {
    cadence: name,
    fclType: (t) => (t as unknown as Record<string, CadenceType>)[name] as CadenceType,
    encode: (value, path) => parse(value, path).toString(),
    decode: (raw, path) => parse(raw, path),
  };
}

/**
 * UFix64 stays a decimal string ("12.50000000"): exact, and what the pricing
 * module converts to integer units of 1e-8 FLOW.
 */
export const UFix64: Codec<string, string> = {
  cadence: "UFix64",
  fclType: (t) => t.UFix64,
  encode: (value, path) => normalizeUFix64(value, path),
  decode: (raw, path) => normalizeUFix64(raw, path),
};

/** A UFix64 as src/pricing reads and prints it (8 decimals), refused in the codec's words. */
export function normalizeUFix64(value: unknown, path: string): string {
  if (typeof value !== "string" || !/^\d+(\.\d{1,8})?$/.test(value)) {
    return fail(path, "a UFix64 decimal string with at most 8 decimals", value);
  }
  let units: bigint;
  try {
    units = parseUFix64(value);
  } catch {
    return fail(path, "a UFix64 within range", value);
  }
  return formatUFix64(units);
}

export const String_: Codec<string> = {
  cadence: "String",
  fclType: (t) => t.String,
  encode: (value, path) => (typeof value === "string" ? value : fail(path, "a string", value)),
  decode: (raw, path) => (typeof raw === "string" ? raw : fail(path, "a string", raw)),
};

export const Bool: Codec<boolean> = {
  cadence: "Bool",
  fclType: (t) => t.Bool,
  encode: (value, path) => (typeof value === "boolean" ? value : fail(path, "a boolean", value)),
  decode: (raw, path) => (typeof raw === "boolean" ? raw : fail(path, "a boolean", raw)),
};

/** Flow addresses are 0x-prefixed lower-case 16-digit hex. */
export const Address: Codec<string> = {
  cadence: "Address",
  fclType: (t) => t.Address,
  encode: (value, path) => normalizeAddress(value, path),
  decode: (raw, path) => normalizeAddress(raw, path),
};

export function normalizeAddress(value: unknown, path: string): string {
  if (typeof value !== "string" || !/^(0x)?[0-9a-fA-F]{1,16}$/.test(value)) {
    return fail(path, "a Flow address (0x + up to 16 hex digits)", value);
  }
  return `0x${value.replace(/^0x/, "").toLowerCase().padStart(16, "0")}`;
}

export function optional<In, Out>(inner: Codec<In, Out>): Codec<In | null | undefined, Out | null> {
  return {
    cadence: `${inner.cadence}?`,
    fclType: (t) => t.Optional(inner.fclType(t)),
    encode: (value, path) => (value === null || value === undefined ? null : inner.encode(value, path)),
    decode: (raw, path) => (raw === null || raw === undefined ? null : inner.decode(raw, path)),
  };
}

export function array<In, Out>(inner: Codec<In, Out>): Codec<readonly In[], Out[]> {
  return {
    cadence: `[${inner.cadence}]`,
    fclType: (t) => t.Array(inner.fclType(t)),
    encode: (value, path) =>
      Array.isArray(value) ? value.map((v, i) => inner.encode(v, `${path}[${i}]`)) : fail(path, "an array", value),
    decode: (raw, path) =>
      Array.isArray(raw) ? raw.map((v, i) => inner.decode(v, `${path}[${i}]`)) : fail(path, "an array", raw),
  };
}

/** Dictionaries are plain objects keyed by the key's string form, as FCL decodes them. */
export function dictionary<VIn, VOut>(
  key: Codec<string, string> | Codec<bigint | number | string, bigint>,
  value: Codec<VIn, VOut>,
): Codec<Record<string, VIn>, Record<string, VOut>> {
  return {
    cadence: `{${key.cadence}: ${value.cadence}}`,
    fclType: (t) => t.Dictionary({ key: key.fclType(t), value: value.fclType(t) }),
    encode: (obj, path) => {
      if (typeof obj !== "object" || obj === null) return fail(path, "an object", obj);
      return Object.entries(obj).map(([k, v]) => ({
        key: key.encode(k, `${path} key`),
        value: value.encode(v, `${path}.${k}`),
      }));
    },
    decode: (raw, path) => {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail(path, "an object", raw);
      const out: Record<string, VOut> = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        out[k] = value.decode(v, `${path}.${k}`);
      }
      return out;
    },
  };
}

type Decoded<F> = { [K in keyof F]: F[K] extends Codec<unknown, infer O> ? O : never };

/** What a codec of a type that only ever comes back from Cadence says when asked to send one. */
function resultOnly(cadence: string, kind: string): Omit<Codec<never, unknown>, "decode"> {
  return {
    cadence,
    fclType: () => {
      throw new CodecError(`${cadence} cannot be passed as an argument`);
    },
    encode: (_value, path) => fail(path, `no ${cadence} argument`, kind),
  };
}

/** A Cadence struct (or event payload) as a TypeScript object; results only. */
export function struct<F extends Record<string, Codec<never, unknown>>>(cadence: string, fields: F): Codec<never, Decoded<F>> {
  return {
    ...resultOnly(cadence, "struct"),
    decode: (raw, path) => {
      if (typeof raw !== "object" || raw === null) return fail(path, `a ${cadence}`, raw);
      const obj = raw as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, codec] of Object.entries(fields)) {
        out[name] = codec.decode(obj[name], `${path}.${name}`);
      }
      return out as Decoded<F>;
    },
  };
}

/** A Cadence enum decodes to its case name (FCL gives `{ rawValue }`). */
export function enumeration<C extends string>(cadence: string, cases: readonly C[]): Codec<never, C> {
  return {
    ...resultOnly(cadence, "enum"),
    decode: (raw, path) => {
      const rawValue = typeof raw === "object" && raw !== null ? (raw as { rawValue?: unknown }).rawValue : raw;
      const index = typeof rawValue === "string" ? Number(rawValue) : rawValue;
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= cases.length) {
        return fail(path, `a ${cadence} raw value`, rawValue);
      }
      return cases[index] as C;
    },
  };
}

/** Anything else (AnyStruct, paths, types) passes through undecoded. */
export const unknownValue: Codec<never, unknown> = { ...resultOnly("AnyStruct", "AnyStruct"), decode: (raw) => raw };

/** Builds FCL's args callback from named values, validating each. */
export function fclArgs(
  params: readonly (readonly [string, Codec<never, unknown>])[],
  values: Record<string, unknown>,
): (arg: ArgFn, t: CadenceTypes) => unknown[] {
  const encoded = params.map(([name, codec]) => {
    if (!(name in values)) throw new CodecError(`missing argument ${name}`);
    return (codec as unknown as Codec<unknown, unknown>).encode(values[name], name);
  });
  return (arg, t) => params.map(([, codec], i) => arg(encoded[i], codec.fclType(t)));
}
