import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf, verifyInclusion } from '../../../src/disclosure-log/merkle.ts';
import { DisclosureLog } from '../../../src/disclosure-log/service.ts';
import type { DisclosureLogStore } from '../../../src/disclosure-log/types.ts';
import type { HubStore } from '../../../src/store/types.ts';
import { agendaDisclosure } from '../../support/agenda-disclosure.ts';
import { queryRows } from '../../support/db.ts';
import { DIALECTS, testDatabase, type TestDatabase } from '../../support/databases.ts';
import { CERTS } from '../../support/hub.ts';

// What the log costs per delivery and per checkpoint, counted in bytes and leaves (never in time).
describe.each(DIALECTS)('the cost of the log on %s', (dialect) => {
  let db: TestDatabase;
  let store: HubStore;

  beforeAll(async () => {
    db = await testDatabase(dialect);
    store = await db.open();
  });

  afterAll(async () => {
    await store?.close();
    await db?.remove();
  });

  /** The entries of one delivery naming `persons` persons, as stored: characters per entry, manifest first. */
  async function stored(persons: number): Promise<{ manifest: number; perPerson: number[] }> {
    const { message, delivery, disclosure } = agendaDisclosure(`${persons}`, persons);
    await store.saveOutbox(message, [delivery], [disclosure]);
    const rows = await queryRows(db.settings, `SELECT kind, LENGTH(entry) AS n FROM log_entries WHERE delivery_id = '${delivery.deliveryId}' ORDER BY seq`);
    expect(rows.map((r) => r.kind)).toEqual(['manifest', ...Array<string>(persons).fill('disclosure')]);
    return { manifest: Number(rows[0]!.n), perPerson: rows.slice(1).map((r) => Number(r.n)) };
  }

  it('grows linearly with the persons a delivery names: the manifest once, and lines of a size that does not grow', async () => {
    const small = await stored(10);
    const large = await stored(400);
    // Each person's line is the same size whatever the message (up to the digits of its index).
    expect(Math.max(...large.perPerson) - Math.max(...small.perPerson)).toBeLessThanOrEqual(8);
    // The manifest is proportional to the persons (40 times the persons: 36 to 44 times the size)...
    expect(large.manifest / small.manifest).toBeGreaterThan(36);
    expect(large.manifest / small.manifest).toBeLessThan(44);
    // ...and so is the whole: with the manifest in every line it would be 1,600 times.
    const total = (s: typeof small) => s.manifest + s.perPerson.reduce((a, b) => a + b, 0);
    expect(total(large) / total(small)).toBeLessThan(44);
  });

  it('reads only the leaves after a given size, and a checkpoint reads and hashes just the new ones', async () => {
    const size = await store.log.size();
    const all = await store.log.leafHashes(0, size);
    expect(all).toHaveLength(size);
    expect(await store.log.leafHashes(2, 5)).toEqual(all.slice(2, 5));
    expect(await store.log.leafHashes(size, size)).toEqual([]);

    const read: number[] = [];
    const counting: DisclosureLogStore = {
      ...store.log,
      leafHashes: async (from, to) => {
        const leaves = await store.log.leafHashes(from, to);
        read.push(leaves.length);
        return leaves;
      },
    };
    const key = await openpgp.readPrivateKey({ armoredKey: readFileSync(resolve(CERTS, 'hub/pgp-private.asc'), 'utf8') });
    const log = new DisclosureLog(counting, { sign: [key], verify: [key.toPublic()] });
    expect((await log.checkpoint()).rootHash).toBe(rootOf(all).toString('hex'));
    expect(read).toEqual([size]);

    const { message, delivery, disclosure } = agendaDisclosure('k', 2);
    await store.saveOutbox(message, [delivery], [disclosure]);
    const grown = await log.checkpoint();
    // One manifest and two persons: three new leaves read, and the root is still the whole tree's.
    expect(read).toEqual([size, 3]);
    expect(grown).toMatchObject({ treeSize: size + 3, rootHash: rootOf(await store.log.leafHashes(0, size + 3)).toString('hex') });
    expect(await log.verify()).toMatchObject({ intact: true, records: size + 3, checkpoints: 2 });
  });

  it('proves a delivery from the chunks of 256 leaves that hold its entries and the last chunk, not from the whole log', async () => {
    const { message, delivery, disclosure } = agendaDisclosure('p', 300);
    await store.saveOutbox(message, [delivery], [disclosure]);
    const after = agendaDisclosure('q', 100);
    await store.saveOutbox(after.message, [after.delivery], [after.disclosure]);
    const reads: [number, number][] = [];
    const counting: DisclosureLogStore = {
      ...store.log,
      leafHashes: async (from, to) => {
        reads.push([from, to]);
        return store.log.leafHashes(from, to);
      },
    };
    const key = await openpgp.readPrivateKey({ armoredKey: readFileSync(resolve(CERTS, 'hub/pgp-private.asc'), 'utf8') });
    const log = new DisclosureLog(counting, { sign: [key], verify: [key.toPublic()] });
    const { treeSize, rootHash } = await log.checkpoint();
    reads.length = 0;
    const proof = await log.proof(delivery.deliveryId);
    expect(proof.entries).toHaveLength(301);
    const hex = (h: string) => Buffer.from(h, 'hex');
    for (const e of proof.entries) expect(verifyInclusion(hex(e.leafHash), e.index, treeSize, e.auditPath.map(hex), hex(rootHash))).toBe(true);
    // The 301 entries span two or three chunks; with the last, at most four reads of at most 256 leaves.
    expect(reads.length).toBeLessThanOrEqual(4);
    for (const [from, to] of reads) expect(to - from).toBeLessThanOrEqual(256);
    expect(reads.reduce((n, [from, to]) => n + to - from, 0)).toBeLessThan(treeSize);
  });
});
