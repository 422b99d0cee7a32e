import { setImmediate } from 'node:timers/promises';
import type * as openpgp from 'openpgp';
import { HubProblem, Problems } from '../errors/problem.ts';
import { signCheckpoint } from './checkpoint.ts';
import { entryHash } from './entries.ts';
import { consistencyProof, inclusionProofs, leafHash, rangeRoot, type Subtrees } from './merkle.ts';
import { LogTree } from './tree.ts';
import type { Checkpoint, DisclosureLogStore, Verification } from './types.ts';
import { verifyStoredLog } from './verify.ts';

/**
 * Leaves read and hashed between two turns of the event loop. A checkpoint after five minutes of a
 * soak at 16 messages a second hashed about 60,000 leaves in one go and held the event loop for 0.5–0.8 s;
 * a batch of 4,096 took 15–28 ms there (reading 9–21, hashing 7–14).
 */
const LEAVES_PER_BATCH = 4096;

export interface InclusionProof {
  checkpoint: Checkpoint;
  entries: { seq: number; index: number; entry: unknown; salt: string; entryHash: string; leafHash: string; auditPath: string[] }[];
}

export interface ConsistencyProof {
  from: number;
  checkpoint: Checkpoint;
  proof: string[];
}

/** The log's own operations over its store: checkpoints, verification, proofs, retention. */
export class DisclosureLog {
  private readonly store: DisclosureLogStore;
  private readonly keys: { sign: openpgp.PrivateKey[]; verify: openpgp.PublicKey[] };
  /** The tree as far as this process has read it: leaves are append-only, so a checkpoint hashes only new ones. */
  private readonly tree = new LogTree();
  private growing: Promise<void> = Promise.resolve();
  private readonly readLeaves = (from: number, to: number) => this.store.leafHashes(from, to);

  constructor(store: DisclosureLogStore, keys: { sign: openpgp.PrivateKey[]; verify: openpgp.PublicKey[] }) {
    this.store = store;
    this.keys = keys;
  }

  /** The latest checkpoint, signed now when the log has grown since. */
  async checkpoint(now = new Date()): Promise<Checkpoint> {
    const size = await this.store.size();
    const latest = (await this.store.checkpoints()).at(-1);
    if (latest && latest.treeSize === size) return latest;
    const root = (await this.rootAt(size)).toString('hex');
    const signed = await signCheckpoint(size, root, now.toISOString(), this.keys.sign);
    await this.store.addCheckpoint(signed);
    return signed;
  }

  /**
   * Hashes the leaves appended since the last call. Called every few seconds, it keeps the tree close to
   * the log, so that a checkpoint never finds minutes of leaves to hash at once: in an hour's soak, the
   * windows of the 5-minute checkpoints, each hashing about 75,000 leaves in batches, had their slowest
   * messages at 0.55–1.64 s.
   */
  async follow(): Promise<void> {
    await this.grow(await this.store.size());
  }

  /** The root of the first `size` leaves. */
  private async rootAt(size: number): Promise<Buffer> {
    await this.grow(size);
    // A later checkpoint may meanwhile have grown the tree past this size: then this size's root comes from the kept subtrees.
    if (this.tree.size > size) return rangeRoot(await this.tree.view(size, [], this.readLeaves), 0, size);
    return this.tree.root();
  }

  /** The tree of the first `size` leaves, for proofs of the leaves at `indices`. */
  private async subtrees(size: number, indices: readonly number[]): Promise<Subtrees> {
    await this.grow(size);
    return this.tree.view(size, indices, this.readLeaves);
  }

  /**
   * Reads and hashes the leaves after those this process already holds, a batch at a time, with the
   * event loop free between batches. One growth at a time, so that no leaf is appended twice.
   */
  private grow(size: number): Promise<void> {
    const done = this.growing.then(async () => {
      while (this.tree.size < size) {
        const from = this.tree.size;
        const to = Math.min(size, from + LEAVES_PER_BATCH);
        const leaves = await this.store.leafHashes(from, to);
        if (leaves.length !== to - from) throw new HubProblem(Problems.internal, `the log returned ${leaves.length} leaves for records ${from + 1} to ${to}`);
        for (const leaf of leaves) this.tree.append(leaf);
        await setImmediate();
      }
    });
    this.growing = done.catch(() => undefined);
    return done;
  }

  async verify(): Promise<Verification> {
    return verifyStoredLog(this.store, this.keys.verify);
  }

  /**
   * That the latest checkpoint only added to the tree of the first `from` leaves, which the caller kept a
   * checkpoint of: the RFC 6962 consistency proof between the two.
   */
  async consistency(from: number): Promise<ConsistencyProof> {
    const checkpoint = await this.checkpoint();
    if (from > checkpoint.treeSize) {
      throw new HubProblem(Problems.malformedRequest, `from ${from} is beyond the log's latest checkpoint of ${checkpoint.treeSize} records`, [{ path: 'from', message: `at most ${checkpoint.treeSize}` }]);
    }
    const proof = consistencyProof(from, await this.subtrees(checkpoint.treeSize, [from - 1]));
    return { from, checkpoint, proof: proof.map((h) => h.toString('hex')) };
  }

  /** For each log entry of a delivery, what a sender or recipient needs to check it against a checkpoint. */
  async proof(deliveryId: string): Promise<InclusionProof> {
    const checkpoint = await this.checkpoint();
    const entries = (await this.store.entriesOfDelivery(deliveryId)).filter((e) => e.entry !== null && e.salt !== null && e.seq <= checkpoint.treeSize);
    const indices = entries.map((e) => e.seq - 1);
    const paths = inclusionProofs(indices, await this.subtrees(checkpoint.treeSize, indices));
    return {
      checkpoint,
      entries: entries.map((e, i) => {
        const hash = entryHash(e.entry!, Buffer.from(e.salt!, 'hex'));
        return {
          seq: e.seq,
          index: e.seq - 1,
          entry: e.entry,
          salt: e.salt!,
          entryHash: hash.toString('hex'),
          leafHash: leafHash(hash).toString('hex'),
          auditPath: paths[i]!.map((h) => h.toString('hex')),
        };
      }),
    };
  }

  /**
   * Clears the entries whose retention (their processing activity's, set when they were written) has
   * ended; their leaves stay, so proofs and checkpoints hold.
   */
  async purge(): Promise<number> {
    return this.store.purgeExpired();
  }
}
