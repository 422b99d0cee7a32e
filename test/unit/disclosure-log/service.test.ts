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

  it('read only the leaves added since the last, and sign the right root when a later checkpoint overtook an earlier one', async () => {
    const { store, leaves, reads, grow } = heldStore();
    const log = new DisclosureLog(store, { sign: [key], verify: [key.toPublic()] });
    grow(4);
    const earlier = log.checkpoint();
    await settled(reads, 1);
    grow(4);
    const later = log.checkpoint();
    await settled(reads, 2);
    // The later read returns first: the tree goes to 8, past the 4 the earlier checkpoint is for.
    reads[1]!.release();
    expect((await later).rootHash).toBe(rootOf(leaves.slice(0, 8)).toString('hex'));
    reads[0]!.release();
    await settled(reads, 3);
    reads[2]!.release();
    expect(await earlier).toMatchObject({ treeSize: 4, rootHash: rootOf(leaves.slice(0, 4)).toString('hex') });
    expect(reads.map((r) => [r.from, r.to])).toEqual([[0, 4], [0, 8], [0, 4]]);

    grow(3);
    const next = log.checkpoint();
    await settled(reads, 4);
    reads[3]!.release();
    expect(await next).toMatchObject({ treeSize: 11, rootHash: rootOf(leaves).toString('hex') });
    expect(reads[3]).toMatchObject({ from: 8, to: 11 });
  });
});
