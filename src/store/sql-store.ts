import { disclosureEntries, type DisclosureEntry, type ManifestEntry } from '../disclosure-log/entries.ts';
import * as log from '../disclosure-log/sql-log.ts';
import type { AuditRecord, DisclosureLogStore, InformingRecord } from '../disclosure-log/types.ts';
import { DONE_EVENT_KINDS, DONE_EVENTS, PURGED_EVENT, receivedEvent } from './dialects/shared-ddl.ts';
import { bytes, insertRows, migrate, str, type Database, type Row, type Sql, type SqlValue } from './sql.ts';
import { statusOf } from './status.ts';
import {
  DuplicateMessageError,
  type CiphertextPurge,
  type DeliveryEvent,
  type DeliveryRecord,
  type DeliveryOverview,
  type DeliveryStatus,
  type DeliverySummary,
  type DisclosureRecord,
  type HubStore,
  type InboxEntry,
  type MessageRecord,
  type PolicyVersion,
  type StoredDelivery,
  type StoredMessage,
  type TransportKind,
  PolicyVersionExistsError,
} from './types.ts';

// The events that can end a delivery's history in each status (a later 'failed' never hides 'delivered').
const STATUS_TAIL: Record<DeliveryStatus, string> = {
  queued: "'queued', 'available', 'retried'",
  failed: "'failed'",
  delivered: "'delivered', 'failed', 'available', 'purged'",
  acknowledged: "'acknowledged', 'delivered', 'failed', 'purged'",
  dead: "'dead', 'failed', 'delivered', 'available'",
};

// A dead delivery has a dead event: found by the events' index by kind, instead of reading every delivery.
const HAS_DEAD_EVENT = "d.delivery_id IN (SELECT delivery_id FROM delivery_events WHERE event = 'dead')";

const DELIVERY_COLUMNS = ['delivery_id', 'message_id', 'sender', 'recipient', 'transport', 'ciphertext_digest', 'policy_id', 'policy_version', 'created_at'];

function deliveryFromRow(row: Row, ciphertext: Uint8Array): DeliveryRecord {
  return {
    deliveryId: str(row, 'delivery_id'),
    messageId: str(row, 'message_id'),
    sender: str(row, 'sender'),
    recipient: str(row, 'recipient'),
    transport: str(row, 'transport') as TransportKind,
    ciphertext,
    ciphertextDigest: str(row, 'ciphertext_digest'),
    policyId: str(row, 'policy_id'),
    policyVersion: Number(row.policy_version),
    createdAt: str(row, 'created_at'),
  };
}

/** The purge's cut-off per recipient, as a CASE over the delivery's recipient, with its parameters. */
function cutoffOf(purge: CiphertextPurge): { sql: string; params: SqlValue[] } {
  if (purge.receivedBefore.size === 0) return { sql: '?', params: [purge.otherwise] };
  const whens = [...purge.receivedBefore].map(() => 'WHEN ? THEN ?').join(' ');
  return { sql: `CASE d.recipient ${whens} ELSE ? END`, params: [...[...purge.receivedBefore].flat(), purge.otherwise] };
}

/**
 * The hub's store, written once in SQL that SQLite and PostgreSQL both run; the database it is given
 * supplies the dialect (placeholders, schema, locking, error codes).
 */
export class SqlStore implements HubStore {
  private readonly db: Database;

  private constructor(db: Database) {
    this.db = db;
  }

