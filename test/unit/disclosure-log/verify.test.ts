import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, leafHash, rootOf } from '../../../src/disclosure-log/merkle.ts';
import type { Checkpoint, LogRow } from '../../../src/disclosure-log/types.ts';
import { verifyLog } from '../../../src/disclosure-log/verify.ts';

// Purged rows: the verifier takes their leaves as they are, so that the tree alone is under test here.
const leaves = [0, 1, 2].map((i) => leafHash(Buffer.from(`entry ${i}`)));
const rows: LogRow[] = leaves.map((leaf, i) => ({ seq: i + 1, entry: null, salt: null, leafHash: leaf.toString('hex'), retainUntil: '2020-01-01T00:00:00.000Z', purgedAt: '2021-01-01T00:00:00.000Z' }));
const checkpoint = (treeSize: number, root: Buffer): Checkpoint => ({ treeSize, rootHash: root.toString('hex'), signedAt: `t${treeSize}`, statement: '', signature: '' });
const signed = async () => true;

describe('verifyLog', () => {
  it('holds the log to a checkpoint of the empty tree, as a hub signs one before its first message', async () => {
    expect(await verifyLog(rows, [checkpoint(0, EMPTY_ROOT), checkpoint(2, rootOf(leaves.slice(0, 2)))], signed)).toMatchObject({ intact: true, records: 3, checkpoints: 2 });
    expect(await verifyLog([], [checkpoint(0, EMPTY_ROOT)], signed)).toMatchObject({ intact: true, records: 0 });
    expect(await verifyLog(rows, [checkpoint(0, leaves[0]!)], signed)).toMatchObject({ intact: false, records: 0, reason: expect.stringMatching(/no longer give the root signed at t0/) });
  });

  it('names the records a checkpoint no longer covers, and those removed from its end', async () => {
    expect(await verifyLog(rows, [checkpoint(2, rootOf([leaves[1]!, leaves[0]!]))], signed)).toMatchObject({ intact: false, firstBadRecord: 1, reason: expect.stringMatching(/^records 1-2 no longer give the root/) });
    expect(await verifyLog(rows.slice(0, 2), [checkpoint(3, rootOf(leaves))], signed)).toMatchObject({ intact: false, firstBadRecord: 3, reason: expect.stringMatching(/records were removed/) });
  });
});
