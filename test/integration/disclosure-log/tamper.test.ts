import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash, type LogEntry } from '../../../src/disclosure-log/entries.ts';
import { leafHash } from '../../../src/disclosure-log/merkle.ts';
import { DisclosureLog } from '../../../src/disclosure-log/service.ts';
import { verifyStoredLog } from '../../../src/disclosure-log/verify.ts';
import type { DeliveryRecord, DisclosureRecord } from '../../../src/store/types.ts';
import { clearLikeThePurge, execute, queryRows } from '../../support/db.ts';
import { databaseEnv, DIALECTS, testDatabase, type TestDatabase } from '../../support/databases.ts';
import { CERTS } from '../../support/hub.ts';
import { urlOf } from '../../support/pg.ts';

const hubKey = () => openpgp.readPrivateKey({ armoredKey: readFileSync(resolve(CERTS, 'hub/pgp-private.asc'), 'utf8') });

function delivery(n: number, recipient: string): DeliveryRecord {
  return { deliveryId: `d${n}-${recipient}`, messageId: `m${n}`, sender: 'vt', recipient, transport: 'pull', ciphertext: Buffer.from('armour'), ciphertextDigest: 'digest', policyId: `${recipient}-execution`, policyVersion: 1, createdAt: '2026-11-22T09:00:01Z' };
}

// The first message's retention has ended (its records are 1-8); the others' has not.
const retainUntil = (n: number) => (n === 1 ? '2020-01-01T00:00:00Z' : '2031-11-22T09:00:01Z');

function disclosure(d: DeliveryRecord, n: number): DisclosureRecord {
  return {
    ...d, type: 'minutes', purpose: 'execution', caseRef: 'VT-1', legalBasis: 'Wpg', manifest: { disclosed: [], withheld: [] }, recordedAt: d.createdAt,
    traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), subjects: [{ bsn: 'c'.repeat(64), role: 'victim' }, { bsn: 'd'.repeat(64), role: 'suspect' }], retainUntil: retainUntil(n),
  } as DisclosureRecord;
}

