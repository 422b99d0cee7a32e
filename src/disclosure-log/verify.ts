import type * as openpgp from 'openpgp';
import { checkpointSignatureValid } from './checkpoint.ts';
import { entryHash, type LogEntry } from './entries.ts';
import { CompactRange, leafHash } from './merkle.ts';
import type { Checkpoint, DisclosureLogStore, LogRow, Verification } from './types.ts';

/**
 * A row without its entry must be the purge after the entry's retention. The database's trigger allows
 * no other clearing, so anything else was done by a role that went around it (the table's owner or a
 * superuser). An entry purged before the log kept retention dates was dated at its purge by the migration.
 */
function purgedAfterRetention(row: LogRow): boolean {
  return row.retainUntil !== null && row.purgedAt !== null && Date.parse(row.retainUntil) <= Date.parse(row.purgedAt);
}

/**
 * Recomputes the log from its rows: every entry against its own leaf and place, every cleared entry
 * against its retention, the rows without gaps, and the tree against every signed checkpoint. Reports
 * the first record that does not match.
 */
export async function verifyLog(rows: AsyncIterable<LogRow> | Iterable<LogRow>, checkpoints: Checkpoint[], signatureValid: (c: Checkpoint) => Promise<boolean>): Promise<Verification> {
  const range = new CompactRange();
  const pending = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize);
  let next = 0;
  for (const c of pending) {
    if (!(await signatureValid(c))) return { intact: false, records: 0, firstBadRecord: c.treeSize, reason: `the checkpoint at size ${c.treeSize} does not carry the hub's valid signature` };
  }
  let lastGood = 0;
  // The checkpoints of the tree as it stands, an empty tree's too (a hub with an empty log signs one).
  const signedRootsHold = (): Verification | undefined => {
    while (pending[next]?.treeSize === range.size) {
      const c = pending[next++]!;
      if (range.root().toString('hex') !== c.rootHash) {
        return { intact: false, records: range.size, firstBadRecord: lastGood + 1, reason: `records ${lastGood + 1}-${c.treeSize} no longer give the root signed at ${c.signedAt}` };
      }
      lastGood = c.treeSize;
    }
    return undefined;
  };
  const empty = signedRootsHold();
  if (empty) return empty;
  for await (const row of rows) {
    const bad = (reason: string): Verification => ({ intact: false, records: range.size, firstBadRecord: row.seq, reason });
    if (row.seq !== range.size + 1) return { intact: false, records: range.size, firstBadRecord: range.size + 1, reason: `record ${range.size + 1} is missing (the next is ${row.seq})` };
    const leaf = Buffer.from(row.leafHash, 'hex');
    if (row.entry !== null) {
      let entry: LogEntry;
      try {
        entry = JSON.parse(row.entry) as LogEntry;
      } catch {
        return bad(`record ${row.seq} is not valid JSON`);
      }
      if (entry.index !== row.seq - 1) return bad(`record ${row.seq} holds entry ${entry.index + 1}: records were moved`);
      if (row.salt === null || !leafHash(entryHash(entry, Buffer.from(row.salt, 'hex'))).equals(leaf)) return bad(`record ${row.seq} does not match its hash: it was altered`);
    } else if (!purgedAfterRetention(row)) {
      return bad(`record ${row.seq} was cleared before its retention ended (purged ${row.purgedAt ?? 'never'}, kept until ${row.retainUntil ?? 'no date'})`);
    }
    range.append(leaf);
    const broken = signedRootsHold();
    if (broken) return broken;
  }
  if (pending[next]) return { intact: false, records: range.size, firstBadRecord: range.size + 1, reason: `a checkpoint covers ${pending[next]!.treeSize} records, but the log holds ${range.size}: records were removed` };
  return { intact: true, records: range.size, root: range.root().toString('hex'), checkpoints: checkpoints.length };
}

/**
 * Verifies a stored log against the checkpoints signed by one of `keys` (the hub's public keys): those
 * stored beside it, and `kept` ones that partners or auditors saved elsewhere, which still stand when
 * someone able to rewrite the database also removed or replaced the stored ones.
 */
export async function verifyStoredLog(store: Pick<DisclosureLogStore, 'rows' | 'checkpoints'>, keys: openpgp.PublicKey[], kept: Checkpoint[] = []): Promise<Verification> {
  return verifyLog(store.rows(), [...(await store.checkpoints()), ...kept], (c) => checkpointSignatureValid(c, keys));
}
