import { ParamType, type JsonFragment, type JsonFragmentType } from "ethers";
import { FlareFlowError } from "../errors";

/**
 * Struct ABIs and types read from the compiler's output (Hardhat artifacts, TypeChain), so the
 * Solidity source stays the one place a struct's layout is written.
 */

/**
 * Parameter `param` of function `fn` in a compiler ABI, as the compiler wrote it: its key order
 * too, which makes JSON.stringify of it the form Flare's tools give a Web2Json `abiSignature`.
 */
export function abiParameter(abi: readonly JsonFragment[], fn: string, param: string): JsonFragmentType {
  const input = abi.find((f) => f.type === "function" && f.name === fn)?.inputs?.find((i) => i.name === param);
  if (!input) throw new FlareFlowError(`the ABI has no parameter ${param} of function ${fn}`);
  return input;
}

/** Component `name` of a tuple parameter. */
export function abiComponent(tuple: JsonFragmentType, name: string): JsonFragmentType {
  const component = tuple.components?.find((c) => c.name === name);
  if (!component) throw new FlareFlowError(`tuple ${tuple.internalType ?? tuple.name} has no component ${name}`);
  return component;
}

/** ethers' type string of a tuple parameter, its fields named, its own name left out: "(uint64 window, ...)". */
export function tupleType(tuple: JsonFragmentType): string {
  return ParamType.from({ ...tuple, name: "" }).format("full");
}

type NamedFields<T> = Exclude<keyof T, keyof unknown[] | `${number}`>;

/**
 * A TypeChain struct output (a positional tuple with named fields) as the plain object of its
 * named fields, nested structs too; an array of plain values stays as it is.
 */
export type StructFields<T> = T extends readonly unknown[]
  ? [NamedFields<T>] extends [never]
    ? T
    : { [K in NamedFields<T>]: StructFields<T[K]> }
  : T;