// Tampering as an intruder with direct access to the database would: on a copy of a signed log, with
// the append-only triggers out of the way (a superuser's replica role in PostgreSQL, dropped in SQLite).
describe.each(DIALECTS)('tampering with the log on %s', (dialect) => {
  let db: TestDatabase;
  let key: openpgp.PrivateKey;
  let records = 0;
  const copies: TestDatabase[] = [];

  beforeAll(async () => {
    key = await hubKey();
    db = await testDatabase(dialect);
    const store = await db.open();
    try {
      for (const n of [1, 2, 3]) {
        const ds = ['politie', 'om'].map((r) => delivery(n, r));
        await store.saveOutbox({ sender: 'vt', messageId: `m${n}`, type: 'minutes', purpose: 'execution', caseRef: 'VT-1', createdAt: 'then', receivedAt: 'then', contentDigest: 'x', refused: [] }, ds, ds.map((d) => disclosure(d, n)));
        for (const d of ds) await store.appendEvent({ deliveryId: d.deliveryId, event: 'available', at: 'now' });
      }
      await new DisclosureLog(store.log, { sign: [key], verify: [key.toPublic()] }).checkpoint();
      records = await store.log.size();
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    for (const c of copies) await c.remove();
    await db?.remove();
  });

  async function tampered(script: string): Promise<TestDatabase> {
    const copy = await db.copy();
    copies.push(copy);
    await execute(copy.settings, script, { bypassTriggers: true });
    return copy;
  }

  async function verify(target: TestDatabase) {
    const store = await target.open();
    try {
      return await verifyStoredLog(store.log, [key.toPublic()]);
    } finally {
      await store.close();
    }
  }

  it('verifies the untouched log as intact', async () => {
    // Three messages to two recipients: per delivery its manifest, two persons and one event.
    expect(records).toBe(3 * 2 * (1 + 2 + 1));
    expect(await verify(db)).toMatchObject({ intact: true, records, checkpoints: 1 });
  });

  it('names a record that was edited', async () => {
    const edited = await tampered(`UPDATE log_entries SET entry = replace(entry, '"purpose":"execution"', '"purpose":"preparation"') WHERE seq = 10`);
    expect(await verify(edited)).toMatchObject({ intact: false, firstBadRecord: 10, reason: expect.stringMatching(/altered/) });
  });

  it('names a record that was deleted', async () => {
    expect(await verify(await tampered('DELETE FROM log_entries WHERE seq = 5'))).toMatchObject({ intact: false, firstBadRecord: 5, reason: expect.stringMatching(/missing/) });
  });

  it('names two records that were swapped, here and in npm run log:verify', async () => {
    const swapped = await tampered('UPDATE log_entries SET seq = -1 WHERE seq = 3; UPDATE log_entries SET seq = 3 WHERE seq = 4; UPDATE log_entries SET seq = 4 WHERE seq = -1');
    expect(await verify(swapped)).toMatchObject({ intact: false, firstBadRecord: 3, reason: expect.stringMatching(/moved/) });
    const cli = spawnSync(process.execPath, ['src/disclosure-log/cli.ts'], { env: { ...process.env, ...databaseEnv(swapped.settings) }, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/^NOT INTACT: record 3:/);
  });

  it('names the checkpoint that a consistent forgery (an entry rewritten with its leaf) breaks', async () => {
    const [row] = await queryRows(db.settings, 'SELECT entry, salt FROM log_entries WHERE seq = 2');
    const entry = { ...(JSON.parse(String(row!.entry)) as LogEntry), recipient: 'rvdk' };
    const leaf = leafHash(entryHash(entry, Buffer.from(String(row!.salt), 'hex'))).toString('hex');
    const forged = await tampered(`UPDATE log_entries SET entry = '${JSON.stringify(entry).replace(/'/g, "''")}', leaf_hash = '${leaf}' WHERE seq = 2`);
    expect(await verify(forged)).toMatchObject({ intact: false, firstBadRecord: 1, reason: expect.stringMatching(/no longer give the root/) });
  });

  it('catches a forgery whose author also removed the stored checkpoints, against a checkpoint kept elsewhere', async () => {
    const original = await db.open();
    const kept = await original.log.checkpoints().finally(() => original.close());
    expect(kept).toHaveLength(1);
    const [row] = await queryRows(db.settings, 'SELECT entry, salt FROM log_entries WHERE seq = 5');
    const entry = { ...(JSON.parse(String(row!.entry)) as LogEntry), purpose: 'feedback' };
    const leaf = leafHash(entryHash(entry, Buffer.from(String(row!.salt), 'hex'))).toString('hex');
    const forged = await tampered(`UPDATE log_entries SET entry = '${JSON.stringify(entry).replace(/'/g, "''")}', leaf_hash = '${leaf}' WHERE seq = 5;
      DELETE FROM log_checkpoints`);
    // What the database alone can show: nothing, as every leaf matches its entry.
    expect(await verify(forged)).toMatchObject({ intact: true, checkpoints: 0 });
    const store = await forged.open();
    try {
      expect(await verifyStoredLog(store.log, [key.toPublic()], kept)).toMatchObject({ intact: false, firstBadRecord: 1, reason: expect.stringMatching(/no longer give the root/) });
    } finally {
      await store.close();
    }
    const dir = mkdtempSync(join(tmpdir(), 'aoh-kept-'));
    const file = join(dir, 'checkpoint.json');
    writeFileSync(file, JSON.stringify(kept[0]));
    const cli = (...args: string[]) => spawnSync(process.execPath, ['src/disclosure-log/cli.ts', ...args], { env: { ...process.env, ...databaseEnv(forged.settings) }, encoding: 'utf8' });
    expect(cli().status).toBe(0);
    const checked = cli('--checkpoint', file);
    expect([checked.status, checked.stdout]).toEqual([1, expect.stringMatching(/^NOT INTACT: record 1: records 1-\d+ no longer give the root/)]);
    writeFileSync(file, JSON.stringify({ ...kept[0], treeSize: 'many' }));
    const broken = cli('--checkpoint', file);
    expect([broken.status, broken.stderr]).toEqual([78, expect.stringContaining(`Invalid configuration in ${file}:\n  - treeSize:`)]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an UPDATE that clears a record like the purge before its retention has ended, however it dates it', async () => {
    const copy = await db.copy();
    copies.push(copy);
    const now = new Date().toISOString();
    for (const set of [
      `purged_at = '${now}'`,
      // After the record's retention, but a date the database's clock has not reached.
      "purged_at = '2032-01-01T00:00:00.000Z'",
      `purged_at = '${now}', retain_until = '2020-01-01T00:00:00.000Z'`,
      `purged_at = '${now}', retain_until = NULL`,
    ]) {
      await expect(execute(copy.settings, clearLikeThePurge('seq = 10', set)), set).rejects.toThrow(/only the retention purge may clear an entry, once its retention has passed/);
    }
    await expect(execute(copy.settings, "UPDATE log_entries SET retain_until = '2020-01-01T00:00:00.000Z' WHERE seq = 10")).rejects.toThrow(/append-only/);
    expect(await verify(copy)).toMatchObject({ intact: true, records });
  });

  it('names a record that a role going around the triggers cleared before its retention ended', async () => {
    const now = new Date().toISOString();
    for (const set of [`purged_at = '${now}'`, `purged_at = '${now}', retain_until = NULL`, 'purged_at = NULL']) {
      const cleared = await tampered(clearLikeThePurge('seq = 10', set));
      expect(await verify(cleared), set).toMatchObject({ intact: false, firstBadRecord: 10, reason: expect.stringMatching(/^record 10 was cleared before its retention ended/) });
    }
  });

  it('refuses a plain UPDATE or DELETE, but lets the purge clear the entries whose retention has ended and still verifies', async () => {
    const copy = await db.copy();
    copies.push(copy);
    await expect(execute(copy.settings, 'DELETE FROM log_entries WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(execute(copy.settings, `UPDATE log_entries SET entry = replace(entry, 'execution', 'preparation') WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(execute(copy.settings, 'UPDATE log_entries SET entry = NULL, salt = NULL WHERE seq = 1')).rejects.toThrow(/only the retention purge/);
    const store = await copy.open();
    try {
      expect(await store.log.purgeExpired()).toBe(8);
      expect(await store.log.purgeExpired()).toBe(0);
      for (let seq = 1; seq <= records; seq++) expect((await store.log.entryAt(seq))?.purgedAt === null, `record ${seq}`).toBe(seq > 8);
    } finally {
      await store.close();
    }
    expect(await verify(copy)).toMatchObject({ intact: true, records });
  });
});

it('npm run log:verify says so when it cannot open the database', () => {
  const cli = spawnSync(process.execPath, ['src/disclosure-log/cli.ts'], { env: { ...process.env, HUB_DATABASE_URL: urlOf('aoh_no_such_database') }, encoding: 'utf8' });
  expect(cli.status).toBe(69);
  expect(cli.stderr).toMatch(/^cannot open the postgres database: .*aoh_no_such_database/);
});
