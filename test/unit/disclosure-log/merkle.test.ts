import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactRange, consistencyProof as consistencyOf, EMPTY_ROOT, inclusionProof as pathOf, inclusionProofs as pathsOf, leafHash, leafSubtrees, nodeHash, rootOf, verifyConsistency, verifyInclusion } from '../../../src/disclosure-log/merkle.ts';

// The inputs and roots of Certificate Transparency's own Merkle tree tests (RFC 6962 hashing).
const CT_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => leafHash(Buffer.from(h, 'hex')));

// RFC 6962 section 2.1, written exactly as the definition recurses: the reference the single-pass code must match.
const largestPowerBelow = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
function referenceRoot(d: Buffer[]): Buffer {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return d[0]!;
  const k = largestPowerBelow(d.length);
  return nodeHash(referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}
function referencePath(m: number, d: Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const k = largestPowerBelow(d.length);
  return m < k ? [...referencePath(m, d.slice(0, k)), referenceRoot(d.slice(k))] : [...referencePath(m - k, d.slice(k)), referenceRoot(d.slice(0, k))];
}
// The proofs over trees whose subtrees are hashed from their leaves.
const inclusionProof = (m: number, tree: Buffer[]) => pathOf(m, leafSubtrees(tree));
const inclusionProofs = (ms: number[], tree: Buffer[]) => pathsOf(ms, leafSubtrees(tree));
const consistencyProof = (m: number, tree: Buffer[]) => consistencyOf(m, leafSubtrees(tree));
const numbered = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(String(i))));

const leaves = fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 70 }).map((a) => a.map((d) => leafHash(d)));

