import { randomBytes } from 'node:crypto';
import { insertRows, type Row, type Sql, type SqlValue } from '../store/sql.ts';
import { SALT_BYTES, sealEntry, type DisclosureEntry, type LogEntry, type ManifestEntry, type UnplacedEntry } from './entries.ts';
import type { AuditRecord, Checkpoint, DisclosureStats, InformingRecord, LogRow, LogSearch, StoredLogEntry } from './types.ts';

// The log's reads and writes, written once for every dialect. The tables are the dialects' migrations.

const LOG_COLUMNS = ['seq', 'kind', 'delivery_id', 'trace_id', 'span_id', 'sender', 'recipient', 'purpose', 'type', 'case_ref', 'subject_bsn', 'subject_name_dob', 'occurred_at', 'logged_at', 'entry', 'salt', 'leaf_hash', 'retain_until'];

function columns(entry: LogEntry): SqlValue[] {
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

/** Entries of one delivery, all kept until the retention of its processing activity ends. */
export interface DeliveryEntries {
  retainUntil: string;
  entries: UnplacedEntry[];
}

/**
 * Appends entries at the end of the tree. Call inside the store's exclusive write transaction: it holds
 * the writer lock, so the next index is read and taken by one writer at a time (and fails closed with it).
 */
export async function appendEntries(tx: Sql, deliveries: DeliveryEntries[]): Promise<void> {
  const last = await logSize(tx);
  // The purge and its trigger compare dates as text: stored in the one form the database's clock gives too.
  const unplaced = deliveries.flatMap((d) => {
    const retainUntil = new Date(d.retainUntil).toISOString();
    return d.entries.map((entry) => ({ entry, retainUntil }));
  });
  const salts = randomBytes(SALT_BYTES * unplaced.length);
  const rows = unplaced.map((u, i) => {
    const entry = { ...u.entry, index: last + i } as LogEntry;
    const { text, salt, leaf } = sealEntry(entry, salts.subarray(i * SALT_BYTES, (i + 1) * SALT_BYTES));
    return [last + i + 1, ...columns(entry), text, salt.toString('hex'), leaf.toString('hex'), u.retainUntil];
  });
  await insertRows(tx, 'log_entries', LOG_COLUMNS, rows);
}

/** The trace and retention of a delivery's disclosure, for the status entries that follow it. */
export async function traceOf(sql: Sql, deliveryId: string): Promise<{ trace: { traceId: string; spanId: string; recipient: string }; retainUntil: string } | undefined> {
  const row = await sql.get("SELECT trace_id, span_id, recipient, retain_until FROM log_entries WHERE delivery_id = ? AND kind = 'disclosure' ORDER BY seq LIMIT 1", [deliveryId]);
  return row ? { trace: { traceId: String(row.trace_id), spanId: String(row.span_id), recipient: String(row.recipient) }, retainUntil: String(row.retain_until) } : undefined;
}

const PAGE = 1000;

const textOrNull = (value: SqlValue | undefined): string | null => (value === null || value === undefined ? null : String(value));

/** Every row in order of seq, a page at a time, so that verifying a large log holds only a page in memory. */
export async function* logRows(sql: Sql): AsyncGenerator<LogRow> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const page = await sql.all('SELECT seq, entry, salt, leaf_hash, retain_until, purged_at FROM log_entries WHERE seq > ? ORDER BY seq LIMIT ?', [after, PAGE]);
    for (const r of page) yield { seq: Number(r.seq), entry: textOrNull(r.entry), salt: textOrNull(r.salt), leafHash: String(r.leaf_hash), retainUntil: textOrNull(r.retain_until), purgedAt: textOrNull(r.purged_at) };
    if (page.length < PAGE) return;
    after = Number(page.at(-1)!.seq);
  }
}

/** The leaves from index `from` up to (not including) `to`: records `from + 1` to `to`. */
export async function leafHashes(sql: Sql, from: number, to: number): Promise<Buffer[]> {
  return (await sql.all('SELECT leaf_hash FROM log_entries WHERE seq > ? AND seq <= ? ORDER BY seq', [from, to])).map((r) => Buffer.from(String(r.leaf_hash), 'hex'));
}

function stored(r: Row): StoredLogEntry {
  return { seq: Number(r.seq), entry: r.entry === null ? null : (JSON.parse(String(r.entry)) as LogEntry), salt: r.salt === null ? null : String(r.salt), leafHash: String(r.leaf_hash), loggedAt: String(r.logged_at), purgedAt: r.purged_at === null ? null : String(r.purged_at) };
}

export async function entriesOfDelivery(sql: Sql, deliveryId: string): Promise<StoredLogEntry[]> {
  return (await sql.all('SELECT * FROM log_entries WHERE delivery_id = ? ORDER BY seq', [deliveryId])).map(stored);
}

/** The manifest and disclosure entries of a message's deliveries (one per delivery, one per delivery and person), in log order. */
export async function disclosuresOfMessage(sql: Sql, sender: string, messageId: string): Promise<(DisclosureEntry | ManifestEntry)[]> {
  const rows = await sql.all(
    `SELECT l.entry FROM deliveries d JOIN log_entries l ON l.delivery_id = d.delivery_id AND l.kind IN ('manifest', 'disclosure')
     WHERE d.sender = ? AND d.message_id = ? ORDER BY l.seq`,
    [sender, messageId],
  );
  return rows.map((r) => JSON.parse(String(r.entry)) as DisclosureEntry | ManifestEntry);
}

export async function entryAt(sql: Sql, seq: number): Promise<StoredLogEntry | undefined> {
  const row = await sql.get('SELECT * FROM log_entries WHERE seq = ?', [seq]);
  return row ? stored(row) : undefined;
}

