import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Subject } from '../../../src/disclosure-log/subjects.ts';
import { disclosureEntries } from '../../../src/disclosure-log/entries.ts';
import { appendEntries, type DeliveryEntries } from '../../../src/disclosure-log/sql-log.ts';
import { verifyLog } from '../../../src/disclosure-log/verify.ts';
import type { DatabaseSettings } from '../../../src/config/schema.ts';
import { openPostgres } from '../../../src/store/dialects/postgres.ts';
import { openSqlite } from '../../../src/store/dialects/sqlite.ts';
import { insertRows, migrate, type Database, type Sql } from '../../../src/store/sql.ts';
import { spawnStoreThread, ThreadedStore, type ThreadedStoreOptions } from '../../../src/store/thread/threaded-store.ts';
import { DuplicateMessageError, PolicyVersionExistsError, type HubStore, type DeliveryEventKind, type DeliveryRecord, type TransportKind, type DisclosureRecord, type MessageRecord, type PolicyVersion } from '../../../src/store/types.ts';
import { clearLikeThePurge, execute, queryRows, rowCounts } from '../../support/db.ts';
import { DIALECTS, STORE_VARIANTS, testDatabase, type TestDatabase } from '../../support/databases.ts';

function message(messageId: string, sender = 'vt'): MessageRecord {
  return { sender, messageId, type: 'minutes', purpose: 'execution', caseRef: 'VT-1', createdAt: '2026-11-22T09:00:00Z', receivedAt: '2026-11-22T09:00:01Z', contentDigest: 'abc', refused: [] };
}

function delivery(deliveryId: string, messageId: string, recipient = 'politie', createdAt = '2026-11-22T09:00:01Z'): DeliveryRecord {
  return { deliveryId, messageId, sender: 'vt', recipient, transport: 'pull', ciphertext: Buffer.from('-----BEGIN PGP MESSAGE-----'), ciphertextDigest: `digest-${deliveryId}`, policyId: 'p', policyVersion: 1, createdAt };
}

const TWO_PERSONS: Subject[] = [
  { bsn: 'a'.repeat(64), role: 'victim' },
  { bsn: 'b'.repeat(64), role: 'suspect' },
];

function disclosure(d: DeliveryRecord, subjects: Subject[] = [], retainUntil = '2031-11-22T09:00:01Z'): DisclosureRecord {
  return { ...d, type: 'minutes', purpose: 'execution', caseRef: 'VT-1', legalBasis: 'Wpg', manifest: { disclosed: [{ path: '/question', category: 'question', transform: 'keep' }], withheld: [] }, recordedAt: d.createdAt, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), subjects, retainUntil } as DisclosureRecord;
}

const EXPIRED = '2020-01-01T00:00:00Z';

const policyVersion = (version: number): PolicyVersion => ({ policy: { id: 'politie-execution', version } as PolicyVersion['policy'], author: 'admin', publishedAt: '2026-11-22T09:00:00Z' });

