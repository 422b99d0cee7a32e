import { DatabaseSync } from 'node:sqlite';
import type { DatabaseSettings } from '../../src/config/schema.ts';
import type { DisclosureEntry, ManifestEntry } from '../../src/disclosure-log/entries.ts';
import { appendEntries } from '../../src/disclosure-log/sql-log.ts';
import { openPostgres } from '../../src/store/dialects/postgres.ts';
import { openSqlite } from '../../src/store/dialects/sqlite.ts';
import { withClient } from './pg.ts';

// Direct access to a hub's database, outside the hub: as an operator, or an intruder, would have it.

type Rows = Record<string, unknown>[];
/** A disclosure entry not yet given its place in the log. */
type DisclosureLine = Omit<DisclosureEntry, 'index'>;

/** Rows of one query, read straight from the database. */
export async function queryRows(db: DatabaseSettings, sql: string): Promise<Rows> {
  if (db.kind === 'postgres') return withClient(db.url, async (c) => (await c.query(sql)).rows as Rows);
  const file = new DatabaseSync(db.path, { readOnly: true });
  try {
    return file.prepare(sql).all() as Rows;
  } finally {
    file.close();
  }
}

/**
 * Runs statements straight on the database. `bypassTriggers` does what only a database superuser can:
 * in PostgreSQL the session stops firing triggers; in SQLite the triggers are dropped and put back.
 */
export async function execute(db: DatabaseSettings, script: string, options: { bypassTriggers?: boolean } = {}): Promise<void> {
  if (db.kind === 'postgres') {
    const bypass = options.bypassTriggers ? 'SET LOCAL session_replication_role = replica;' : '';
    await withClient(db.url, (c) => c.query(`BEGIN; ${bypass} ${script}; COMMIT;`));
    return;
  }
  const file = new DatabaseSync(db.path);
  try {
    const triggers = options.bypassTriggers ? (file.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[]) : [];
    file.exec('BEGIN');
    try {
      for (const t of triggers) file.exec(`DROP TRIGGER "${t.name}"`);
      file.exec(script);
      for (const t of triggers) file.exec(t.sql);
      file.exec('COMMIT');
    } catch (err) {
      file.exec('ROLLBACK');
      throw err;
    }
  } finally {
    file.close();
  }
}

/** An UPDATE that clears rows as the retention purge does (the entry, its salt, every searchable column), with `set` besides. */
export function clearLikeThePurge(where: string, set: string): string {
  return `UPDATE log_entries SET entry = NULL, salt = NULL, delivery_id = NULL, trace_id = NULL, span_id = NULL, sender = NULL, recipient = NULL,
    purpose = NULL, type = NULL, case_ref = NULL, subject_bsn = NULL, subject_name_dob = NULL, occurred_at = NULL, ${set} WHERE ${where}`;
}

/** Row counts of the hub's tables. */
export async function rowCounts(db: DatabaseSettings): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['messages', 'deliveries', 'delivery_events', 'log_entries']) {
    out[table] = Number((await queryRows(db, `SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
  }
  return out;
}

/** Every table the hub created. */
async function tableNames(db: DatabaseSettings): Promise<string[]> {
  const rows =
    db.kind === 'postgres'
      ? await queryRows(db, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
      : await queryRows(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
  return rows.map(({ name }) => String(name));
}

/** Every value in every table as text, for searching the database for plaintext. */
export async function allText(db: DatabaseSettings): Promise<string> {
  const dumps: string[] = [];
  for (const name of await tableNames(db)) dumps.push(JSON.stringify(await queryRows(db, `SELECT * FROM "${name}"`)));
  return dumps.join('\n');
}

/** Row counts of every table the hub created, the disclosure log's included. */
export async function allRowCounts(db: DatabaseSettings): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await tableNames(db)) out[name] = Number((await queryRows(db, `SELECT COUNT(*) AS n FROM "${name}"`))[0]?.n);
  return out;
}

/** The first disclosure entry of one delivery, as the log stored it. */
export async function disclosureEntry(db: DatabaseSettings, deliveryId: string): Promise<DisclosureEntry | undefined> {
  const rows = await queryRows(db, `SELECT entry FROM log_entries WHERE kind = 'disclosure' AND delivery_id = '${deliveryId.replace(/'/g, "''")}' ORDER BY seq LIMIT 1`);
  return rows[0] ? (JSON.parse(String(rows[0].entry)) as DisclosureEntry) : undefined;
}

/**
 * What a refused request must not add: messages, deliveries and disclosure records. Delivery events are
 * left out, because workers append them to earlier deliveries at any moment.
 */
export async function storedRows(db: DatabaseSettings): Promise<{ messages: number; deliveries: number; disclosures: number }> {
  const { messages = 0, deliveries = 0 } = await rowCounts(db);
  const [row] = await queryRows(db, "SELECT COUNT(*) AS n FROM log_entries WHERE kind = 'disclosure'");
  return { messages, deliveries, disclosures: Number(row?.n) };
}

/**
 * Appends disclosure entries as the store does (under the writer lock, numbered, salted and hashed, each
 * kept until its own retainUntil), over a connection of its own.
 */
export async function appendLogEntries(db: DatabaseSettings, entries: DisclosureLine[]): Promise<void> {
  const raw = db.kind === 'postgres' ? openPostgres({ url: db.url, poolSize: 1 }) : openSqlite(db.path);
  try {
    await raw.transaction((tx) => appendEntries(tx, entries.map((entry) => ({ retainUntil: entry.retainUntil, entries: [entry] }))), { exclusive: true });
  } finally {
    await raw.close();
  }
}

/**
 * A disclosure entry in the shape the log had before each delivery's manifest got an entry of its own:
 * the manifest inside, no digest. Made from a current entry and its manifest, for another delivery.
 */
export function preManifestEntry(current: DisclosureEntry, manifest: ManifestEntry, change: Partial<DisclosureEntry>): DisclosureLine {
  const { index: _index, manifestDigest: _digest, ...rest } = { ...current, ...change };
  return { ...rest, manifest: manifest.manifest } as unknown as DisclosureLine;
}