/** The conditions on disclosure entries that are not purged, as SQL and its parameters. */
function disclosureFilter(q: Omit<LogSearch, 'limit'>): { where: string; args: SqlValue[] } {
  const where = ["kind = 'disclosure'", 'purged_at IS NULL'];
  const args: SqlValue[] = [];
  const add = (condition: string, ...values: SqlValue[]) => {
    where.push(condition);
    args.push(...values);
  };
  if (q.subjects) add(`(subject_bsn IN (${q.subjects.map(() => '?').join(',') || 'NULL'}) OR subject_name_dob IN (${q.subjects.map(() => '?').join(',') || 'NULL'}))`, ...q.subjects, ...q.subjects);
  if (q.partner) add('(recipient = ? OR sender = ?)', q.partner, q.partner);
  if (q.purpose) add('purpose = ?', q.purpose);
  if (q.type) add('type = ?', q.type);
  if (q.caseRef) add('case_ref = ?', q.caseRef);
  if (q.from) add('occurred_at >= ?', q.from);
  if (q.to) add('occurred_at < ?', q.to);
  return { where: where.join(' AND '), args };
}

/** Disclosure entries matching every given criterion, oldest first. */
export async function searchEntries(sql: Sql, q: LogSearch): Promise<StoredLogEntry[]> {
  const { where, args } = disclosureFilter(q);
  return (await sql.all(`SELECT * FROM log_entries WHERE ${where} ORDER BY seq LIMIT ?`, [...args, q.limit])).map(stored);
}

/** Disclosures per day (UTC), recipient and purpose, counted in the database: one delivery is one disclosure, however many persons it concerns. */
export async function disclosureStats(sql: Sql, q: { from?: string; to?: string }): Promise<DisclosureStats[]> {
  const { where, args } = disclosureFilter(q);
  const rows = await sql.all(
    `SELECT substr(occurred_at, 1, 10) AS day, recipient, purpose, COUNT(DISTINCT delivery_id) AS n FROM log_entries
     WHERE ${where} GROUP BY substr(occurred_at, 1, 10), recipient, purpose ORDER BY day, recipient, purpose`,
    args,
  );
  return rows.map((r) => ({ day: String(r.day), recipient: String(r.recipient), purpose: String(r.purpose), disclosures: Number(r.n) }));
}

export async function insertCheckpoint(sql: Sql, c: Checkpoint): Promise<void> {
  await sql.run('INSERT INTO log_checkpoints (tree_size, root_hash, signed_at, statement, signature) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [c.treeSize, c.rootHash, c.signedAt, c.statement, c.signature]);
}

export async function checkpoints(sql: Sql): Promise<Checkpoint[]> {
  return (await sql.all('SELECT * FROM log_checkpoints ORDER BY tree_size')).map((r) => ({
    treeSize: Number(r.tree_size),
    rootHash: String(r.root_hash),
    signedAt: String(r.signed_at),
    statement: String(r.statement),
    signature: String(r.signature),
  }));
}

export async function logSize(sql: Sql): Promise<number> {
  return Number((await sql.get('SELECT COALESCE(MAX(seq), 0) AS n FROM log_entries'))?.n ?? 0);
}

/**
 * Retention: clears the entries whose retention has ended by `clock`, the database's time (which its
 * trigger checks), keeping their leaves, so the tree still verifies.
 */
export async function purgeExpired(sql: Sql, clock: string): Promise<number> {
  return sql.run(
    `UPDATE log_entries SET entry = NULL, salt = NULL, delivery_id = NULL, trace_id = NULL, span_id = NULL, sender = NULL, recipient = NULL,
       purpose = NULL, type = NULL, case_ref = NULL, subject_bsn = NULL, subject_name_dob = NULL, occurred_at = NULL, purged_at = ${clock}
     WHERE retain_until <= ${clock} AND purged_at IS NULL`,
  );
}

export async function insertInforming(tx: Sql, records: InformingRecord[]): Promise<void> {
  await insertRows(
    tx,
    'informing',
    ['case_ref', 'subject_bsn', 'subject_name_dob', 'role', 'status', 'informed_by', 'informed_on', 'reason_given', 'review_date', 'message_id', 'recorded_at'],
    records.map((r) => [r.caseRef, r.subject.bsn ?? null, r.subject.nameDob ?? null, r.role, r.status, r.by ?? null, r.on ?? null, r.reasonGiven ? 1 : 0, r.reviewDate ?? null, r.messageId, r.recordedAt]),
  );
}

/** Per person and case, the latest informing status the minutes recorded. */
export async function latestInforming(sql: Sql): Promise<(InformingRecord & { seq: number })[]> {
  const rows = await sql.all(
    `SELECT * FROM informing i WHERE i.seq = (SELECT MAX(seq) FROM informing j WHERE j.case_ref = i.case_ref
       AND COALESCE(j.subject_bsn, j.subject_name_dob) = COALESCE(i.subject_bsn, i.subject_name_dob)) ORDER BY seq`,
  );
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

export async function insertAudit(sql: Sql, r: AuditRecord): Promise<void> {
  await sql.run('INSERT INTO privacy_audit (officer, action, query, results, at) VALUES (?, ?, ?, ?, ?)', [r.officer, r.action, JSON.stringify(r.query), r.results, r.at]);
}

export async function auditTrail(sql: Sql, limit: number): Promise<(AuditRecord & { seq: number })[]> {
  return (await sql.all('SELECT * FROM privacy_audit ORDER BY seq DESC LIMIT ?', [limit])).map((r) => ({
    seq: Number(r.seq),
    officer: String(r.officer),
    action: String(r.action),
    query: JSON.parse(String(r.query)) as Record<string, unknown>,
    results: Number(r.results),
    at: String(r.at),
  }));
}
