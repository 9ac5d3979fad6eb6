export * as codec from "./codec";
export { CodecError } from "./codec";
export type { Codec } from "./codec";
export * from "./define";
export * from "./imports";
export * from "./client";
export * from "./signer";
export * from "./access-node";
