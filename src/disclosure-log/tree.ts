import { HubProblem, Problems } from '../errors/problem.ts';
import { CompactRange, foldLeaves, type Subtrees } from './merkle.ts';

const HASH_BYTES = 32;

/** Hashes of one level of the tree, in order, in one growing buffer rather than a Buffer object each. */
class HashColumn {
  private bytes = Buffer.alloc(HASH_BYTES * 64);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_BYTES > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length++ * HASH_BYTES);
  }

  at(index: number): Buffer {
    return Buffer.from(this.bytes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES));
  }
}

/**
 * Subtrees of 2^8 = 256 leaves and more are kept: two hashes per 256 leaves, a quarter of a byte a leaf
 * (250 kB for a million leaves), and a proof reads at most 256 leaves for each entry it proves.
 */
export const KEPT_FROM_LEVEL = 8;

/** Reads the leaf hashes from index `from` up to (not including) `to`. */
export type ReadLeaves = (from: number, to: number) => Promise<Buffer[]>;

/**
 * The log's tree as far as this process has read it. Besides the root it keeps the roots of its perfect
 * subtrees from `keptFromLevel` up, so that a root of any earlier size, an inclusion proof and a
 * consistency proof each need O(log n) hashes and a chunk of leaves or two, never the whole log.
 */
export class LogTree {
  private readonly range: CompactRange;
  private readonly kept: HashColumn[] = [];
  private readonly keptFromLevel: number;
  /** Leaves per chunk: the leaves of one kept subtree of the lowest kept level. */
  private readonly chunkWidth: number;

  constructor(keptFromLevel = KEPT_FROM_LEVEL) {
    this.keptFromLevel = keptFromLevel;
    this.chunkWidth = 2 ** keptFromLevel;
    this.range = new CompactRange((level, hash) => {
      if (level >= keptFromLevel) (this.kept[level - keptFromLevel] ??= new HashColumn()).push(hash);
    });
  }

  get size(): number {
    return this.range.size;
  }

  append(leaf: Uint8Array): void {
    this.range.append(leaf);
  }

  root(): Buffer {
    return this.range.root();
  }

  /**
   * The tree of its first `size` leaves, ready for proofs of the leaves at `indices`: it reads the chunks
   * of leaves below the kept levels that such proofs reach (those holding the leaves proven, and the
   * tree's last, unfinished one).
   */
  async view(size: number, indices: readonly number[], read: ReadLeaves): Promise<Subtrees> {
    if (size > this.size) throw new HubProblem(Problems.internal, `a tree of ${size} leaves was asked of one that holds ${this.size}`);
    const width = this.chunkWidth;
    const wanted = new Set(indices.filter((i) => i < size).map((i) => Math.floor(i / width)));
    if (size % width !== 0) wanted.add(Math.floor(size / width));
    const chunks = new Map<number, Buffer[]>();
    for (const chunk of wanted) chunks.set(chunk, await read(chunk * width, Math.min(size, (chunk + 1) * width)));
    return { size, subtree: (level, index) => this.subtree(level, index, chunks) };
  }

  private subtree(level: number, index: number, chunks: Map<number, Buffer[]>): Buffer {
    if (level >= this.keptFromLevel) {
      const column = this.kept[level - this.keptFromLevel];
      if (!column || index >= column.length) throw new HubProblem(Problems.internal, `the subtree ${index} of level ${level} is not complete`);
      return column.at(index);
    }
    const first = index * 2 ** level;
    const chunk = Math.floor(first / this.chunkWidth);
    const leaves = chunks.get(chunk);
    const start = first - chunk * this.chunkWidth;
    const end = start + 2 ** level;
    if (!leaves || leaves.length < end) throw new HubProblem(Problems.internal, `leaves ${first} to ${first + 2 ** level - 1} were not read`);
    return foldLeaves(leaves, start, end);
  }
}