describe.each(STORE_VARIANTS)('the store on %s', (dialect) => {
  let db: TestDatabase;
  let store: HubStore;

  beforeEach(async () => {
    db = await testDatabase(dialect);
    store = await db.open();
  });

  afterEach(async () => {
    await store.close();
    await db.remove();
  });

  it('stores message, deliveries and their log entries together, each delivery queued, and reads the disclosure back from the log', async () => {
    const d = delivery('d1', 'm1');
    await store.saveOutbox(message('m1'), [d], [disclosure(d, TWO_PERSONS)]);
    const stored = await store.findMessage('vt', 'm1');
    expect(stored?.deliveries).toEqual([{ deliveryId: 'd1', recipient: 'politie', status: 'queued', events: [{ event: 'queued', at: d.createdAt }] }]);
    // The delivery's manifest, then one entry per person.
    expect(await rowCounts(db.settings)).toEqual({ messages: 1, deliveries: 1, delivery_events: 1, log_entries: 3 });
    // One record per delivery, however many persons its log entries name.
    expect(await store.disclosuresFor('m1', 'vt')).toEqual([
      {
        deliveryId: 'd1', messageId: 'm1', sender: 'vt', recipient: 'politie', type: 'minutes', purpose: 'execution', caseRef: 'VT-1', legalBasis: 'Wpg',
        policyId: 'p', policyVersion: 1, manifest: disclosure(d).manifest, ciphertextDigest: 'digest-d1', recordedAt: d.createdAt, events: [{ event: 'queued', at: d.createdAt }],
      },
    ]);
  });

  it('stores nothing at all when any part of the outbox fails', async () => {
    const d = delivery('d1', 'm1');
    await expect(store.saveOutbox(message('m1'), [d, delivery('d1', 'm1', 'om')], [disclosure(d)])).rejects.toThrow();
    expect(await rowCounts(db.settings)).toEqual({ messages: 0, deliveries: 0, delivery_events: 0, log_entries: 0 });
  });

  it('reports a second message with the same sender and id as a duplicate, and a policy version taken twice', async () => {
    await store.saveOutbox(message('m1'), [], []);
    await expect(store.saveOutbox(message('m1'), [], [])).rejects.toBeInstanceOf(DuplicateMessageError);
    await expect(store.saveOutbox(message('m1', 'politie'), [], [])).resolves.toBeUndefined();
    await store.addPolicyVersion(policyVersion(1));
    await expect(store.addPolicyVersion(policyVersion(1))).rejects.toBeInstanceOf(PolicyVersionExistsError);
    expect((await store.policyVersions()).map((v) => v.policy.version)).toEqual([1]);
  });

  it('refuses to update or delete events, policy versions, log entries, checkpoints and the audit trail', async () => {
    const d = delivery('d1', 'm1');
    await store.saveOutbox(message('m1'), [d], [disclosure(d)]);
    await store.addPolicyVersion(policyVersion(1));
    await store.log.addCheckpoint({ treeSize: 1, rootHash: 'r', signedAt: 't', statement: 's', signature: 'sig' });
    await store.log.audit({ officer: 'po', action: 'search', query: {}, results: 0, at: 't' });
    for (const statement of [
      "UPDATE delivery_events SET event = 'acknowledged'",
      'DELETE FROM delivery_events',
      "UPDATE policy_versions SET author = 'mallory'",
      'DELETE FROM policy_versions',
      "UPDATE log_entries SET recipient = 'om'",
      'DELETE FROM log_entries',
      "UPDATE log_checkpoints SET root_hash = 'x'",
      'DELETE FROM log_checkpoints',
      "UPDATE privacy_audit SET officer = 'x'",
      'DELETE FROM privacy_audit',
      "UPDATE deliveries SET recipient = 'om'",
      'DELETE FROM deliveries',
    ]) {
      await expect(execute(db.settings, statement), statement).rejects.toThrow(/append-only/);
    }
    if (dialect === 'postgres') {
      for (const truncate of ['TRUNCATE log_entries', 'TRUNCATE deliveries CASCADE']) await expect(execute(db.settings, truncate), truncate).rejects.toThrow(/append-only/);
    }
    expect((await store.disclosuresFor('m1', 'vt'))[0]?.recipient).toBe('politie');
    expect(await store.appendEventOnce({ deliveryId: 'd1', event: 'acknowledged', at: 't' })).toBe(true);
  });

  it('lists a partner’s inbox page by page, only what is available and not acknowledged', async () => {
    const ds = [1, 2, 3, 4, 5].map((i) => delivery(`d${i}`, 'm1', i === 3 ? 'om' : 'politie'));
    await store.saveOutbox(message('m1'), ds, ds.map((d) => disclosure(d)));
    for (const d of ds) if (d.deliveryId !== 'd5') await store.appendEvent({ deliveryId: d.deliveryId, event: 'available', at: 'now' });
    await store.appendEventOnce({ deliveryId: 'd2', event: 'acknowledged', at: 'now' });
    const first = await store.listInbox('politie', 0, 1);
    expect(first.entries.map((e) => e.deliveryId)).toEqual(['d1']);
    expect(first.cursor).not.toBeNull();
    const second = await store.listInbox('politie', first.cursor!, 10);
    expect(second.entries.map((e) => e.deliveryId)).toEqual(['d4']);
    expect(second.cursor).toBeNull();
    expect((await store.pendingDeliveries()).map((p) => p.deliveryId)).toEqual(['d5']);
  });

  it('appends an event once only when asked to, and keeps everything across a reopen', async () => {
    const d = delivery('d1', 'm1');
    await store.saveOutbox(message('m1'), [d], [disclosure(d)]);
    expect(await store.appendEventOnce({ deliveryId: 'd1', event: 'acknowledged', at: 't1' })).toBe(true);
    expect(await store.appendEventOnce({ deliveryId: 'd1', event: 'acknowledged', at: 't2' })).toBe(false);
    await store.close();
    store = await db.open();
    expect((await store.getDelivery('d1'))?.status).toBe('acknowledged');
    expect((await store.log.entriesOfDelivery('d1')).map((e) => e.entry?.kind === 'status' && e.entry.event)).toEqual([false, false, 'acknowledged']);
  });

  it('counts dead deliveries per recipient, and no longer one that an administrator retried', async () => {
    const ds = [delivery('d1', 'm1'), delivery('d2', 'm1'), delivery('d3', 'm1', 'om'), delivery('d4', 'm1', 'om')];
    await store.saveOutbox(message('m1'), ds, ds.map((d) => disclosure(d)));
    for (const id of ['d1', 'd2', 'd3']) {
      await store.appendEvent({ deliveryId: id, event: 'failed', at: 't1', detail: 'refused' });
      await store.appendEvent({ deliveryId: id, event: 'dead', at: 't2' });
    }
    await store.appendEvent({ deliveryId: 'd2', event: 'retried', at: 't3', detail: 'admin' });
    await store.appendEvent({ deliveryId: 'd4', event: 'failed', at: 't1' });
    expect(await store.deadByRecipient()).toEqual(new Map([['politie', 1], ['om', 1]]));
    expect((await store.deliveriesWithStatus('dead', 10)).map((d) => d.deliveryId)).toEqual(['d1', 'd3']);
  });

  it('counts disclosures per day, recipient and purpose in the database, one per delivery whatever the number of persons', async () => {
    const day1 = [delivery('d1', 'm1', 'politie', '2026-11-22T09:00:01Z'), delivery('d2', 'm1', 'om', '2026-11-22T09:00:01Z')];
    const day2 = [delivery('d3', 'm2', 'politie', '2026-11-23T23:59:59Z'), delivery('d4', 'm3', 'politie', '2026-11-23T10:00:00Z')];
    await store.saveOutbox(message('m1'), day1, day1.map((d) => disclosure(d, TWO_PERSONS, EXPIRED)));
    await store.saveOutbox(message('m2'), [day2[0]!], [disclosure(day2[0]!, TWO_PERSONS, EXPIRED)]);
    await store.saveOutbox(message('m3'), [day2[1]!], [disclosure(day2[1]!, [], EXPIRED)]);
    expect(await store.log.stats({})).toEqual([
      { day: '2026-11-22', recipient: 'om', purpose: 'execution', disclosures: 1 },
      { day: '2026-11-22', recipient: 'politie', purpose: 'execution', disclosures: 1 },
      { day: '2026-11-23', recipient: 'politie', purpose: 'execution', disclosures: 2 },
    ]);
    expect(await store.log.stats({ from: '2026-11-23', to: '2026-11-23T12:00:00Z' })).toEqual([{ day: '2026-11-23', recipient: 'politie', purpose: 'execution', disclosures: 1 }]);
    // Purged entries no longer count.
    // Each delivery's manifest and its lines per person (one line when it names no one).
    expect(await store.log.purgeExpired()).toBe(3 + 3 + 3 + 2);
    expect(await store.log.stats({})).toEqual([]);
  });

  it('keeps one gapless order when concurrent requests append to the log at once', async () => {
    // PostgreSQL: two pools, as two instances have. SQLite: one connection per process, whose turns keep
    // one request's statements out of another's transaction.
    const other = dialect === 'postgres' ? await db.open() : store;
    try {
      const writes = Array.from({ length: 16 }, (_, i) => {
        const d = delivery(`d${i}`, `m${i}`);
        const target = i % 2 === 0 ? store : other;
        return target.saveOutbox(message(`m${i}`), [d], [disclosure(d, TWO_PERSONS)]).then(() => target.appendEvent({ deliveryId: d.deliveryId, event: 'available', at: 't' }));
      });
      await Promise.all(writes);
    } finally {
      if (other !== store) await other.close();
    }
    const rows = await queryRows(db.settings, 'SELECT seq FROM log_entries ORDER BY seq');
    // Per write: the manifest, two persons, the event.
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(await verifyLog(store.log.rows(), [], async () => true)).toMatchObject({ intact: true, records: 64 });
  });
});

