import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { leafHash, rootOf } from '../../../src/disclosure-log/merkle.ts';
import { DisclosureLog } from '../../../src/disclosure-log/service.ts';
import type { Checkpoint, DisclosureLogStore } from '../../../src/disclosure-log/types.ts';

/** A log in memory whose leaf reads wait until the test releases them, newest first if it likes. */
function heldStore() {
  const leaves: Buffer[] = [];
  const checkpoints: Checkpoint[] = [];
  const reads: { from: number; to: number; release: () => void }[] = [];
  const store: Partial<DisclosureLogStore> = {
    size: async () => leaves.length,
    checkpoints: async () => [...checkpoints].sort((a, b) => a.treeSize - b.treeSize),
    addCheckpoint: async (c) => void checkpoints.push(c),
    leafHashes: (from, to) => new Promise((resolve) => reads.push({ from, to, release: () => resolve(leaves.slice(from, to)) })),
  };
  const grow = (n: number) => {
    for (let i = 0; i < n; i++) leaves.push(leafHash(Buffer.from(`entry ${leaves.length}`)));
  };
  return { store: store as DisclosureLogStore, leaves, reads, grow };
}

const settled = async (reads: unknown[], n: number) => {
  while (reads.length < n) await new Promise((r) => setImmediate(r));
};

describe('checkpoints', () => {
  let key: openpgp.PrivateKey;
  beforeAll(async () => {
    key = (await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'test hub' }], format: 'object' })).privateKey;
  });

  it('read only the leaves added since the last, one growth at a time, each signing its own size', async () => {
    const { store, leaves, reads, grow } = heldStore();
    const log = new DisclosureLog(store, { sign: [key], verify: [key.toPublic()] });
    grow(4);
    const earlier = log.checkpoint();
    await settled(reads, 1);
    grow(4);
    const later = log.checkpoint();
    // The later checkpoint reads its leaves only once the earlier one has appended its own.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(reads).toHaveLength(1);
    reads[0]!.release();
    expect(await earlier).toMatchObject({ treeSize: 4, rootHash: rootOf(leaves.slice(0, 4)).toString('hex') });
    await settled(reads, 2);
    reads[1]!.release();
    expect(await later).toMatchObject({ treeSize: 8, rootHash: rootOf(leaves.slice(0, 8)).toString('hex') });

    grow(3);
    const next = log.checkpoint();
    await settled(reads, 3);
    reads[2]!.release();
    expect(await next).toMatchObject({ treeSize: 11, rootHash: rootOf(leaves).toString('hex') });
    expect(reads.map((r) => [r.from, r.to])).toEqual([[0, 4], [4, 8], [8, 11]]);
  });

  it('sign the root of their own size when a later checkpoint grew the tree past it meanwhile', async () => {
    const { store, leaves, reads, grow } = heldStore();
    const log = new DisclosureLog(store, { sign: [key], verify: [key.toPublic()] });
    let releaseList: () => void = () => undefined;
    const list = store.checkpoints;
    let calls = 0;
    // The earlier checkpoint's list of checkpoints is slow, so that the later one reaches the tree first.
    store.checkpoints = () => (calls++ === 0 ? new Promise((resolve) => (releaseList = () => resolve(list()))) : list());
    grow(4);
    const earlier = log.checkpoint();
    grow(4);
    const later = log.checkpoint();
    await settled(reads, 1);
    reads[0]!.release();
    expect(await later).toMatchObject({ treeSize: 8, rootHash: rootOf(leaves.slice(0, 8)).toString('hex') });
    releaseList();
    await settled(reads, 2);
    reads[1]!.release();
    expect(await earlier).toMatchObject({ treeSize: 4, rootHash: rootOf(leaves.slice(0, 4)).toString('hex') });
    expect(reads.map((r) => [r.from, r.to])).toEqual([[0, 8], [0, 4]]);
  });

  it('find only the leaves that came after the log was last followed', async () => {
    const { store, leaves, reads, grow } = heldStore();
    const log = new DisclosureLog(store, { sign: [key], verify: [key.toPublic()] });
    grow(5);
    const following = log.follow();
    await settled(reads, 1);
    reads[0]!.release();
    await following;
    grow(2);
    const checkpoint = log.checkpoint();
    await settled(reads, 2);
    reads[1]!.release();
    expect(await checkpoint).toMatchObject({ treeSize: 7, rootHash: rootOf(leaves).toString('hex') });
    expect(reads.map((r) => [r.from, r.to])).toEqual([[0, 5], [5, 7]]);
  });

  it('hash a large backlog in batches, and let the event loop serve others between them', async () => {
    const { store, leaves, reads, grow } = heldStore();
    const log = new DisclosureLog(store, { sign: [key], verify: [key.toPublic()] });
    grow(10_000);
    const checkpoint = log.checkpoint();
    let readsWhenServed = -1;
    setImmediate(() => (readsWhenServed = reads.length));
    for (let n = 1; n <= 3; n++) {
      await settled(reads, n);
      reads[n - 1]!.release();
    }
    expect(await checkpoint).toMatchObject({ treeSize: 10_000, rootHash: rootOf(leaves).toString('hex') });
    expect(reads.map((r) => [r.from, r.to])).toEqual([[0, 4096], [4096, 8192], [8192, 10_000]]);
    // Another task ran while the backlog was being hashed, not only after it.
    expect(readsWhenServed).toBeGreaterThan(0);
    expect(readsWhenServed).toBeLessThan(3);
  });
});
