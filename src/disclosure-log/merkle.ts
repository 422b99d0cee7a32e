import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 (Certificate Transparency), section 2.1: leaves are hashed with a 0x00
 * prefix and interior nodes with 0x01, so that a leaf can never pass for a node. Pure functions over
 * 32-byte SHA-256 hashes.
 */
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const LEAF = Buffer.of(0);
const NODE = Buffer.of(1);

export const leafHash = (entry: Uint8Array): Buffer => sha256(LEAF, entry);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);
export const EMPTY_ROOT = sha256();

/** RFC 9162 section 2.1.3.2: does `proof` place `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Roots of a growing tree without keeping it: the perfect subtrees of the leaves so far, largest first.
 * `root()` after n appends equals rootOf of those n leaves. Leaves are referenced, never copied.
 * `onSubtree` hears of every perfect subtree as it completes (a leaf is one of level 0), in order of its
 * place on its level.
 */
export class CompactRange {
  private readonly hashes: Uint8Array[] = [];
  private readonly levels: number[] = [];
  private readonly onSubtree: ((level: number, hash: Uint8Array) => void) | undefined;
  size = 0;

  constructor(onSubtree?: (level: number, hash: Uint8Array) => void) {
    this.onSubtree = onSubtree;
  }

  append(leaf: Uint8Array): void {
    let hash = leaf;
    let level = 0;
    this.onSubtree?.(level, hash);
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      hash = nodeHash(this.hashes.pop()!, hash);
      level++;
      this.onSubtree?.(level, hash);
    }
    this.hashes.push(hash);
    this.levels.push(level);
    this.size++;
  }

  root(): Buffer {
    if (this.hashes.length === 0) return EMPTY_ROOT;
    let r = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) r = nodeHash(this.hashes[i]!, r);
    return Buffer.from(r);
  }
}

/** MTH(D[start:end]) of leaf hashes: one pass over the range, in O(log n) memory. */
export function foldLeaves(leaves: readonly Uint8Array[], start: number, end: number): Buffer {
  const range = new CompactRange();
  for (let i = start; i < end; i++) range.append(leaves[i]!);
  return range.root();
}

/** MTH(D[n]) over leaf hashes. */
export function rootOf(leaves: readonly Uint8Array[]): Buffer {
  return foldLeaves(leaves, 0, leaves.length);
}

/**
 * A tree of `size` leaves as the proofs read it: `subtree(level, index)` is the root of its perfect
 * subtree of the 2^level leaves from index · 2^level. Where that root comes from (hashed from the leaves,
 * or kept) is the caller's choice.
 */
export interface Subtrees {
  readonly size: number;
  subtree(level: number, index: number): Buffer;
}

/** The subtrees of the given leaves, each hashed from its leaves when asked for. */
export function leafSubtrees(leaves: readonly Uint8Array[]): Subtrees {
  return { size: leaves.length, subtree: (level, index) => foldLeaves(leaves, index * 2 ** level, (index + 1) * 2 ** level) };
}

/**
 * MTH(D[start:end]) for a range of RFC 6962's recursion, whose start is a multiple of a power of two at
 * least as large as the range: its perfect subtrees from the left, largest first, folded from the right
 * (as the recursion splits off the largest power of two each time).
 */
export function rangeRoot(tree: Subtrees, start: number, end: number): Buffer {
  if (start === end) return EMPTY_ROOT;
  const pieces: Buffer[] = [];
  for (let at = start; at < end; ) {
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && 2 ** (level + 1) <= end - at) level++;
    pieces.push(tree.subtree(level, at / 2 ** level));
    at += 2 ** level;
  }
  let root = pieces.pop()!;
  while (pieces.length > 0) root = nodeHash(pieces.pop()!, root);
  return root;
}

/** PATH(m, D[n]): the audit path of leaf m, from the leaf upwards. */
export function inclusionProof(m: number, tree: Subtrees): Buffer[] {
  return inclusionProofs([m], tree)[0]!;
}

/**
 * PATH(m, D[n]) for several leaves at once: RFC 6962's recursion by index bounds, where a range that
 * holds none of the leaves asked for is folded from its perfect subtrees, so that shared parts of the
 * paths are computed once.
 */
export function inclusionProofs(indices: readonly number[], tree: Subtrees): Buffer[][] {
  for (const m of indices) if (!Number.isInteger(m) || m < 0 || m >= tree.size) throw new RangeError(`leaf ${m} is outside a tree of ${tree.size}`);
  const paths = new Map<number, Buffer[]>(indices.map((m) => [m, []]));
  // Returns MTH(D[start:end]); deeper levels return first, so each path grows from the leaf upwards.
  const walk = (start: number, end: number, targets: number[]): Buffer => {
    if (targets.length === 0) return rangeRoot(tree, start, end);
    if (end - start === 1) return tree.subtree(0, start);
    const mid = start + split(end - start);
    const left = targets.filter((m) => m < mid);
    const right = targets.filter((m) => m >= mid);
    const l = walk(start, mid, left);
    const r = walk(mid, end, right);
    for (const m of left) paths.get(m)!.push(r);
    for (const m of right) paths.get(m)!.push(l);
    return nodeHash(l, r);
  };
  if (paths.size > 0) walk(0, tree.size, [...paths.keys()].sort((a, b) => a - b));
  return indices.map((m) => [...paths.get(m)!]);
}

/**
 * PROOF(m, D[n]) of RFC 6962 section 2.1.2: the hashes that show the tree of the first m leaves to be
 * the beginning of the tree of all n, so that whoever kept a checkpoint of size m can check that a later
 * one only added to it.
 */
export function consistencyProof(m: number, tree: Subtrees): Buffer[] {
  if (!Number.isInteger(m) || m < 1 || m > tree.size) throw new RangeError(`a tree of ${m} leaves is not a prefix of a tree of ${tree.size}`);
  const proof: Buffer[] = [];
  // SUBPROOF(m, D[start:end], whole): its own hashes first, then the hash of the part beside it.
  const sub = (m: number, start: number, end: number, whole: boolean): void => {
    if (m === end - start) {
      if (!whole) proof.push(rangeRoot(tree, start, end));
      return;
    }
    const k = split(end - start);
    if (m <= k) {
      sub(m, start, start + k, whole);
      proof.push(rangeRoot(tree, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(rangeRoot(tree, start, start + k));
    }
  };
  sub(m, 0, tree.size, true);
  return proof;
}

/** RFC 9162 section 2.1.4.2: does `proof` show the tree of `first` leaves with `firstRoot` to be a prefix of the tree of `second` with `secondRoot`? */
export function verifyConsistency(first: number, second: number, proof: readonly Uint8Array[], firstRoot: Uint8Array, secondRoot: Uint8Array): boolean {
  if (first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && Buffer.from(firstRoot).equals(secondRoot);
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}