/** A schema as an earlier hub left it: the first `version` migrations applied. */
async function schemaAsOf(tx: Sql, migrations: readonly string[], version: number): Promise<void> {
  await tx.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  for (const [i, script] of migrations.slice(0, version).entries()) {
    await tx.exec(script);
    await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [i + 1, 'then']);
  }
}

/** A message's row as an earlier hub wrote it, straight into its schema, without the store. */
async function insertMessageRow(tx: Sql, m: MessageRecord): Promise<void> {
  await tx.run('INSERT INTO messages (sender, message_id, type, purpose, case_ref, created_at, received_at, content_digest, refused) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [m.sender, m.messageId, m.type, m.purpose, m.caseRef, m.createdAt, m.receivedAt, m.contentDigest, '[]']);
}

/** A delivery's row as an earlier hub wrote it, without its events or anything the store adds now. */
async function insertDeliveryRow(tx: Sql, d: DeliveryRecord): Promise<void> {
  await tx.run('INSERT INTO deliveries (delivery_id, message_id, sender, recipient, transport, ciphertext, ciphertext_digest, policy_id, policy_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [d.deliveryId, d.messageId, d.sender, d.recipient, d.transport, d.ciphertext, d.ciphertextDigest, d.policyId, d.policyVersion, d.createdAt]);
}

/** The database of a test, without the store (and without migrating it). */
function rawDatabase(settings: DatabaseSettings): Database {
  return settings.kind === 'postgres' ? openPostgres({ url: settings.url, poolSize: 1 }) : openSqlite(settings.path);
}

/**
 * Appends log entries as a hub before retention dates did, into a log without the column: sealed by
 * this hub in a scratch database, and copied over without their retain_until.
 */
async function appendAsBefore(tx: Sql, deliveries: DeliveryEntries[]): Promise<void> {
  const scratch = openSqlite(':memory:');
  try {
    await migrate(scratch);
    await scratch.transaction((s) => appendEntries(s, deliveries), { exclusive: true });
    const rows = await scratch.all('SELECT * FROM log_entries ORDER BY seq');
    const columns = Object.keys(rows[0]!).filter((c) => c !== 'retain_until');
    await insertRows(tx, 'log_entries', columns, rows.map((r) => columns.map((c) => r[c] ?? null)));
  } finally {
    await scratch.close();
  }
}

/** A delivery's manifest, its lines for two persons and a status entry, kept until `retainUntil`. */
function deliveryEntries(deliveryId: string, retainUntil: string): DeliveryEntries {
  const d = delivery(deliveryId, 'm1');
  const facts = { ...disclosure(d, TWO_PERSONS, retainUntil), occurredAt: d.createdAt };
  const status = { kind: 'status' as const, traceId: facts.traceId, spanId: facts.spanId, deliveryId, recipient: d.recipient, event: 'available', occurredAt: d.createdAt, loggedAt: d.createdAt };
  return { retainUntil, entries: [...disclosureEntries(facts, d.createdAt), status] };
}

describe('migrations', () => {
  it('carry a SQLite file of the previous schema forward: the disclosures table goes, its records stay readable from the log', async () => {
    const db = await testDatabase('sqlite');
    const path = (db.settings as { path: string }).path;
    try {
      // A file as the hub before this version left it: schema version 3, a disclosures table beside the log.
      const old = openSqlite(path);
      await old.transaction(async (tx) => {
        await schemaAsOf(tx, old.migrations, 3);
        const d = delivery('d1', 'm1');
        const m = message('m1');
        await insertMessageRow(tx, m);
        await insertDeliveryRow(tx, d);
        await tx.run("INSERT INTO delivery_events (delivery_id, event, at) VALUES ('d1', 'queued', ?)", [d.createdAt]);
        await tx.run("INSERT INTO disclosures (delivery_id, message_id, sender, recipient, type, purpose, case_ref, legal_basis, policy_id, policy_version, manifest, ciphertext_digest, recorded_at) VALUES ('d1', 'm1', 'vt', 'politie', 'minutes', 'execution', 'VT-1', 'Wpg', 'p', 1, '{}', 'x', ?)", [d.createdAt]);
        const facts = disclosure(d, TWO_PERSONS);
        await appendAsBefore(tx, [{ retainUntil: facts.retainUntil, entries: disclosureEntries({ ...facts, occurredAt: d.createdAt }, d.createdAt) }]);
      });
      await old.close();

      const store = await db.open();
      try {
        expect((await queryRows(db.settings, 'SELECT MAX(version) AS v FROM schema_migrations'))[0]?.v).toBe(openSqlite(':memory:').migrations.length);
        expect(await queryRows(db.settings, "SELECT name FROM sqlite_master WHERE name = 'disclosures'")).toEqual([]);
        expect((await store.disclosuresFor('m1', 'vt')).map((r) => [r.deliveryId, r.recipient, r.legalBasis])).toEqual([['d1', 'politie', 'Wpg']]);
        expect(await verifyLog(store.log.rows(), [], async () => true)).toMatchObject({ intact: true, records: 3 });
        await store.appendEvent({ deliveryId: 'd1', event: 'available', at: 'now' });
        expect((await store.findMessage('vt', 'm1'))?.deliveries[0]?.events.map((e) => e.event)).toEqual(['queued', 'available']);
      } finally {
        await store.close();
      }
    } finally {
      await db.remove();
    }
  });

  it('refuse to drop disclosure records of a SQLite file from before the log, which exist nowhere else', async () => {
    const db = await testDatabase('sqlite');
    try {
      const old = openSqlite((db.settings as { path: string }).path);
      await old.transaction(async (tx) => {
        await schemaAsOf(tx, old.migrations, 2);
        await tx.exec(`INSERT INTO messages (sender, message_id, type, purpose, case_ref, created_at, received_at, content_digest, refused) VALUES ('vt', 'm1', 'minutes', 'execution', 'VT-1', 't', 't', 'x', '[]');
          INSERT INTO deliveries (delivery_id, message_id, sender, recipient, transport, ciphertext, ciphertext_digest, policy_id, policy_version, created_at) VALUES ('d1', 'm1', 'vt', 'om', 'pull', 'c', 'x', 'p', 1, 't');
          INSERT INTO disclosures (delivery_id, message_id, sender, recipient, type, purpose, case_ref, legal_basis, policy_id, policy_version, manifest, ciphertext_digest, recorded_at) VALUES ('d1', 'm1', 'vt', 'om', 'minutes', 'execution', 'VT-1', 'Wpg', 'p', 1, '{}', 'x', 't');`);
      });
      await old.close();
      await expect(db.open()).rejects.toThrow(/disclosures_missing_from_the_log/);
      expect(await queryRows(db.settings, 'SELECT COUNT(*) AS n FROM disclosures')).toEqual([{ n: 1 }]);
      expect((await queryRows(db.settings, 'SELECT MAX(version) AS v FROM schema_migrations'))[0]?.v).toBe(2);
    } finally {
      await db.remove();
    }
  });

  it('take turns when two PostgreSQL instances start on a new database at once', async () => {
    const db = await testDatabase('postgres');
    try {
      const stores = await Promise.all([db.open(), db.open(), db.open()]);
      await Promise.all(stores.map((s) => s.close()));
      const all = openPostgres({ url: '', poolSize: 1 }).migrations.map((_, i) => i + 1);
      expect((await queryRows(db.settings, 'SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual(all);
    } finally {
      await db.remove();
    }
  });
});

/** The migration that dated each log entry, per dialect (1-based, as schema_migrations counts). */
const RETENTION_MIGRATION = { sqlite: 5, postgres: 2 } as const;
/** The migration that listed the open deliveries, and the one that allowed the purge of received ciphertext. */
const OPEN_DELIVERIES_MIGRATION = { sqlite: 6, postgres: 4 } as const;
const CIPHERTEXT_PURGE_MIGRATION = { sqlite: 7, postgres: 5 } as const;

describe.each(DIALECTS)('the migration to a retention date per log entry on %s', (dialect) => {
  it('dates every entry of a log of the previous schema by its delivery’s disclosure, and the purge and its trigger follow the date', async () => {
    const db = await testDatabase(dialect);
    try {
      const old = rawDatabase(db.settings);
      const migrations = old.migrations.length;
      await old.transaction(
        async (tx) => {
          await schemaAsOf(tx, old.migrations, RETENTION_MIGRATION[dialect] - 1);
          await appendAsBefore(tx, [deliveryEntries('expired', EXPIRED), deliveryEntries('kept', '2031-11-22T09:00:01Z'), deliveryEntries('purged', EXPIRED)]);
          // Purged by a hub of then, which took retention from its settings and recorded none per entry.
          await tx.run(clearLikeThePurge("delivery_id = 'purged'", "purged_at = '2026-11-23T00:00:00.000Z'"));
        },
        { exclusive: true },
      );
      await old.close();

      const store = await db.open();
      try {
        const dates = await queryRows(db.settings, 'SELECT kind, retain_until FROM log_entries ORDER BY seq');
        const kinds = ['manifest', 'disclosure', 'disclosure', 'status'];
        expect(dates.map((r) => [r.kind, r.retain_until])).toEqual([
          ...kinds.map((k) => [k, '2020-01-01T00:00:00.000Z']),
          ...kinds.map((k) => [k, '2031-11-22T09:00:01.000Z']),
          ...kinds.map((k) => [k, '2026-11-23T00:00:00.000Z']),
        ]);
        await expect(execute(db.settings, clearLikeThePurge("delivery_id = 'kept'", `purged_at = '${new Date().toISOString()}'`))).rejects.toThrow(/once its retention has passed/);
        expect(await store.log.purgeExpired()).toBe(4);
        expect((await store.log.entriesOfDelivery('kept')).map((e) => e.entry?.kind)).toEqual(kinds);
        // The entries purged before the migration are taken as purged in time.
        expect(await verifyLog(store.log.rows(), [], async () => true)).toMatchObject({ intact: true, records: 12 });
      } finally {
        await store.close();
      }
      await (await db.open()).close();
      expect((await queryRows(db.settings, 'SELECT MAX(version) AS v FROM schema_migrations'))[0]?.v).toBe(migrations);
    } finally {
      await db.remove();
    }
  });
});

describe.each(DIALECTS)('ciphertext stored as text by an earlier hub, on %s', (dialect) => {
  it('is read as the same bytes after the upgrade, beside ciphertext stored as bytes', async () => {
    const db = await testDatabase(dialect);
    const armour = '-----BEGIN PGP MESSAGE-----\n\nwV4Dtext+stored/by=an-earlier-hub\n-----END PGP MESSAGE-----\n';
    try {
      const old = rawDatabase(db.settings);
      await old.transaction(
        async (tx) => {
          // PostgreSQL's column was text before its migration 3; SQLite's column takes either, until the ciphertexts got a table of their own.
          await schemaAsOf(tx, old.migrations, dialect === 'postgres' ? 2 : CIPHERTEXT_PURGE_MIGRATION.sqlite - 1);
          await tx.run("INSERT INTO messages (sender, message_id, type, purpose, case_ref, created_at, received_at, content_digest, refused) VALUES ('vt', 'm1', 'minutes', 'execution', 'VT-1', 't', 't', 'x', '[]')");
          await tx.run("INSERT INTO deliveries (delivery_id, message_id, sender, recipient, transport, ciphertext, ciphertext_digest, policy_id, policy_version, created_at) VALUES ('as-text', 'm1', 'vt', 'politie', 'pull', ?, 'x', 'p', 1, 't')", [armour]);
        },
        { exclusive: true },
      );
      await old.close();
      const store = await db.open();
      try {
        await store.saveOutbox(message('m2'), [delivery('as-bytes', 'm2')], [disclosure(delivery('as-bytes', 'm2'))], []);
        expect(Buffer.from((await store.getDelivery('as-text'))!.ciphertext).toString('utf8')).toBe(armour);
        expect(Buffer.from((await store.getDelivery('as-bytes'))!.ciphertext).toString('utf8')).toBe('-----BEGIN PGP MESSAGE-----');
        // With the outbox's copy in hand, the row is read without its ciphertext and the copy is used.
        const held = Buffer.from('the outbox copy');
        expect(await store.getDelivery('as-bytes', held)).toMatchObject({ deliveryId: 'as-bytes', ciphertext: held, ciphertextDigest: 'digest-as-bytes', status: 'queued' });
      } finally {
        await store.close();
      }
    } finally {
      await db.remove();
    }
  });
});

describe.each(DIALECTS)('the deliveries the reconciler reads, on %s', (dialect) => {
  const openIds = async (db: TestDatabase) => (await queryRows(db.settings, 'SELECT delivery_id FROM open_deliveries ORDER BY delivery_id')).map((r) => r.delivery_id);

  it('are those not yet done: added with the outbox, gone with the first done event, and the queries still decide from the events', async () => {
    const db = await testDatabase(dialect);
    const store = await db.open();
    try {
      const ds = ['d1', 'd2', 'd3', 'd4', 'd5'].map((id) => delivery(id, 'm1'));
      await store.saveOutbox(message('m1'), ds, ds.map((d) => disclosure(d)));
      expect(await openIds(db)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
      await store.appendEvent({ deliveryId: 'd1', event: 'available', at: 't1' });
      await store.appendEvent({ deliveryId: 'd2', event: 'failed', at: 't1' });
      await store.appendEvent({ deliveryId: 'd2', event: 'delivered', at: 't2' });
      await store.appendEvent({ deliveryId: 'd3', event: 'failed', at: 't1' });
      await store.appendEvent({ deliveryId: 'd3', event: 'dead', at: 't2' });
      await store.appendEvent({ deliveryId: 'd5', event: 'failed', at: 't1' });
      // A dead delivery stays a candidate (an administrator may retry it), but is not pending until then.
      expect(await openIds(db)).toEqual(['d3', 'd4', 'd5']);
      expect((await store.pendingDeliveries()).map((p) => p.deliveryId)).toEqual(['d4', 'd5']);
      expect([...(await store.deadByRecipient())]).toEqual([['politie', 1]]);

      await store.appendEvent({ deliveryId: 'd3', event: 'retried', at: 't3' });
      await store.appendEvent({ deliveryId: 'd4', event: 'acknowledged', at: 't3' });
      expect(await openIds(db)).toEqual(['d3', 'd5']);
      expect((await store.pendingDeliveries()).map((p) => p.deliveryId)).toEqual(['d3', 'd5']);
      expect([...(await store.deadByRecipient())]).toEqual([]);
    } finally {
      await store.close();
      await db.remove();
    }
  });

  it('are found among the deliveries of a database from before the list, by their events', async () => {
    const db = await testDatabase(dialect);
    try {
      const old = rawDatabase(db.settings);
      await old.transaction(
        async (tx) => {
          await schemaAsOf(tx, old.migrations, OPEN_DELIVERIES_MIGRATION[dialect] - 1);
          const m = message('m1');
          await insertMessageRow(tx, m);
          const histories: Record<string, string[]> = { queued: [], delivered: ['delivered'], dead: ['failed', 'dead'], retried: ['dead', 'retried'], acknowledged: ['available', 'acknowledged'] };
          for (const [id, events] of Object.entries(histories)) {
            const d = delivery(id, 'm1');
            await insertDeliveryRow(tx, d);
            for (const event of ['queued', ...events]) await tx.run('INSERT INTO delivery_events (delivery_id, event, at) VALUES (?, ?, ?)', [id, event, 't']);
          }
        },
        { exclusive: true },
      );
      await old.close();
      const store = await db.open();
      try {
        expect(await openIds(db)).toEqual(['dead', 'queued', 'retried']);
        expect((await store.pendingDeliveries()).map((p) => p.deliveryId)).toEqual(['queued', 'retried']);
        expect([...(await store.deadByRecipient())]).toEqual([['politie', 1]]);
      } finally {
        await store.close();
      }
    } finally {
      await db.remove();
    }
  });
});

describe.each(STORE_VARIANTS)('the purge of received ciphertext on %s', (dialect) => {
  let db: TestDatabase;
  let store: HubStore;
  const AT = '2026-11-22T13:00:00.000Z';
  const purgedEvent = (id: string) => `INSERT INTO delivery_events (delivery_id, event, at) VALUES ('${id}', 'purged', '${AT}')`;
  const deleteCiphertext = (id: string) => `DELETE FROM delivery_ciphertexts WHERE delivery_id = '${id}'`;

  /** Deliveries of one message, each with the events after its `queued`, all stored through the store. */
  async function deliveriesWithEvents(histories: Record<string, { recipient: string; transport: TransportKind; events: [DeliveryEventKind, string][] }>) {
    const ds = Object.entries(histories).map(([id, h]) => ({ ...delivery(id, 'm1', h.recipient), transport: h.transport, ciphertext: Buffer.from(`ciphertext of ${id}`) }));
    await store.saveOutbox(message('m1'), ds, ds.map((d) => disclosure(d)));
    for (const [id, h] of Object.entries(histories)) for (const [event, at] of h.events) await store.appendEvent({ deliveryId: id, event, at });
  }

  beforeEach(async () => {
    db = await testDatabase(dialect);
    store = await db.open();
    await deliveriesWithEvents({
      'pull-acked': { recipient: 'politie', transport: 'pull', events: [['available', '2026-11-22T09:00:02.000Z'], ['delivered', '2026-11-22T09:30:00.000Z'], ['acknowledged', '2026-11-22T10:00:00.000Z']] },
      'pull-fetched': { recipient: 'politie', transport: 'pull', events: [['available', '2026-11-22T09:00:02.000Z'], ['delivered', '2026-11-22T10:00:00.000Z']] },
      'push-delivered': { recipient: 'om', transport: 'push', events: [['delivered', '2026-11-22T10:00:00.000Z']] },
      'push-failed': { recipient: 'om', transport: 'push', events: [['failed', '2026-11-22T10:00:00.000Z'], ['dead', '2026-11-22T10:00:01.000Z']] },
      'push-late': { recipient: 'om', transport: 'push', events: [['delivered', '2026-11-22T12:00:00.000Z']] },
      'file-of-a-removed-partner': { recipient: 'rvdk', transport: 'file', events: [['delivered', '2026-11-22T10:00:00.000Z']] },
    });
  });

  afterEach(async () => {
    await store.close();
    await db.remove();
  });

  const held = async () => (await queryRows(db.settings, 'SELECT delivery_id FROM delivery_ciphertexts ORDER BY delivery_id')).map((r) => r.delivery_id);
  const statuses = async () => (await store.findMessage('vt', 'm1'))!.deliveries.map((d) => [d.deliveryId, d.status]);

  it('deletes only what its recipient received before the recipient’s time, in batches, recording each purge, and keeps the delivery, its digest and its status', async () => {
    const purge = { receivedBefore: new Map([['politie', '2026-11-22T11:00:00.000Z'], ['om', '2026-11-22T10:30:00.000Z']]), otherwise: '2026-11-22T09:30:00.000Z', at: AT };
    const before = await statuses();
    expect(await store.purgeReceivedCiphertext(purge, 1)).toBe(1);
    expect(await store.purgeReceivedCiphertext(purge, 10)).toBe(1);
    expect(await store.purgeReceivedCiphertext(purge, 10)).toBe(0);
    // Fetched but not acknowledged, dead, received after its recipient's time, or after the time for recipients no longer configured: held.
    expect(await held()).toEqual(['file-of-a-removed-partner', 'pull-fetched', 'push-failed', 'push-late']);
    expect(await statuses()).toEqual(before);

    const purged = await store.getDelivery('pull-acked');
    expect(purged).toMatchObject({ status: 'acknowledged', ciphertextDigest: 'digest-pull-acked', recipient: 'politie', ciphertextPurgedAt: AT });
    expect(purged!.ciphertext).toHaveLength(0);
    expect((await store.findMessage('vt', 'm1'))!.deliveries.find((d) => d.deliveryId === 'pull-acked')!.events.map((e) => e.event)).toEqual(['queued', 'available', 'delivered', 'acknowledged', 'purged']);
    const kept = await store.getDelivery('pull-fetched');
    expect(Buffer.from(kept!.ciphertext).toString()).toBe('ciphertext of pull-fetched');
    expect(kept!.ciphertextPurgedAt).toBeUndefined();
    // A purged delivery still lists under its status.
    expect((await store.deliveriesWithStatus('delivered', 10)).map((d) => d.deliveryId)).toEqual(['pull-fetched', 'push-delivered', 'push-late', 'file-of-a-removed-partner']);
    expect((await store.deliveriesWithStatus('acknowledged', 10)).map((d) => d.deliveryId)).toEqual(['pull-acked']);

    await store.purgeReceivedCiphertext({ receivedBefore: new Map(), otherwise: '2026-11-22T12:00:00.000Z', at: AT }, 10);
    expect(await held()).toEqual(['pull-fetched', 'push-failed']);
    // Each purge is in the disclosure log, which still verifies.
    expect((await store.log.entriesOfDelivery('push-late')).map((e) => e.entry?.kind === 'status' && e.entry.event).filter(Boolean)).toEqual(['delivered', 'purged']);
    expect(await verifyLog(store.log.rows(), [], async () => true)).toMatchObject({ intact: true });
  });

  it('is the only way the database lets anyone remove a ciphertext, and nothing changes one', async () => {
    for (const [statement, why] of [
      [deleteCiphertext('push-late'), 'a received delivery whose purge is not recorded'],
      [`${purgedEvent('push-failed')}; ${deleteCiphertext('push-failed')}`, 'a dead delivery'],
      [`${purgedEvent('pull-fetched')}; ${deleteCiphertext('pull-fetched')}`, 'a pull delivery fetched but not acknowledged'],
    ]) {
      await expect(execute(db.settings, statement!), why).rejects.toThrow(/deleted only by the recorded purge/);
    }
    await expect(execute(db.settings, "UPDATE delivery_ciphertexts SET created_at = 'x'")).rejects.toThrow(/never changed/);
    if (dialect === 'postgres') await expect(execute(db.settings, 'TRUNCATE delivery_ciphertexts')).rejects.toThrow(/never changed/);
    await execute(db.settings, `${purgedEvent('push-late')}; ${deleteCiphertext('push-late')}`);
    expect(await held()).toEqual(['file-of-a-removed-partner', 'pull-acked', 'pull-fetched', 'push-delivered', 'push-failed']);
  });

  it('arrives by migration in a database of the schema before it, whose deliveries held their ciphertexts', async () => {
    await store.close();
    const other = await testDatabase(dialect);
    try {
      const old = rawDatabase(other.settings);
      await old.transaction(
        async (tx) => {
          await schemaAsOf(tx, old.migrations, CIPHERTEXT_PURGE_MIGRATION[dialect === 'postgres' ? 'postgres' : 'sqlite'] - 1);
          await insertMessageRow(tx, message('m1'));
          for (const id of ['old-delivered', 'old-queued']) await insertDeliveryRow(tx, { ...delivery(id, 'm1'), transport: 'push', ciphertext: Buffer.from(`ciphertext of ${id}`) });
          for (const event of ['queued', 'delivered']) await tx.run('INSERT INTO delivery_events (delivery_id, event, at) VALUES (?, ?, ?)', ['old-delivered', event, '2026-11-22T10:00:00.000Z']);
          await tx.run('INSERT INTO delivery_events (delivery_id, event, at) VALUES (?, ?, ?)', ['old-queued', 'queued', '2026-11-22T10:00:00.000Z']);
        },
        { exclusive: true },
      );
      await old.close();
      store = await other.open();
      expect(Buffer.from((await store.getDelivery('old-delivered'))!.ciphertext).toString()).toBe('ciphertext of old-delivered');
      expect(await store.purgeReceivedCiphertext({ receivedBefore: new Map(), otherwise: '2026-11-22T11:00:00.000Z', at: AT }, 10)).toBe(1);
      expect((await store.getDelivery('old-delivered'))!.ciphertext).toHaveLength(0);
      expect(Buffer.from((await store.getDelivery('old-queued'))!.ciphertext).toString()).toBe('ciphertext of old-queued');
      await expect(execute(other.settings, "UPDATE deliveries SET sender = 'x'")).rejects.toThrow(/append-only/);
    } finally {
      await store.close();
      await other.remove();
      store = await db.open();
    }
  });
});

describe('the store on a thread of its own', () => {
  let db: TestDatabase;
  const path = () => (db.settings as { path: string }).path;
  const open = (options: ThreadedStoreOptions = {}) => ThreadedStore.open(path(), options);

  beforeEach(async () => {
    db = await testDatabase('sqlite');
  });

  afterEach(async () => {
    await db.remove();
  });

  it('reads what the thread committed on a connection of its own, bytes as Buffers', async () => {
    const store = await open();
    try {
      const d = delivery('d1', 'm1');
      await store.saveOutbox(message('m1'), [d], [disclosure(d)]);
      const read = await store.getDelivery('d1');
      expect(Buffer.isBuffer(read!.ciphertext) && read!.ciphertext.toString()).toBe('-----BEGIN PGP MESSAGE-----');
      const held = Buffer.from('the outbox copy');
      expect((await store.getDelivery('d1', held))!.ciphertext).toBe(held);
      const leaves = await store.log.leafHashes(0, await store.log.size());
      expect(leaves.length).toBeGreaterThan(0);
      expect(leaves.every((leaf) => Buffer.isBuffer(leaf) && leaf.length === 32)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('reads on a connection that cannot write', async () => {
    await (await open()).close();
    const reading = openSqlite(path(), { readOnly: true });
    try {
      await expect(reading.run('DELETE FROM messages')).rejects.toThrow(/readonly/);
      expect(await reading.get('SELECT COUNT(*) AS n FROM messages')).toEqual({ n: 0 });
    } finally {
      await reading.close();
    }
  });

  it('reads the whole log beside the thread, and it verifies', async () => {
    const store = await open();
    try {
      // 1,200 deliveries of two entries each: more than two pages of rows.
      const ds = Array.from({ length: 1_200 }, (_, i) => delivery(`d${i}`, 'm1'));
      await store.saveOutbox(message('m1'), ds, ds.map((d) => disclosure(d)));
      const seqs: number[] = [];
      for await (const row of store.log.rows()) seqs.push(row.seq);
      expect(seqs).toEqual(Array.from({ length: await store.log.size() }, (_, i) => i + 1));
      expect(seqs.length).toBeGreaterThan(2_000);
      expect(await verifyLog(store.log.rows(), [], async () => true)).toMatchObject({ intact: true });
    } finally {
      await store.close();
    }
  });

  it('fails to open as the store itself would, naming why', async () => {
    const raw = openSqlite(path());
    await migrate(raw);
    await raw.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [999, 'now']);
    await raw.close();
    await expect(open()).rejects.toThrow(/schema version 999, newer than this hub/);
  });

  it('fails the writes a stopped thread held, reads on meanwhile, and starts another thread in its place', async () => {
    const threads: Worker[] = [];
    const lost: string[] = [];
    // The first thread answers that it is ready and then nothing: a call stays with it until it stops.
    const silent = () => new Worker("require('node:worker_threads').parentPort.postMessage({ ready: true }); setInterval(() => {}, 1000);", { eval: true });
    const spawn = (file: string) => (threads.push(threads.length === 0 ? silent() : spawnStoreThread(file)), threads.at(-1)!);
    await (await open()).close(); // the file, migrated, for the connection that reads
    const store = await open({ spawn, onLost: (reason) => lost.push(reason) });
    try {
      const held = store.addPolicyVersion(policyVersion(1));
      // Reads do not go through the thread: they answer while it holds the write.
      expect(await store.findMessage('vt', 'm1')).toBeUndefined();
      await threads[0]!.terminate();
      await expect(held).rejects.toThrow(/the store's thread stopped/);
      expect(lost).toEqual([expect.stringMatching(/the store's thread stopped/)]);
      await store.saveOutbox(message('m1'), [], []);
      expect((await store.findMessage('vt', 'm1'))?.message.messageId).toBe('m1');
      expect(await store.ping()).toBe(true);
      expect(threads).toHaveLength(2);
    } finally {
      await store.close();
    }
    await expect(store.findMessage('vt', 'm1')).rejects.toThrow(/closed/);
    expect(await store.ping()).toBe(false);
  });

  it('gives up, rather than start thread after thread, when the one in place of a stopped thread cannot open the file', async () => {
    const threads: Worker[] = [];
    const failing = () => new Worker("require('node:worker_threads').parentPort.postMessage({ ready: false, error: { name: 'Error', message: 'disk gone' } }); setInterval(() => {}, 1000);", { eval: true });
    const spawn = (file: string) => (threads.push(threads.length === 0 ? spawnStoreThread(file) : failing()), threads.at(-1)!);
    const store = await open({ spawn });
    try {
      await threads[0]!.terminate();
      await expect(store.saveOutbox(message('m1'), [], [])).rejects.toThrow('disk gone');
      await new Promise((resolve) => threads[1]!.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(threads).toHaveLength(2);
      expect(await store.ping()).toBe(false);
    } finally {
      await store.close();
    }
  });
});
