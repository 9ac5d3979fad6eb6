/**
 * Flare Data Connector helpers: the Flare-compatible Merkle tree and Web2Json proofs.
 * (The Hardhat harness, `deployFdcHarness`, is in ./harness: it needs the compiled bindings.)
 */
export { FlareMerkleTree, hashPairSorted, verifyFlareMerkleProof } from "./merkle";
export * from "./web2json";
export * from "./request-spec";
export * from "./da-layer";