describe('the RFC 6962 Merkle tree', () => {
  it('gives Certificate Transparency’s published roots', () => {
    expect(rootOf(CT_INPUTS.slice(0, 1)).toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(rootOf(CT_INPUTS).toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    expect(rootOf([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('proves every leaf of every tree, and nothing else', () => {
    fc.assert(
      fc.property(leaves, fc.nat(), (tree, pick) => {
        const i = pick % tree.length;
        const root = rootOf(tree);
        const proof = inclusionProof(i, tree);
        expect(verifyInclusion(tree[i]!, i, tree.length, proof, root)).toBe(true);
        expect(verifyInclusion(leafHash(Buffer.from('forged')), i, tree.length, proof, root)).toBe(false);
        const unique = new Set(tree.map((l) => l.toString('hex'))).size === tree.length;
        if (tree.length > 1 && unique) expect(verifyInclusion(tree[i]!, (i + 1) % tree.length, tree.length, proof, root)).toBe(false);
      }),
    );
  });

  it('keeps the root of a growing tree in a compact range equal to the full computation', () => {
    fc.assert(
      fc.property(leaves, (tree) => {
        const range = new CompactRange();
        tree.forEach((leaf, n) => {
          range.append(leaf);
          expect(range.root().equals(rootOf(tree.slice(0, n + 1)))).toBe(true);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('reports every perfect subtree as it completes, level by level in order', () => {
    const tree = numbered(11);
    const heard: string[] = [];
    const range = new CompactRange((level, hash) => heard.push(`${level}:${Buffer.from(hash).toString('hex')}`));
    tree.forEach((leaf) => range.append(leaf));
    const expected = [0, 1, 2, 3].flatMap((level) => {
      const width = 2 ** level;
      return Array.from({ length: Math.floor(11 / width) }, (_, i) => `${level}:${rootOf(tree.slice(i * width, (i + 1) * width)).toString('hex')}`);
    });
    expect(heard.toSorted()).toEqual(expected.toSorted());
    expect(heard.filter((h) => h.startsWith('1:'))).toEqual(expected.filter((h) => h.startsWith('1:')));
  });

  it('gives the same roots and audit paths as the recursive definition, for every leaf of trees of 1 to 130 leaves and around larger powers of two', () => {
    expect(largestPowerBelow(2)).toBe(1);
    expect(largestPowerBelow(5)).toBe(4);
    expect(largestPowerBelow(8)).toBe(4);
    CT_INPUTS.forEach((_, n) => expect(rootOf(CT_INPUTS.slice(0, n + 1)).equals(referenceRoot(CT_INPUTS.slice(0, n + 1)))).toBe(true));
    const sizes = [...Array.from({ length: 130 }, (_, i) => i + 1), 255, 256, 257, 1023, 1024, 1025, 1500];
    for (const n of sizes) {
      const tree = numbered(n);
      const root = referenceRoot(tree);
      expect(rootOf(tree).equals(root), `root of ${n}`).toBe(true);
      const picks = n <= 130 ? tree.keys() : [0, 1, n >> 1, n - 2, n - 1].values();
      for (const m of picks) {
        const path = inclusionProof(m, tree);
        expect(path.map((h) => h.toString('hex')), `path of ${m} in ${n}`).toEqual(referencePath(m, tree).map((h) => h.toString('hex')));
        expect(verifyInclusion(tree[m]!, m, n, path, root)).toBe(true);
      }
    }
  });

  it('gives the paths of several leaves at once, each equal to its own, in the order asked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (n, picks) => {
        const tree = numbered(n);
        const asked = picks.map((p) => p % n);
        const hex = (path: Buffer[]) => path.map((h) => h.toString('hex'));
        expect(inclusionProofs(asked, tree).map(hex)).toEqual(asked.map((m) => hex(referencePath(m, tree))));
      }),
      { numRuns: 60 },
    );
    expect(inclusionProofs([], numbered(5))).toEqual([]);
  });

  it('refuses a proof for a leaf outside the tree', () => {
    expect(() => inclusionProof(3, numbered(3))).toThrow(RangeError);
    expect(() => inclusionProof(-1, numbered(3))).toThrow(RangeError);
    expect(() => inclusionProof(0, [])).toThrow(RangeError);
    expect(() => inclusionProofs([0, 7], numbered(7))).toThrow(RangeError);
  });
});

describe('consistency proofs (RFC 6962 2.1.2, RFC 9162 2.1.4)', () => {
  const leaves = Array.from({ length: 21 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

  it('show every smaller tree to be the beginning of every larger one', () => {
    for (let n = 1; n <= leaves.length; n++) {
      const tree = leaves.slice(0, n);
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(m, tree);
        expect(verifyConsistency(m, n, proof, rootOf(tree.slice(0, m)), rootOf(tree)), `${m} of ${n}`).toBe(true);
      }
    }
  });

  it('fail for another first tree, another second root, a changed hash or another first size', () => {
    const tree = leaves.slice(0, 13);
    const proof = consistencyProof(6, tree);
    const [first, second] = [rootOf(tree.slice(0, 6)), rootOf(tree)];
    expect(verifyConsistency(6, 13, proof, first, second)).toBe(true);
    const otherFirst = rootOf([...tree.slice(0, 5), leafHash(Buffer.from('rewritten'))]);
    expect(verifyConsistency(6, 13, proof, otherFirst, second)).toBe(false);
    expect(verifyConsistency(6, 13, proof, first, rootOf(tree.slice(0, 12)))).toBe(false);
    for (let i = 0; i < proof.length; i++) {
      const changed = proof.map((p, j) => (j === i ? leafHash(p) : p));
      expect(verifyConsistency(6, 13, changed, first, second)).toBe(false);
    }
    expect(verifyConsistency(5, 13, proof, first, second)).toBe(false);
    expect(verifyConsistency(7, 6, [], first, second)).toBe(false);
  });

  it('of a tree with itself are empty', () => {
    expect(consistencyProof(8, leaves.slice(0, 8))).toEqual([]);
    expect(verifyConsistency(8, 8, [], rootOf(leaves.slice(0, 8)), rootOf(leaves.slice(0, 8)))).toBe(true);
    expect(() => consistencyProof(0, leaves)).toThrow(RangeError);
    expect(() => consistencyProof(22, leaves)).toThrow(RangeError);
  });
});
