import type { DatabaseSync } from 'node:sqlite';
import { sealEntry, type LogEntry, type UnplacedEntry } from './entries.ts';
import type { AuditRecord, Checkpoint, InformingRecord, LogRow, LogSearch, StoredLogEntry } from './types.ts';

type Row = Record<string, string | number | null>;

/** The log's tables; migration 3 of the store. UPDATE is allowed only as the purge, DELETE never. */
export const LOG_MIGRATION = `
  CREATE TABLE log_entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL, delivery_id TEXT, trace_id TEXT, span_id TEXT, sender TEXT, recipient TEXT,
    purpose TEXT, type TEXT, case_ref TEXT, subject_bsn TEXT, subject_name_dob TEXT,
    occurred_at TEXT, logged_at TEXT NOT NULL, entry TEXT, salt TEXT, leaf_hash TEXT NOT NULL, purged_at TEXT);
  CREATE INDEX log_by_delivery ON log_entries (delivery_id);
  CREATE INDEX log_by_subject_bsn ON log_entries (subject_bsn);
  CREATE INDEX log_by_subject_name_dob ON log_entries (subject_name_dob);
  CREATE INDEX log_by_recipient ON log_entries (recipient, occurred_at);
  CREATE INDEX log_by_case ON log_entries (case_ref);
  CREATE INDEX log_to_purge ON log_entries (logged_at) WHERE purged_at IS NULL;
  CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only'); END;
  CREATE TRIGGER log_entries_purge_only BEFORE UPDATE ON log_entries
    WHEN NOT (OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL AND NEW.seq = OLD.seq AND NEW.kind = OLD.kind
      AND NEW.leaf_hash = OLD.leaf_hash AND NEW.logged_at = OLD.logged_at AND NEW.entry IS NULL AND NEW.salt IS NULL
      AND NEW.delivery_id IS NULL AND NEW.trace_id IS NULL AND NEW.span_id IS NULL AND NEW.sender IS NULL
      AND NEW.recipient IS NULL AND NEW.purpose IS NULL AND NEW.type IS NULL AND NEW.case_ref IS NULL
      AND NEW.subject_bsn IS NULL AND NEW.subject_name_dob IS NULL AND NEW.occurred_at IS NULL)
    BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only; only the retention purge may clear an entry'); END;
  CREATE TABLE log_checkpoints (
    tree_size INTEGER PRIMARY KEY, root_hash TEXT NOT NULL, signed_at TEXT NOT NULL, statement TEXT NOT NULL, signature TEXT NOT NULL);
  CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
  CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
  CREATE TABLE informing (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    case_ref TEXT NOT NULL, subject_bsn TEXT, subject_name_dob TEXT, role TEXT NOT NULL, status TEXT NOT NULL,
    informed_by TEXT, informed_on TEXT, reason_given INTEGER NOT NULL, review_date TEXT, message_id TEXT NOT NULL, recorded_at TEXT NOT NULL);
  CREATE INDEX informing_by_case ON informing (case_ref);
  CREATE TABLE privacy_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, officer TEXT NOT NULL, action TEXT NOT NULL, query TEXT NOT NULL, results INTEGER NOT NULL, at TEXT NOT NULL);
  CREATE TRIGGER privacy_audit_no_update BEFORE UPDATE ON privacy_audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER privacy_audit_no_delete BEFORE DELETE ON privacy_audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`;

function column(entry: LogEntry): (string | null)[] {
  const d = entry.kind === 'disclosure' ? entry : undefined;
  return [
    entry.kind,
    entry.deliveryId,
    entry.traceId,
    entry.spanId,
    d?.sender ?? null,
    entry.recipient,
    d?.purpose ?? null,
    d?.type ?? null,
    d?.caseRef ?? null,
    d?.subject?.bsn ?? null,
    d?.subject?.nameDob ?? null,
    entry.occurredAt,
    entry.loggedAt,
  ];
}

