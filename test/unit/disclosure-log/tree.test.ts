import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, inclusionProofs, leafHash, leafSubtrees, rangeRoot, rootOf } from '../../../src/disclosure-log/merkle.ts';
import { KEPT_FROM_LEVEL, LogTree } from '../../../src/disclosure-log/tree.ts';

const numbered = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(String(i))));
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString('hex'));

/** A tree grown over `leaves`, and the leaf ranges its views read. */
function grown(leaves: Buffer[], keptFromLevel?: number) {
  const tree = new LogTree(keptFromLevel);
  leaves.forEach((leaf) => tree.append(leaf));
  const reads: [number, number][] = [];
  const read = async (from: number, to: number) => {
    reads.push([from, to]);
    return leaves.slice(from, to);
  };
  return { tree, reads, read };
}

describe('the log tree with its kept subtrees', () => {
  it('gives the same roots, audit paths and consistency proofs as the leaves themselves, for every size and leaf', async () => {
    const leaves = numbered(70);
    for (const level of [0, 1, 2, 3]) {
      const { tree, read } = grown(leaves, level);
      expect(tree.root().equals(rootOf(leaves))).toBe(true);
      for (let n = 1; n <= leaves.length; n++) {
        const reference = leafSubtrees(leaves.slice(0, n));
        expect(rangeRoot(await tree.view(n, [], read), 0, n).equals(rootOf(leaves.slice(0, n))), `root of ${n}`).toBe(true);
        for (let m = 0; m < n; m++) {
          expect(hex(inclusionProof(m, await tree.view(n, [m], read))), `path of ${m} in ${n}, kept from level ${level}`).toEqual(hex(inclusionProof(m, reference)));
          expect(hex(consistencyProof(m + 1, await tree.view(n, [m], read))), `${m + 1} of ${n}, kept from level ${level}`).toEqual(hex(consistencyProof(m + 1, reference)));
        }
      }
    }
  });

  it('proves several leaves at once from their chunks', async () => {
    const leaves = numbered(45);
    const { tree, read } = grown(leaves, 2);
    const asked = [44, 3, 17, 16];
    expect((await inclusionProofs(asked, await tree.view(45, asked, read))).map(hex)).toEqual(inclusionProofs(asked, leafSubtrees(leaves)).map(hex));
  });

  it('reads only the chunks of the leaves proven and the last unfinished chunk, however large the tree', async () => {
    const width = 2 ** KEPT_FROM_LEVEL;
    const leaves = numbered(20 * width + 7);
    const { tree, reads, read } = grown(leaves);
    const size = leaves.length;
    const path = inclusionProof(3 * width + 5, await tree.view(size, [3 * width + 5], read));
    expect(hex(path)).toEqual(hex(inclusionProof(3 * width + 5, leafSubtrees(leaves))));
    expect(reads).toEqual([
      [3 * width, 4 * width],
      [20 * width, size],
    ]);
    reads.length = 0;
    // A tree that ends on a chunk's boundary has no unfinished chunk to read.
    expect(rangeRoot(await tree.view(16 * width, [], read), 0, 16 * width).equals(rootOf(leaves.slice(0, 16 * width)))).toBe(true);
    expect(reads).toEqual([]);
  });

  it('refuses a view beyond the leaves it holds', async () => {
    const { tree, read } = grown(numbered(5));
    await expect(tree.view(6, [], read)).rejects.toMatchObject({ status: 500 });
  });
});
