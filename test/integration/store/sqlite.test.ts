import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite.ts';
import { DuplicateMessageError, type DeliveryRecord, type DisclosureRecord, type MessageRecord } from '../../../src/store/types.ts';

let dir: string;
let path: string;
let store: SqliteStore;

function message(messageId: string, sender = 'vt'): MessageRecord {
  return { sender, messageId, type: 'minutes', purpose: 'execution', caseRef: 'VT-1', createdAt: '2026-11-22T09:00:00Z', receivedAt: '2026-11-22T09:00:01Z', contentDigest: 'abc', refused: [] };
}

function delivery(deliveryId: string, messageId: string, recipient = 'politie'): DeliveryRecord {
  return { deliveryId, messageId, sender: 'vt', recipient, transport: 'pull', ciphertext: '-----BEGIN PGP MESSAGE-----', ciphertextDigest: 'd', policyId: 'p', policyVersion: 1, createdAt: '2026-11-22T09:00:01Z' };
}

function disclosure(d: DeliveryRecord): DisclosureRecord {
  return { ...d, type: 'minutes', purpose: 'execution', caseRef: 'VT-1', legalBasis: 'Wpg', manifest: { disclosed: [], withheld: [] }, recordedAt: d.createdAt, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), subjects: [], retainUntil: '2031-11-22T09:00:01Z' };
}

function count(table: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aoh-store-'));
  path = join(dir, 'hub.db');
  store = new SqliteStore(path);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore', () => {
  it('stores message, deliveries and disclosure records together, each delivery queued', async () => {
    const d = delivery('d1', 'm1');
    await store.saveOutbox(message('m1'), [d], [disclosure(d)]);
    const stored = await store.findMessage('vt', 'm1');
    expect(stored?.deliveries).toEqual([{ deliveryId: 'd1', recipient: 'politie', status: 'queued', events: [{ event: 'queued', at: d.createdAt }] }]);
    expect(await store.disclosuresFor('m1', 'vt')).toHaveLength(1);
  });

  it('stores nothing at all when any part of the outbox fails', async () => {
    const d = delivery('d1', 'm1');
    await expect(store.saveOutbox(message('m1'), [d, delivery('d1', 'm1', 'om')], [disclosure(d)])).rejects.toThrow();
    expect([count('messages'), count('deliveries'), count('disclosures'), count('delivery_events')]).toEqual([0, 0, 0, 0]);
  });

  it('reports a second message with the same sender and id as a duplicate, but not one from another sender', async () => {
    await store.saveOutbox(message('m1'), [], []);
    await expect(store.saveOutbox(message('m1'), [], [])).rejects.toBeInstanceOf(DuplicateMessageError);
    await expect(store.saveOutbox(message('m1', 'politie'), [], [])).resolves.toBeUndefined();
  });

  it('refuses to update or delete disclosure records and events', async () => {
    const d = delivery('d1', 'm1');
    await store.saveOutbox(message('m1'), [d], [disclosure(d)]);
    await store.close();
    const db = new DatabaseSync(path);
    expect(() => db.exec("UPDATE disclosures SET recipient = 'om'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM disclosures')).toThrow(/append-only/);
    expect(() => db.exec("UPDATE delivery_events SET event = 'acknowledged'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM delivery_events')).toThrow(/append-only/);
    db.close();
    store = new SqliteStore(path);
    expect((await store.disclosuresFor('m1', 'vt'))[0]?.recipient).toBe('politie');
  });

  it('lists a partner’s inbox page by page, only what is available and not acknowledged', async () => {
    const ds = [1, 2, 3, 4, 5].map((i) => delivery(`d${i}`, 'm1', i === 3 ? 'om' : 'politie'));
    await store.saveOutbox(message('m1'), ds, ds.map(disclosure));
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
    store = new SqliteStore(path);
    expect((await store.getDelivery('d1'))?.status).toBe('acknowledged');
  });
});
