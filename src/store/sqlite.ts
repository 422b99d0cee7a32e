import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { disclosureEntries } from '../disclosure-log/entries.ts';
import * as log from '../disclosure-log/sqlite-log.ts';
import { LOG_MIGRATION } from '../disclosure-log/sqlite-log.ts';
import type { AuditRecord, DisclosureLogStore, InformingRecord } from '../disclosure-log/types.ts';
import { statusOf } from './status.ts';
import {
  DuplicateMessageError,
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

const MIGRATIONS = [
  `CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     sender TEXT NOT NULL, message_id TEXT NOT NULL, type TEXT NOT NULL, purpose TEXT NOT NULL,
     case_ref TEXT NOT NULL, created_at TEXT NOT NULL, received_at TEXT NOT NULL, content_digest TEXT NOT NULL,
     refused TEXT NOT NULL,
     UNIQUE (sender, message_id));
   CREATE TABLE deliveries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     delivery_id TEXT NOT NULL UNIQUE, message_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL,
     transport TEXT NOT NULL, ciphertext TEXT NOT NULL, ciphertext_digest TEXT NOT NULL,
     policy_id TEXT NOT NULL, policy_version INTEGER NOT NULL, created_at TEXT NOT NULL,
     FOREIGN KEY (sender, message_id) REFERENCES messages (sender, message_id));
   CREATE INDEX deliveries_by_message ON deliveries (sender, message_id);
   CREATE INDEX deliveries_by_recipient ON deliveries (recipient, seq);
   CREATE TABLE delivery_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     delivery_id TEXT NOT NULL REFERENCES deliveries (delivery_id), event TEXT NOT NULL, at TEXT NOT NULL, detail TEXT);
   CREATE INDEX delivery_events_by_delivery ON delivery_events (delivery_id, event);
   CREATE TABLE disclosures (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     delivery_id TEXT NOT NULL UNIQUE REFERENCES deliveries (delivery_id),
     message_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL, type TEXT NOT NULL, purpose TEXT NOT NULL,
     case_ref TEXT NOT NULL, legal_basis TEXT NOT NULL, policy_id TEXT NOT NULL, policy_version INTEGER NOT NULL,
     manifest TEXT NOT NULL, ciphertext_digest TEXT NOT NULL, recorded_at TEXT NOT NULL);
   CREATE TRIGGER disclosures_append_only_update BEFORE UPDATE ON disclosures BEGIN SELECT RAISE(ABORT, 'disclosures are append-only'); END;
   CREATE TRIGGER disclosures_append_only_delete BEFORE DELETE ON disclosures BEGIN SELECT RAISE(ABORT, 'disclosures are append-only'); END;
   CREATE TRIGGER events_append_only_update BEFORE UPDATE ON delivery_events BEGIN SELECT RAISE(ABORT, 'delivery events are append-only'); END;
   CREATE TRIGGER events_append_only_delete BEFORE DELETE ON delivery_events BEGIN SELECT RAISE(ABORT, 'delivery events are append-only'); END;`,
  `CREATE TABLE policy_versions (
     policy_id TEXT NOT NULL, version INTEGER NOT NULL, document TEXT NOT NULL,
     author TEXT NOT NULL, published_at TEXT NOT NULL, comment TEXT,
     PRIMARY KEY (policy_id, version));
   CREATE TRIGGER policy_versions_append_only_update BEFORE UPDATE ON policy_versions BEGIN SELECT RAISE(ABORT, 'policy versions are append-only'); END;
   CREATE TRIGGER policy_versions_append_only_delete BEFORE DELETE ON policy_versions BEGIN SELECT RAISE(ABORT, 'policy versions are append-only'); END;
   ALTER TABLE messages ADD COLUMN meeting TEXT;`,
  LOG_MIGRATION,
];

const SQLITE_CONSTRAINT_UNIQUE = 2067;
// The events that can end a delivery's history in each status (a later 'failed' never hides 'delivered').
const STATUS_TAIL: Record<DeliveryStatus, string> = {
  queued: "'queued', 'available', 'retried'",
  failed: "'failed'",
  delivered: "'delivered', 'failed', 'available'",
  acknowledged: "'acknowledged', 'delivered', 'failed'",
  dead: "'dead', 'failed', 'delivered', 'available'",
};
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

type Row = Record<string, string | number | null>;

function str(row: Row, key: string): string {
  return String(row[key]);
}

function deliveryFromRow(row: Row): DeliveryRecord {
  return {
    deliveryId: str(row, 'delivery_id'),
    messageId: str(row, 'message_id'),
    sender: str(row, 'sender'),
    recipient: str(row, 'recipient'),
    transport: str(row, 'transport') as TransportKind,
    ciphertext: str(row, 'ciphertext'),
    ciphertextDigest: str(row, 'ciphertext_digest'),
    policyId: str(row, 'policy_id'),
    policyVersion: Number(row.policy_version),
    createdAt: str(row, 'created_at'),
  };
}

/** The embedded store: one SQLite file, written with full synchronisation so a `202` survives a crash. */
export class SqliteStore implements HubStore {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const row = this.db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as Row;
    for (let v = Number(row.v); v < MIGRATIONS.length; v++) {
      this.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v + 1, new Date().toISOString());
      });
    }
  }

  private transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private insertMessage(m: MessageRecord): void {
    try {
      this.db
        .prepare('INSERT INTO messages (sender, message_id, type, purpose, case_ref, created_at, received_at, content_digest, refused, meeting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(m.sender, m.messageId, m.type, m.purpose, m.caseRef, m.createdAt, m.receivedAt, m.contentDigest, JSON.stringify(m.refused), m.meeting ? JSON.stringify(m.meeting) : null);
    } catch (err) {
      if ((err as { errcode?: number }).errcode === SQLITE_CONSTRAINT_UNIQUE) throw new DuplicateMessageError(m.sender, m.messageId);
      throw err;
    }
  }

  async saveOutbox(message: MessageRecord, deliveries: DeliveryRecord[], disclosures: DisclosureRecord[], informing: InformingRecord[] = []): Promise<void> {
    this.transaction(() => {
      this.insertMessage(message);
      const insertDelivery = this.db.prepare(
        `INSERT INTO deliveries (delivery_id, message_id, sender, recipient, transport, ciphertext, ciphertext_digest, policy_id, policy_version, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertEvent = this.db.prepare('INSERT INTO delivery_events (delivery_id, event, at, detail) VALUES (?, ?, ?, NULL)');
      for (const d of deliveries) {
        insertDelivery.run(d.deliveryId, d.messageId, d.sender, d.recipient, d.transport, d.ciphertext, d.ciphertextDigest, d.policyId, d.policyVersion, d.createdAt);
        insertEvent.run(d.deliveryId, 'queued', d.createdAt);
      }
      const insertDisclosure = this.db.prepare(
        `INSERT INTO disclosures (delivery_id, message_id, sender, recipient, type, purpose, case_ref, legal_basis, policy_id, policy_version, manifest, ciphertext_digest, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const r of disclosures) {
        insertDisclosure.run(r.deliveryId, r.messageId, r.sender, r.recipient, r.type, r.purpose, r.caseRef, r.legalBasis, r.policyId, r.policyVersion, JSON.stringify(r.manifest), r.ciphertextDigest, r.recordedAt);
      }
      // Fail closed: without its log entries, no delivery is stored, so none is ever sent.
      log.appendEntries(this.db, disclosures.flatMap((r) => disclosureEntries({ ...r, occurredAt: r.recordedAt }, new Date().toISOString())));
      this.insertInforming(informing);
    });
  }

  private events(deliveryId: string): DeliverySummary['events'] {
    const rows = this.db.prepare('SELECT event, at, detail FROM delivery_events WHERE delivery_id = ? ORDER BY seq').all(deliveryId) as Row[];
    return rows.map((r) => ({ event: str(r, 'event') as DeliveryEvent['event'], at: str(r, 'at'), ...(r.detail !== null ? { detail: str(r, 'detail') } : {}) }));
  }

  async findMessage(sender: string, messageId: string): Promise<StoredMessage | undefined> {
    const row = this.db.prepare('SELECT * FROM messages WHERE sender = ? AND message_id = ?').get(sender, messageId) as Row | undefined;
    if (!row) return undefined;
    const deliveries = this.db
      .prepare('SELECT delivery_id, recipient FROM deliveries WHERE sender = ? AND message_id = ? ORDER BY seq')
      .all(sender, messageId) as Row[];
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
      deliveries: deliveries.map((d) => {
        const events = this.events(str(d, 'delivery_id'));
        return { deliveryId: str(d, 'delivery_id'), recipient: str(d, 'recipient'), status: statusOf(events), events };
      }),
    };
  }

  async getDelivery(deliveryId: string): Promise<StoredDelivery | undefined> {
    const row = this.db.prepare('SELECT * FROM deliveries WHERE delivery_id = ?').get(deliveryId) as Row | undefined;
    if (!row) return undefined;
    const events = this.events(deliveryId);
    const retried = events.filter((e) => e.event === 'retried').at(-1);
    return { ...deliveryFromRow(row), status: statusOf(events), attemptsSince: retried?.at ?? str(row, 'created_at') };
  }

  async deliveriesWithStatus(status: DeliveryStatus, limit: number): Promise<DeliveryOverview[]> {
    // The status is derived from events; the last event narrows the candidates before deriving it.
    const rows = this.db
      .prepare(
        `SELECT d.delivery_id, d.message_id, d.sender, d.recipient, d.transport, d.created_at FROM deliveries d
         WHERE (SELECT e.event FROM delivery_events e WHERE e.delivery_id = d.delivery_id ORDER BY e.seq DESC LIMIT 1) IN (${STATUS_TAIL[status]})
         ORDER BY d.seq`,
      )
      .all() as Row[];
    const out: DeliveryOverview[] = [];
    for (const r of rows) {
      const events = this.events(str(r, 'delivery_id'));
      if (statusOf(events) !== status) continue;
      out.push({ deliveryId: str(r, 'delivery_id'), messageId: str(r, 'message_id'), sender: str(r, 'sender'), recipient: str(r, 'recipient'), transport: str(r, 'transport') as TransportKind, createdAt: str(r, 'created_at'), status, events });
      if (out.length >= limit) break;
    }
    return out;
  }

  async appendEvent(event: DeliveryEvent): Promise<void> {
    this.transaction(() => this.insertEvent(event));
  }

  /** The event and its entry in the disclosure log, in the caller's transaction. */
  private insertEvent(event: DeliveryEvent): void {
    this.db.prepare('INSERT INTO delivery_events (delivery_id, event, at, detail) VALUES (?, ?, ?, ?)').run(event.deliveryId, event.event, event.at, event.detail ?? null);
    const trace = log.traceOf(this.db, event.deliveryId);
    if (!trace) return;
    log.appendEntries(this.db, [{ kind: 'status', ...trace, deliveryId: event.deliveryId, event: event.event, occurredAt: event.at, loggedAt: new Date().toISOString(), ...(event.detail ? { detail: event.detail } : {}) }]);
  }

  private insertInforming(records: InformingRecord[]): void {
    const insert = this.db.prepare(
      `INSERT INTO informing (case_ref, subject_bsn, subject_name_dob, role, status, informed_by, informed_on, reason_given, review_date, message_id, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of records) {
      insert.run(r.caseRef, r.subject.bsn ?? null, r.subject.nameDob ?? null, r.role, r.status, r.by ?? null, r.on ?? null, r.reasonGiven ? 1 : 0, r.reviewDate ?? null, r.messageId, r.recordedAt);
    }
  }

  async appendEventOnce(event: DeliveryEvent): Promise<boolean> {
    return this.transaction(() => {
      // Once per run of attempts: an administrator's retry starts a new run, which may die again.
      const exists = this.db
        .prepare(
          `SELECT 1 FROM delivery_events WHERE delivery_id = ? AND event = ?
             AND seq > COALESCE((SELECT MAX(seq) FROM delivery_events WHERE delivery_id = ? AND event = 'retried'), 0)`,
        )
        .get(event.deliveryId, event.event, event.deliveryId);
      if (exists) return false;
      this.insertEvent(event);
      return true;
    });
  }

  async listInbox(recipient: string, after: number, limit: number): Promise<{ entries: InboxEntry[]; cursor: number | null }> {
    const rows = this.db
      .prepare(
        `SELECT d.seq, d.delivery_id, d.message_id, d.sender, m.type, m.purpose, m.case_ref, m.created_at
         FROM deliveries d JOIN messages m ON m.sender = d.sender AND m.message_id = d.message_id
         WHERE d.recipient = ? AND d.transport = 'pull' AND d.seq > ?
           AND EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'available')
           AND NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'acknowledged')
         ORDER BY d.seq LIMIT ?`,
      )
      .all(recipient, after, limit + 1) as Row[];
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
    const rows = this.db
      .prepare(
        `SELECT d.delivery_id, d.recipient FROM deliveries d
         WHERE NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event IN ('available', 'delivered', 'acknowledged'))
           AND COALESCE((SELECT MAX(seq) FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'dead'), 0)
             < COALESCE((SELECT MAX(seq) FROM delivery_events e WHERE e.delivery_id = d.delivery_id AND e.event = 'retried'), 1)
         ORDER BY d.seq`,
      )
      .all() as Row[];
    return rows.map((r) => ({ deliveryId: str(r, 'delivery_id'), recipient: str(r, 'recipient') }));
  }

  async policyVersions(): Promise<PolicyVersion[]> {
    const rows = this.db.prepare('SELECT * FROM policy_versions ORDER BY policy_id, version').all() as Row[];
    return rows.map((r) => ({
      policy: JSON.parse(str(r, 'document')),
      author: str(r, 'author'),
      publishedAt: str(r, 'published_at'),
      ...(r.comment !== null ? { comment: str(r, 'comment') } : {}),
    }));
  }

  async addPolicyVersion(v: PolicyVersion): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO policy_versions (policy_id, version, document, author, published_at, comment) VALUES (?, ?, ?, ?, ?, ?)')
        .run(v.policy.id, v.policy.version, JSON.stringify(v.policy), v.author, v.publishedAt, v.comment ?? null);
    } catch (err) {
      const code = (err as { errcode?: number }).errcode;
      if (code === SQLITE_CONSTRAINT_PRIMARYKEY || code === SQLITE_CONSTRAINT_UNIQUE) throw new PolicyVersionExistsError(v.policy.id, v.policy.version);
      throw err;
    }
  }

  async disclosuresFor(messageId: string, sender: string): ReturnType<HubStore['disclosuresFor']> {
    const rows = this.db.prepare('SELECT * FROM disclosures WHERE message_id = ? AND sender = ? ORDER BY seq').all(messageId, sender) as Row[];
    return rows.map((r) => ({
      deliveryId: str(r, 'delivery_id'),
      messageId: str(r, 'message_id'),
      sender: str(r, 'sender'),
      recipient: str(r, 'recipient'),
      type: str(r, 'type'),
      purpose: str(r, 'purpose'),
      caseRef: str(r, 'case_ref'),
      legalBasis: str(r, 'legal_basis'),
      policyId: str(r, 'policy_id'),
      policyVersion: Number(r.policy_version),
      manifest: JSON.parse(str(r, 'manifest')),
      ciphertextDigest: str(r, 'ciphertext_digest'),
      recordedAt: str(r, 'recorded_at'),
      events: this.events(str(r, 'delivery_id')),
    }));
  }

  readonly log: DisclosureLogStore = {
    rows: () => log.logRows(this.db),
    leafHashes: async (size) => log.leafHashes(this.db, size),
    size: async () => log.logSize(this.db),
    entriesOfDelivery: async (deliveryId) => log.entriesOfDelivery(this.db, deliveryId),
    entryAt: async (seq) => log.entryAt(this.db, seq),
    search: async (q) => log.searchEntries(this.db, q),
    addCheckpoint: async (c) => log.insertCheckpoint(this.db, c),
    checkpoints: async () => log.checkpoints(this.db),
    purgeBefore: async (before, now) => this.transaction(() => log.purgeBefore(this.db, before, now)),
    informing: async () => log.latestInforming(this.db),
    audit: async (r: AuditRecord) => log.insertAudit(this.db, r),
    auditTrail: async (limit) => log.auditTrail(this.db, limit),
  };

  async ping(): Promise<boolean> {
    return this.db.isOpen && this.db.prepare('SELECT 1 AS ok').get() !== undefined;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
