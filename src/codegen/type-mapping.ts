import type { TypeNode } from "./inspect";

/** The TypeScript side of one Cadence type: codec expression and value types. */
export interface Mapped {
  codec: string;
  tsIn: string;
  tsOut: string;
}

const INTEGERS = new Set([
  "Int", "UInt", "Int8", "Int16", "Int32", "Int64", "Int128", "Int256",
  "UInt8", "UInt16", "UInt32", "UInt64", "UInt128", "UInt256",
  "Word8", "Word16", "Word32", "Word64",
]);

/** Generated identifier for a contract type: SimpleUsageSubscriptions.Status -> SimpleUsageSubscriptions_Status. */
export function compositeIdent(qualified: string): string {
  return qualified.replace(/\./g, "_");
}

/**
 * Maps a Cadence type to its codec. `resolve` turns a type name as written
 * (possibly unqualified inside its contract) into a known composite, or null.
 */
export function mapType(node: TypeNode, resolve: (name: string) => string | null): Mapped {
  switch (node.kind) {
    case "optional": {
      const inner = mapType(node.of as TypeNode, resolve);
      return { codec: `c.optional(${inner.codec})`, tsIn: `${inner.tsIn} | null`, tsOut: `${inner.tsOut} | null` };
    }
    case "array": {
      const inner = mapType(node.of as TypeNode, resolve);
      return { codec: `c.array(${inner.codec})`, tsIn: `readonly (${inner.tsIn})[]`, tsOut: `(${inner.tsOut})[]` };
    }
    case "dictionary": {
      const key = mapType(node.key as TypeNode, resolve);
      const value = mapType(node.value as TypeNode, resolve);
      return {
        codec: `c.dictionary(${key.codec}, ${value.codec})`,
        tsIn: `Record<string, ${value.tsIn}>`,
        tsOut: `Record<string, ${value.tsOut}>`,
      };
    }
    case "nominal": {
      const name = node.name ?? "";
      if (INTEGERS.has(name)) return { codec: `c.int("${name}")`, tsIn: "bigint | number | string", tsOut: "bigint" };
      if (name === "UFix64") return { codec: "c.UFix64", tsIn: "string", tsOut: "string" };
      if (name === "String" || name === "Character") return { codec: "c.String_", tsIn: "string", tsOut: "string" };
      if (name === "Bool") return { codec: "c.Bool", tsIn: "boolean", tsOut: "boolean" };
      if (name === "Address") return { codec: "c.Address", tsIn: "string", tsOut: "string" };
      const composite = resolve(name);
      if (composite) {
        const ident = compositeIdent(composite);
        return { codec: `T.${ident}`, tsIn: "never", tsOut: `T.${ident}` };
      }
      return { codec: "c.unknownValue", tsIn: "never", tsOut: "unknown" };
    }
    default:
      return { codec: "c.unknownValue", tsIn: "never", tsOut: "unknown" };
  }
}
