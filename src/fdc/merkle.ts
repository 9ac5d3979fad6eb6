import { concat, isHexString, keccak256 } from "ethers";

/**
 * Flare's FDC Merkle tree, built by the rules of go-flare-common `pkg/merkle` (what Flare's
 * attestation providers use): leaves (32-byte hashes) sorted ascending, duplicates dropped, a
 * heap-layout array of 2n-1 nodes with the sorted leaves in the last n slots and
 * node[i] = hashPair(node[2i+1], node[2i+2]); a pair is hashed smaller-first (OpenZeppelin's
 * sorted-pair rule, which `MerkleProof.verify` checks). Odd leaf counts need no padding: the heap
 * layout leaves one leaf a level higher.
 */

const HASH_HEX_LENGTH = 66; // "0x" + 64 hex digits

function normalizeHash(value: string): string {
  if (!isHexString(value) || value.length !== HASH_HEX_LENGTH) {
    throw new TypeError(`not a 32-byte hash: ${value}`);
  }
  return value.toLowerCase();
}

/** keccak256 of the two hashes, smaller (as unsigned 256-bit numbers) first. */
export function hashPairSorted(a: string, b: string): string {
  const x = normalizeHash(a);
  const y = normalizeHash(b);
  return x <= y ? keccak256(concat([x, y])) : keccak256(concat([y, x]));
}

/** Whether `proof` leads from `leaf` to `root` (OpenZeppelin's MerkleProof.verify rule). */
export function verifyFlareMerkleProof(leaf: string, proof: readonly string[], root: string): boolean {
  let hash = normalizeHash(leaf);
  for (const sibling of proof) hash = hashPairSorted(sibling, hash);
  return hash === normalizeHash(root);
}

/** A Flare-compatible Merkle tree over 32-byte leaf hashes. */
export class FlareMerkleTree {
  private constructor(
    /** The heap-layout nodes; node 0 is the root. */
    readonly nodes: readonly string[],
  ) {}

  /** Builds the tree; leaves may come in any order and repeat. At least one leaf. */
  static build(leaves: readonly string[]): FlareMerkleTree {
    if (leaves.length === 0) throw new RangeError("a Merkle tree needs at least one leaf");
    const sorted = [...new Set(leaves.map(normalizeHash))].sort();
    const n = sorted.length;
    const nodes = new Array<string>(2 * n - 1);
    for (let i = 0; i < n; i++) nodes[n - 1 + i] = sorted[i];
    for (let i = n - 2; i >= 0; i--) nodes[i] = hashPairSorted(nodes[2 * i + 1], nodes[2 * i + 2]);
    return new FlareMerkleTree(nodes);
  }

  /** The Merkle root (what the Relay stores for the round). */
  get root(): string {
    return this.nodes[0];
  }

  /** Number of distinct leaves. */
  get leafCount(): number {
    return (this.nodes.length + 1) / 2;
  }

  /** The distinct leaves, sorted ascending. */
  get leaves(): readonly string[] {
    return this.nodes.slice(this.leafCount - 1);
  }

  /** The proof of the i-th sorted leaf: siblings from the leaf up to the root. */
  proofAt(index: number): string[] {
    const n = this.leafCount;
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new RangeError(`no leaf ${index}`);
    const proof: string[] = [];
    for (let pos = n - 1 + index; pos > 0; pos = Math.floor((pos - 1) / 2)) {
      proof.push(this.nodes[pos % 2 === 1 ? pos + 1 : pos - 1]);
    }
    return proof;
  }

  /** The proof of a leaf given by its hash; throws if the tree does not hold it. */
  proofFor(leaf: string): string[] {
    const target = normalizeHash(leaf);
    const leaves = this.leaves;
    let lo = 0;
    let hi = leaves.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (leaves[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= leaves.length || leaves[lo] !== target) throw new RangeError(`leaf not in tree: ${leaf}`);
    return this.proofAt(lo);
  }
}
