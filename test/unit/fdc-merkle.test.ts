import { describe, expect, it } from "vitest";
import { concat, id, keccak256 } from "ethers";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { FlareMerkleTree, hashPairSorted, verifyFlareMerkleProof } from "../../src/fdc";

/**
 * A deliberately naive transcription of go-flare-common pkg/merkle (Build, GetProof): the
 * reference the builder is held to.
 */
function goReference(leaves: string[]): { nodes: string[]; proof: (i: number) => string[] } {
  const sorted = [...leaves].map((l) => l.toLowerCase()).sort();
  const unique = sorted.filter((h, i) => i === 0 || h !== sorted[i - 1]);
  const n = unique.length;
  const tree: string[] = new Array<string>(2 * n - 1);
  for (let i = 0; i < n; i++) tree[n - 1 + i] = unique[i];
  for (let i = n - 2; i >= 0; i--) {
    const [x, y] = [tree[2 * i + 1], tree[2 * i + 2]];
    tree[i] = x <= y ? keccak256(concat([x, y])) : keccak256(concat([y, x]));
  }
  return {
    nodes: tree,
    proof(i) {
      const out: string[] = [];
      for (let pos = n - 1 + i; pos > 0; pos = Math.floor((pos - 1) / 2)) {
        out.push(tree[pos + (2 * (pos % 2) - 1)]);
      }
      return out;
    },
  };
}

const leavesOf = (n: number, salt = "leaf") => Array.from({ length: n }, (_, i) => id(`${salt} ${i}`));

describe("Flare Merkle tree", () => {
  it("matches go-flare-common's rules for 1 to 33 leaves (odd counts included)", () => {
    for (let n = 1; n <= 33; n++) {
      const leaves = leavesOf(n);
      const tree = FlareMerkleTree.build(leaves);
      const ref = goReference(leaves);
      expect(tree.nodes).toEqual(ref.nodes);
      for (let i = 0; i < n; i++) {
        expect(tree.proofAt(i)).toEqual(ref.proof(i));
        expect(verifyFlareMerkleProof(tree.leaves[i], tree.proofAt(i), tree.root)).toBe(true);
      }
    }
  });

  it("sorts leaves ascending and drops duplicates (root independent of order)", () => {
    const leaves = leavesOf(5);
    const a = FlareMerkleTree.build(leaves);
    const b = FlareMerkleTree.build([...leaves].reverse());
    const c = FlareMerkleTree.build([leaves[1], leaves[0], leaves[4], leaves[3], leaves[2], leaves[0], leaves[4]]);
    expect(b.root).toBe(a.root);
    expect(c.root).toBe(a.root);
    expect(c.leafCount).toBe(5);
    expect([...a.leaves]).toEqual([...leaves].sort());
  });

  it("has the leaf as root for one leaf, with an empty proof; refuses an empty tree", () => {
    const [leaf] = leavesOf(1);
    const tree = FlareMerkleTree.build([leaf]);
    expect(tree.root).toBe(leaf);
    expect(tree.proofFor(leaf)).toEqual([]);
    expect(() => FlareMerkleTree.build([])).toThrow(RangeError);
  });

  it("finds proofs by hash, refuses unknown leaves and malformed hashes", () => {
    const leaves = leavesOf(6);
    const tree = FlareMerkleTree.build(leaves);
    for (const leaf of leaves) expect(verifyFlareMerkleProof(leaf, tree.proofFor(leaf), tree.root)).toBe(true);
    expect(() => tree.proofFor(id("absent"))).toThrow(RangeError);
    expect(() => FlareMerkleTree.build(["0x1234"])).toThrow(TypeError);
    expect(verifyFlareMerkleProof(leaves[0], tree.proofFor(leaves[1]), tree.root)).toBe(false);
  });

  it("agrees with OpenZeppelin's SimpleMerkleTree fed leaves in descending order, unsorted", () => {
    for (let n = 1; n <= 20; n++) {
      const tree = FlareMerkleTree.build(leavesOf(n));
      const descending = [...tree.leaves].reverse();
      const oz = SimpleMerkleTree.of(descending, { sortLeaves: false });
      expect(oz.root).toBe(tree.root);
      for (const leaf of tree.leaves) {
        expect(SimpleMerkleTree.verify(tree.root, leaf, tree.proofFor(leaf))).toBe(true);
      }
    }
  });

  it("differs from SimpleMerkleTree's default leaf sort for most sizes (why the builder exists)", () => {
    let differing = 0;
    for (let n = 3; n <= 20; n++) {
      const tree = FlareMerkleTree.build(leavesOf(n));
      if (SimpleMerkleTree.of(leavesOf(n)).root !== tree.root) differing++;
    }
    expect(differing).toBeGreaterThan(0);
  });

  it("hashes pairs smaller-first", () => {
    const [a, b] = leavesOf(2).sort();
    expect(hashPairSorted(a, b)).toBe(keccak256(concat([a, b])));
    expect(hashPairSorted(b, a)).toBe(keccak256(concat([a, b])));
  });

  it("says why a tree or a proof is refused: no leaf, a malformed hash, an index or a hash it does not hold", () => {
    expect(() => FlareMerkleTree.build([])).toThrow(/^a Merkle tree needs at least one leaf$/);
    expect(() => FlareMerkleTree.build(["0x1234"])).toThrow(/^not a 32-byte hash: 0x1234$/);
    const leaves = leavesOf(5);
    const tree = FlareMerkleTree.build(leaves);
    expect(verifyFlareMerkleProof(tree.leaves[4], tree.proofAt(4), tree.root)).toBe(true);
    for (const index of [-1, 5, 6, 0.5, Number.NaN]) expect(() => tree.proofAt(index), String(index)).toThrow(new RegExp(`^no leaf ${index}$`));
    // Past the largest leaf and between two leaves.
    const maxHash = `0x${"ff".repeat(32)}`;
    expect(() => tree.proofFor(maxHash)).toThrow(new RegExp(`^leaf not in tree: ${maxHash}$`));
    expect(() => tree.proofFor(id("absent"))).toThrow(/^leaf not in tree: /);
  });
});