  /** Opens the store on a database, migrating its schema forward first. */
  static async open(db: Database): Promise<SqlStore> {
    try {
      await migrate(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new SqlStore(db);
  }

  /** A store on a database another store has opened and migrated: for reading beside it. */
  static reading(db: Database): SqlStore {
    return new SqlStore(db);
  }

  private async insertMessage(tx: Sql, m: MessageRecord): Promise<void> {
    try {
      await tx.run(
        'INSERT INTO messages (sender, message_id, type, purpose, case_ref, created_at, received_at, content_digest, refused, meeting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [m.sender, m.messageId, m.type, m.purpose, m.caseRef, m.createdAt, m.receivedAt, m.contentDigest, JSON.stringify(m.refused), m.meeting ? JSON.stringify(m.meeting) : null],
      );
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new DuplicateMessageError(m.sender, m.messageId);
      throw err;
    }
  }

  async saveOutbox(message: MessageRecord, deliveries: DeliveryRecord[], disclosures: DisclosureRecord[], informing: InformingRecord[] = []): Promise<void> {
    await this.db.transaction(
      async (tx) => {
        await this.insertMessage(tx, message);
        await insertRows(
          tx,
          'deliveries',
          DELIVERY_COLUMNS,
          deliveries.map((d) => [d.deliveryId, d.messageId, d.sender, d.recipient, d.transport, d.ciphertextDigest, d.policyId, d.policyVersion, d.createdAt]),
        );
        await insertRows(tx, 'delivery_ciphertexts', ['delivery_id', 'created_at', 'ciphertext'], deliveries.map((d) => [d.deliveryId, d.createdAt, d.ciphertext]));
        await insertRows(tx, 'delivery_events', ['delivery_id', 'event', 'at'], deliveries.map((d) => [d.deliveryId, 'queued', d.createdAt]));
        await insertRows(tx, 'open_deliveries', ['delivery_id', 'recipient'], deliveries.map((d) => [d.deliveryId, d.recipient]));
        // Fail closed: without its log entries, no delivery is stored, so none is ever sent.
        await log.appendEntries(tx, disclosures.map((r) => ({ retainUntil: r.retainUntil, entries: disclosureEntries({ ...r, occurredAt: r.recordedAt }, new Date().toISOString()) })));
        await log.insertInforming(tx, informing);
      },
      { exclusive: true },
    );
  }

  private async events(sql: Sql, deliveryId: string): Promise<DeliverySummary['events']> {
    const rows = await sql.all('SELECT event, at, detail FROM delivery_events WHERE delivery_id = ? ORDER BY seq', [deliveryId]);
    return rows.map((r) => ({ event: str(r, 'event') as DeliveryEvent['event'], at: str(r, 'at'), ...(r.detail !== null ? { detail: str(r, 'detail') } : {}) }));
  }

  async findMessage(sender: string, messageId: string): Promise<StoredMessage | undefined> {
    const row = await this.db.get('SELECT * FROM messages WHERE sender = ? AND message_id = ?', [sender, messageId]);
    if (!row) return undefined;
    const deliveries = await this.db.all('SELECT delivery_id, recipient FROM deliveries WHERE sender = ? AND message_id = ? ORDER BY seq', [sender, messageId]);
    const summaries: DeliverySummary[] = [];
    for (const d of deliveries) {
      const events = await this.events(this.db, str(d, 'delivery_id'));
      summaries.push({ deliveryId: str(d, 'delivery_id'), recipient: str(d, 'recipient'), status: statusOf(events), events });
    }
    return {
      message: {
        sender,
        messageId,
        type: str(row, 'type'),
        purpose: str(row, 'purpose'),
        caseRef: str(row, 'case_ref'),
        createdAt: str(row, 'created_at'),
        receivedAt: str(row, 'received_at'),
        contentDigest: str(row, 'content_digest'),
        refused: JSON.parse(str(row, 'refused')),
        ...(row.meeting !== null ? { meeting: JSON.parse(str(row, 'meeting')) } : {}),
      },
      deliveries: summaries,
    };
  }

  async getDelivery(deliveryId: string, ciphertext?: Uint8Array): Promise<StoredDelivery | undefined> {
    const row = await this.db.get(
      ciphertext
        ? 'SELECT * FROM deliveries WHERE delivery_id = ?'
        : 'SELECT d.*, c.ciphertext FROM deliveries d LEFT JOIN delivery_ciphertexts c ON c.delivery_id = d.delivery_id WHERE d.delivery_id = ?',
      [deliveryId],
    );
    if (!row) return undefined;
    const events = await this.events(this.db, deliveryId);
    const retried = events.filter((e) => e.event === 'retried').at(-1);
    const purged = events.find((e) => e.event === PURGED_EVENT);
    const held = ciphertext ?? (row.ciphertext != null ? bytes(row, 'ciphertext') : undefined);
    if (!held && !purged) throw new Error(`delivery ${deliveryId} has neither its ciphertext nor a purge`);
    return {
      ...deliveryFromRow(row, held ?? new Uint8Array(0)),
      status: statusOf(events),
      attemptsSince: retried?.at ?? str(row, 'created_at'),
      ...(purged ? { ciphertextPurgedAt: purged.at } : {}),
    };
  }

  async purgeReceivedCiphertext(purge: CiphertextPurge, limit: number): Promise<number> {
    // Most sweeps find nothing due: a plain read first spares them the writer's lock and transaction.
    if ((await this.duePurges(this.db, purge, 1)).length === 0) return 0;
    return this.db.transaction(
      async (tx) => {
        const ids = await this.duePurges(tx, purge, limit);
        // The event first: the database deletes no ciphertext whose purge is not recorded.
        for (const deliveryId of ids) await this.insertEvent(tx, { deliveryId, event: PURGED_EVENT, at: purge.at });
        if (ids.length > 0) await tx.run(`DELETE FROM delivery_ciphertexts WHERE delivery_id IN (${ids.map(() => '?').join(', ')})`, ids);
        return ids.length;
      },
      { exclusive: true },
    );
  }

  /** The deliveries whose ciphertext is due to go, oldest first. */
  private async duePurges(sql: Sql, purge: CiphertextPurge, limit: number): Promise<string[]> {
    const cutoff = cutoffOf(purge);
    const latest = [...purge.receivedBefore.values(), purge.otherwise].reduce((a, b) => (a > b ? a : b));
    // Driven by the ciphertexts still held (CROSS JOIN keeps SQLite from starting at every delivery).
    const rows = await sql.all(
      `SELECT c.delivery_id FROM delivery_ciphertexts c CROSS JOIN deliveries d
       WHERE c.created_at <= ? AND d.delivery_id = c.delivery_id
         AND EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = ${receivedEvent('d')} AND e.at <= ${cutoff.sql})
       ORDER BY c.created_at LIMIT ?`,
      [latest, ...cutoff.params, limit],
    );
    return rows.map((r) => str(r, 'delivery_id'));
  }

  async deliveriesWithStatus(status: DeliveryStatus, limit: number): Promise<DeliveryOverview[]> {
    // The status is derived from events; the last event narrows the candidates before deriving it.
    const onlyWithDeadEvent = status === 'dead' ? `${HAS_DEAD_EVENT} AND` : '';
    const rows = await this.db.all(
      `SELECT d.delivery_id, d.message_id, d.sender, d.recipient, d.transport, d.created_at FROM deliveries d
       WHERE ${onlyWithDeadEvent} (SELECT e.event FROM delivery_events e WHERE e.delivery_id = d.delivery_id ORDER BY e.seq DESC LIMIT 1) IN (${STATUS_TAIL[status]})
       ORDER BY d.seq`,
    );
    const out: DeliveryOverview[] = [];
    for (const r of rows) {
      const events = await this.events(this.db, str(r, 'delivery_id'));
      if (statusOf(events) !== status) continue;
      out.push({ deliveryId: str(r, 'delivery_id'), messageId: str(r, 'message_id'), sender: str(r, 'sender'), recipient: str(r, 'recipient'), transport: str(r, 'transport') as TransportKind, createdAt: str(r, 'created_at'), status, events });
      if (out.length >= limit) break;
    }
    return out;
  }

  async deadByRecipient(): Promise<Map<string, number>> {
    // Dead is final until an administrator's retry: a 'dead' event after the last 'retried'.
    const rows = await this.db.all(
      `SELECT d.recipient, COUNT(*) AS n FROM deliveries d
       WHERE ${HAS_DEAD_EVENT}
         AND COALESCE((SELECT MAX(seq) FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'dead'), 0)
           > COALESCE((SELECT MAX(seq) FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'retried'), 0)
       GROUP BY d.recipient`,
    );
    return new Map(rows.map((r) => [str(r, 'recipient'), Number(r.n)]));
  }

  async appendEvent(event: DeliveryEvent): Promise<void> {
    await this.db.transaction((tx) => this.insertEvent(tx, event), { exclusive: true });
  }

  /** The event and its entry in the disclosure log, in the caller's transaction. */
  private async insertEvent(tx: Sql, event: DeliveryEvent): Promise<void> {
    await tx.run('INSERT INTO delivery_events (delivery_id, event, at, detail) VALUES (?, ?, ?, ?)', [event.deliveryId, event.event, event.at, event.detail ?? null]);
    if (DONE_EVENT_KINDS.includes(event.event)) await tx.run('DELETE FROM open_deliveries WHERE delivery_id = ?', [event.deliveryId]);
    const disclosed = await log.traceOf(tx, event.deliveryId);
    if (!disclosed) return;
    const entry = { kind: 'status' as const, ...disclosed.trace, deliveryId: event.deliveryId, event: event.event, occurredAt: event.at, loggedAt: new Date().toISOString(), ...(event.detail ? { detail: event.detail } : {}) };
    // Kept as long as the disclosure it follows: a delivery's entries are purged together.
    await log.appendEntries(tx, [{ retainUntil: disclosed.retainUntil, entries: [entry] }]);
  }

  async appendEventOnce(event: DeliveryEvent): Promise<boolean> {
    // Exclusive: two instances checking at once must not both append.
    return this.db.transaction(
      async (tx) => {
        // Once per run of attempts: an administrator's retry starts a new run, which may die again.
        const exists = await tx.get(
          `SELECT 1 AS found FROM delivery_events WHERE delivery_id = ? AND event = ?
             AND seq > COALESCE((SELECT MAX(seq) FROM delivery_events WHERE delivery_id = ? AND event = 'retried'), 0)`,
          [event.deliveryId, event.event, event.deliveryId],
        );
        if (exists) return false;
        await this.insertEvent(tx, event);
        return true;
      },
      { exclusive: true },
    );
  }

  async listInbox(recipient: string, after: number, limit: number): Promise<{ entries: InboxEntry[]; cursor: number | null }> {
    const rows = await this.db.all(
      `SELECT d.seq, d.delivery_id, d.message_id, d.sender, m.type, m.purpose, m.case_ref, m.created_at
       FROM deliveries d JOIN messages m ON m.sender = d.sender AND m.message_id = d.message_id
       WHERE d.recipient = ? AND d.transport = 'pull' AND d.seq > ?
         AND EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'available')
         AND NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'acknowledged')
       ORDER BY d.seq LIMIT ?`,
      [recipient, after, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      entries: page.map((r) => ({
        deliveryId: str(r, 'delivery_id'),
        messageId: str(r, 'message_id'),
        type: str(r, 'type'),
        purpose: str(r, 'purpose'),
        sender: str(r, 'sender'),
        caseRef: str(r, 'case_ref'),
        createdAt: str(r, 'created_at'),
      })),
      cursor: rows.length > limit && last ? Number(last.seq) : null,
    };
  }

  async pendingDeliveries(): Promise<{ deliveryId: string; recipient: string }[]> {
    const rows = await this.db.all(
      // Driven by the few open deliveries (CROSS JOIN keeps SQLite from scanning every delivery instead).
      `SELECT d.delivery_id, d.recipient FROM open_deliveries o CROSS JOIN deliveries d
       WHERE d.delivery_id = o.delivery_id
         AND NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event IN (${DONE_EVENTS}))
         AND COALESCE((SELECT MAX(seq) FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'dead'), 0)
           < COALESCE((SELECT MAX(seq) FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'retried'), 1)
       ORDER BY d.seq`,
    );
    return rows.map((r) => ({ deliveryId: str(r, 'delivery_id'), recipient: str(r, 'recipient') }));
  }

  async policyVersions(): Promise<PolicyVersion[]> {
    const rows = await this.db.all('SELECT * FROM policy_versions ORDER BY policy_id, version');
    return rows.map((r) => ({
      policy: JSON.parse(str(r, 'document')),
      author: str(r, 'author'),
      publishedAt: str(r, 'published_at'),
      ...(r.comment !== null ? { comment: str(r, 'comment') } : {}),
    }));
  }

  async addPolicyVersion(v: PolicyVersion): Promise<void> {
    try {
      await this.db.run('INSERT INTO policy_versions (policy_id, version, document, author, published_at, comment) VALUES (?, ?, ?, ?, ?, ?)', [
        v.policy.id,
        v.policy.version,
        JSON.stringify(v.policy),
        v.author,
        v.publishedAt,
        v.comment ?? null,
      ]);
    } catch (err) {
      if (this.db.isUniqueViolation(err)) throw new PolicyVersionExistsError(v.policy.id, v.policy.version);
      throw err;
    }
  }

  /**
   * One record per delivery of a message, from its manifest entry and its first disclosure entry in the
   * log (the others differ only in the person).
   */
  async disclosuresFor(messageId: string, sender: string): ReturnType<HubStore['disclosuresFor']> {
    const first = new Map<string, DisclosureEntry>();
    const manifests = new Map<string, ManifestEntry>();
    for (const e of await log.disclosuresOfMessage(this.db, sender, messageId)) {
      if (e.kind === 'manifest') manifests.set(e.deliveryId, e);
      else if (!first.has(e.deliveryId)) first.set(e.deliveryId, e);
    }
    const out: Awaited<ReturnType<HubStore['disclosuresFor']>> = [];
    for (const e of first.values()) {
      out.push({
        deliveryId: e.deliveryId,
        messageId: e.messageId,
        sender: e.sender,
        recipient: e.recipient,
        type: e.type,
        purpose: e.purpose,
        caseRef: e.caseRef,
        legalBasis: e.legalBasis,
        policyId: e.processingActivity.id,
        policyVersion: e.processingActivity.version,
        manifest: manifests.get(e.deliveryId)!.manifest,
        ciphertextDigest: e.ciphertextDigest,
        recordedAt: e.occurredAt,
        events: await this.events(this.db, e.deliveryId),
      });
    }
    return out;
  }

  readonly log: DisclosureLogStore = {
    rows: () => log.logRows(this.db),
    leafHashes: (from, to) => log.leafHashes(this.db, from, to),
    size: () => log.logSize(this.db),
    entriesOfDelivery: (deliveryId) => log.entriesOfDelivery(this.db, deliveryId),
    entryAt: (seq) => log.entryAt(this.db, seq),
    search: (q) => log.searchEntries(this.db, q),
    stats: (q) => log.disclosureStats(this.db, q),
    addCheckpoint: (c) => log.insertCheckpoint(this.db, c),
    checkpoints: () => log.checkpoints(this.db),
    purgeExpired: () => this.db.transaction((tx) => log.purgeExpired(tx, this.db.clock)),
    informing: () => log.latestInforming(this.db),
    audit: (r: AuditRecord) => log.insertAudit(this.db, r),
    auditTrail: (limit) => log.auditTrail(this.db, limit),
  };

  async ping(): Promise<boolean> {
    try {
      return (await this.db.get('SELECT 1 AS ok')) !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