/** Appends entries at the end of the tree; call inside the store's write transaction (fail closed). */
export function appendEntries(db: DatabaseSync, entries: UnplacedEntry[]): void {
  const last = Number((db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM log_entries').get() as Row).n);
  const insert = db.prepare(
    `INSERT INTO log_entries (seq, kind, delivery_id, trace_id, span_id, sender, recipient, purpose, type, case_ref, subject_bsn, subject_name_dob, occurred_at, logged_at, entry, salt, leaf_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  entries.forEach((unplaced, i) => {
    const entry = { ...unplaced, index: last + i } as LogEntry;
    const { salt, leaf } = sealEntry(entry);
    insert.run(last + i + 1, ...column(entry), JSON.stringify(entry), salt.toString('hex'), leaf.toString('hex'));
  });
}

/** The trace of a delivery's disclosure, for the status entries that follow it. */
export function traceOf(db: DatabaseSync, deliveryId: string): { traceId: string; spanId: string; recipient: string } | undefined {
  const row = db.prepare("SELECT trace_id, span_id, recipient FROM log_entries WHERE delivery_id = ? AND kind = 'disclosure' ORDER BY seq LIMIT 1").get(deliveryId) as Row | undefined;
  return row ? { traceId: String(row.trace_id), spanId: String(row.span_id), recipient: String(row.recipient) } : undefined;
}

export function* logRows(db: DatabaseSync): Generator<LogRow> {
  for (const r of db.prepare('SELECT seq, entry, salt, leaf_hash FROM log_entries ORDER BY seq').iterate() as Iterable<Row>) {
    yield { seq: Number(r.seq), entry: r.entry === null ? null : String(r.entry), salt: r.salt === null ? null : String(r.salt), leafHash: String(r.leaf_hash) };
  }
}

export function leafHashes(db: DatabaseSync, size: number): Buffer[] {
  return (db.prepare('SELECT leaf_hash FROM log_entries WHERE seq <= ? ORDER BY seq').all(size) as Row[]).map((r) => Buffer.from(String(r.leaf_hash), 'hex'));
}

function stored(r: Row): StoredLogEntry {
  return { seq: Number(r.seq), entry: r.entry === null ? null : (JSON.parse(String(r.entry)) as LogEntry), salt: r.salt === null ? null : String(r.salt), leafHash: String(r.leaf_hash), loggedAt: String(r.logged_at), purgedAt: r.purged_at === null ? null : String(r.purged_at) };
}

export function entriesOfDelivery(db: DatabaseSync, deliveryId: string): StoredLogEntry[] {
  return (db.prepare('SELECT * FROM log_entries WHERE delivery_id = ? ORDER BY seq').all(deliveryId) as Row[]).map(stored);
}

export function entryAt(db: DatabaseSync, seq: number): StoredLogEntry | undefined {
  const row = db.prepare('SELECT * FROM log_entries WHERE seq = ?').get(seq) as Row | undefined;
  return row ? stored(row) : undefined;
}

/** Disclosure entries matching every given criterion, oldest first. */
export function searchEntries(db: DatabaseSync, q: LogSearch): StoredLogEntry[] {
  const where = ["kind = 'disclosure'"];
  const args: (string | number)[] = [];
  const add = (sql: string, ...values: (string | number)[]) => {
    where.push(sql);
    args.push(...values);
  };
  if (q.subjects) add(`(subject_bsn IN (${q.subjects.map(() => '?').join(',') || 'NULL'}) OR subject_name_dob IN (${q.subjects.map(() => '?').join(',') || 'NULL'}))`, ...q.subjects, ...q.subjects);
  if (q.partner) add('(recipient = ? OR sender = ?)', q.partner, q.partner);
  if (q.purpose) add('purpose = ?', q.purpose);
  if (q.type) add('type = ?', q.type);
  if (q.caseRef) add('case_ref = ?', q.caseRef);
  if (q.from) add('occurred_at >= ?', q.from);
  if (q.to) add('occurred_at < ?', q.to);
  const rows = db.prepare(`SELECT * FROM log_entries WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...args, q.limit) as Row[];
  return rows.map(stored);
}

export function insertCheckpoint(db: DatabaseSync, c: Checkpoint): void {
  db.prepare('INSERT OR IGNORE INTO log_checkpoints (tree_size, root_hash, signed_at, statement, signature) VALUES (?, ?, ?, ?, ?)').run(c.treeSize, c.rootHash, c.signedAt, c.statement, c.signature);
}

export function checkpoints(db: DatabaseSync): Checkpoint[] {
  return (db.prepare('SELECT * FROM log_checkpoints ORDER BY tree_size').all() as Row[]).map((r) => ({
    treeSize: Number(r.tree_size),
    rootHash: String(r.root_hash),
    signedAt: String(r.signed_at),
    statement: String(r.statement),
    signature: String(r.signature),
  }));
}

export function logSize(db: DatabaseSync): number {
  return Number((db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM log_entries').get() as Row).n);
}

/** Retention: clears entries logged before `before`, keeping their leaves, so the tree still verifies. */
export function purgeBefore(db: DatabaseSync, before: string, now: string): number {
  const result = db
    .prepare(
      `UPDATE log_entries SET entry = NULL, salt = NULL, delivery_id = NULL, trace_id = NULL, span_id = NULL, sender = NULL, recipient = NULL,
         purpose = NULL, type = NULL, case_ref = NULL, subject_bsn = NULL, subject_name_dob = NULL, occurred_at = NULL, purged_at = ?
       WHERE logged_at < ? AND purged_at IS NULL`,
    )
    .run(now, before);
  return Number(result.changes);
}

/** Per person and case, the latest informing status the minutes recorded. */
export function latestInforming(db: DatabaseSync): (InformingRecord & { seq: number })[] {
  const rows = db
    .prepare(
      `SELECT * FROM informing i WHERE i.seq = (SELECT MAX(seq) FROM informing j WHERE j.case_ref = i.case_ref
         AND COALESCE(j.subject_bsn, j.subject_name_dob) = COALESCE(i.subject_bsn, i.subject_name_dob)) ORDER BY seq`,
    )
    .all() as Row[];
  return rows.map((r) => ({
    seq: Number(r.seq),
    caseRef: String(r.case_ref),
    subject: { ...(r.subject_bsn !== null ? { bsn: String(r.subject_bsn) } : {}), ...(r.subject_name_dob !== null ? { nameDob: String(r.subject_name_dob) } : {}) },
    role: String(r.role),
    status: String(r.status) as InformingRecord['status'],
    ...(r.informed_by !== null ? { by: String(r.informed_by) } : {}),
    ...(r.informed_on !== null ? { on: String(r.informed_on) } : {}),
    ...(Number(r.reason_given) === 1 ? { reasonGiven: true } : {}),
    ...(r.review_date !== null ? { reviewDate: String(r.review_date) } : {}),
    messageId: String(r.message_id),
    recordedAt: String(r.recorded_at),
  }));
}

export function insertAudit(db: DatabaseSync, r: AuditRecord): void {
  db.prepare('INSERT INTO privacy_audit (officer, action, query, results, at) VALUES (?, ?, ?, ?, ?)').run(r.officer, r.action, JSON.stringify(r.query), r.results, r.at);
}

export function auditTrail(db: DatabaseSync, limit: number): (AuditRecord & { seq: number })[] {
  return (db.prepare('SELECT * FROM privacy_audit ORDER BY seq DESC LIMIT ?').all(limit) as Row[]).map((r) => ({
    seq: Number(r.seq),
    officer: String(r.officer),
    action: String(r.action),
    query: JSON.parse(String(r.query)) as Record<string, unknown>,
    results: Number(r.results),
    at: String(r.at),
  }));
}
