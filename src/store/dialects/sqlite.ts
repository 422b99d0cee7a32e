import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Database, Row, Sql, SqlValue } from '../sql.ts';
import { addRetainUntil, deliveryTables, logEntriesTable, openDeliveriesTable, PURGE_AFTER_RETENTION_MESSAGE, purgeAfterRetention, PURGE_ONLY, PURGE_ONLY_MESSAGE, PURGE_RECEIVED_ONLY, PURGE_RECEIVED_ONLY_MESSAGE, separateCiphertexts } from './shared-ddl.ts';

/** A time as the text JS `toISOString()` writes (UTC, milliseconds), which compares as the time it is. */
const isoUtc = (time: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${time})`;
const CLOCK = isoUtc("'now'");

// The schema as it grew; a file made by an earlier hub is migrated forward from where it stands.
const MIGRATIONS = [
  `CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     sender TEXT NOT NULL, message_id TEXT NOT NULL, type TEXT NOT NULL, purpose TEXT NOT NULL,
     case_ref TEXT NOT NULL, created_at TEXT NOT NULL, received_at TEXT NOT NULL, content_digest TEXT NOT NULL,
     refused TEXT NOT NULL,
     UNIQUE (sender, message_id));
   ${deliveryTables('INTEGER PRIMARY KEY AUTOINCREMENT')}
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
  // The disclosure log. UPDATE is allowed only as the purge, DELETE never.
  `${logEntriesTable('INTEGER')}
   CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only'); END;
   CREATE TRIGGER log_entries_purge_only BEFORE UPDATE ON log_entries WHEN NOT (${PURGE_ONLY})
     BEGIN SELECT RAISE(ABORT, '${PURGE_ONLY_MESSAGE}'); END;
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
   CREATE TRIGGER privacy_audit_no_delete BEFORE DELETE ON privacy_audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;`,
  // The per-delivery disclosure records live on in the log's entries (which hold all they held), so the
  // duplicate table goes; its triggers go with it. A file from before the log has records nowhere else:
  // the guard stops the migration (and start-up) rather than lose them. The statistics read the log by time.
  `CREATE TEMP TABLE migration_guard (missing INTEGER CONSTRAINT disclosures_missing_from_the_log CHECK (missing = 0));
   INSERT INTO migration_guard SELECT COUNT(*) FROM disclosures d WHERE NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.delivery_id = d.delivery_id);
   DROP TABLE migration_guard;
   DROP TABLE disclosures;
   CREATE INDEX log_disclosures_by_time ON log_entries (occurred_at) WHERE kind = 'disclosure';`,
  // Retention per entry: the purge only after an entry's retain_until, by the database's clock. A WHEN
  // that is NULL would let the UPDATE through, so the trigger fires unless the rule is plainly true.
  `DROP TRIGGER log_entries_purge_only;
   ${addRetainUntil(isoUtc("json_extract(entry, '$.retainUntil')"))}
   CREATE TRIGGER log_entries_purge_only BEFORE UPDATE ON log_entries WHEN (${purgeAfterRetention(CLOCK)}) IS NOT 1
     BEGIN SELECT RAISE(ABORT, '${PURGE_AFTER_RETENTION_MESSAGE}'); END;`,
  openDeliveriesTable,
  // Received ciphertext may be purged: deliveries become append-only, their ciphertexts deleted only by the purge.
  separateCiphertexts(
    'BLOB',
    `CREATE TRIGGER deliveries_append_only_update BEFORE UPDATE ON deliveries BEGIN SELECT RAISE(ABORT, 'deliveries are append-only'); END;
   CREATE TRIGGER deliveries_append_only_delete BEFORE DELETE ON deliveries BEGIN SELECT RAISE(ABORT, 'deliveries are append-only'); END;
   CREATE TRIGGER delivery_ciphertexts_no_update BEFORE UPDATE ON delivery_ciphertexts BEGIN SELECT RAISE(ABORT, 'ciphertexts are never changed'); END;
   CREATE TRIGGER delivery_ciphertexts_purge_only BEFORE DELETE ON delivery_ciphertexts WHEN (${PURGE_RECEIVED_ONLY}) IS NOT 1
     BEGIN SELECT RAISE(ABORT, '${PURGE_RECEIVED_ONLY_MESSAGE}'); END;`,
  ),
];

const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

/** Async callers take turns on the one synchronous connection: no statement of one runs inside another's transaction. */
class Turns {
  private tail: Promise<unknown> = Promise.resolve();

  take<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

class Connection implements Sql {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** Bytes bound to statements since the last checkpoint: about what the WAL grew by, where ciphertexts dominate. */
  boundBytes = 0;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  private statement(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async all(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    return this.statement(sql).all(...params) as Row[];
  }

  async get(sql: string, params: SqlValue[] = []): Promise<Row | undefined> {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  async run(sql: string, params: SqlValue[] = []): Promise<number> {
    for (const p of params) this.boundBytes += typeof p === 'string' ? p.length : p instanceof Uint8Array ? p.byteLength : 0;
    return Number(this.statement(sql).run(...params).changes);
  }

  async exec(script: string): Promise<void> {
    this.db.exec(script);
  }
}

interface Member {
  fn: (tx: Sql) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * Group commit: the transactions asked for in the same event-loop turn (and those asked for while the
 * previous group was being written) share one BEGIN IMMEDIATE … COMMIT, so one fsync makes them all
 * durable instead of one each. Each runs in a SAVEPOINT of its own: one that fails rolls back alone.
 * No caller hears success before the shared COMMIT has returned.
 */
class GroupCommit {
  private readonly db: DatabaseSync;
  private readonly connection: Connection;
  private readonly turns: Turns;
  private pending: Member[] = [];

  constructor(db: DatabaseSync, connection: Connection, turns: Turns) {
    this.db = db;
    this.connection = connection;
    this.turns = turns;
  }

  add<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.schedule();
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    // IMMEDIATE takes the file's write lock at once, which also orders writers in other processes.
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      for (const m of group) m.reject(err);
      return;
    }
    const done: { member: Member; value: unknown }[] = [];
    for (const member of group) {
      this.db.exec('SAVEPOINT member');
      try {
        const value = await member.fn(this.connection);
        this.db.exec('RELEASE member');
        done.push({ member, value });
      } catch (err) {
        member.reject(err);
        // Some errors (I/O, a full disk) end the whole transaction: then no other member's work survives either.
        if (!this.db.isTransaction) return this.abandon(done.map((d) => d.member), group.slice(group.indexOf(member) + 1), err);
        this.db.exec('ROLLBACK TO member');
        this.db.exec('RELEASE member');
      }
    }
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      for (const d of done) d.member.reject(err);
      return;
    }
    for (const d of done) d.member.resolve(d.value);
    if (this.connection.boundBytes >= CHECKPOINT_AFTER_BYTES) this.checkpointSoon();
  }

  /**
   * Copies the WAL into the database file after the group has its answer, where SQLite's own checkpoint
   * (at 1,000 pages, which stays as the backstop) runs inside a COMMIT and its callers wait for it.
   */
  private checkpointSoon(): void {
    this.connection.boundBytes = 0;
    setImmediate(() =>
      void this.turns.take(() => {
        // A checkpoint that fails leaves the WAL as it was: the next one, or the backstop, copies it.
        if (this.db.isOpen && !this.db.isTransaction) this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
      }).catch(() => undefined),
    );
  }

  /** The transaction ended under the group: what ran is lost and what waits gets a transaction of its own. */
  private abandon(lost: Member[], waiting: Member[], err: unknown): void {
    for (const m of lost) m.reject(err);
    if (waiting.length === 0) return;
    this.schedule();
    this.pending.unshift(...waiting);
  }

  private schedule(): void {
    // setImmediate, not a microtask: I/O callbacks of this turn (other requests' writes) still join.
    if (this.pending.length === 0) setImmediate(() => void this.turns.take(() => this.flush()));
  }
}

/**
 * Pages of 16 KiB (for a new file; an existing one keeps its size): a ciphertext of megabytes is a chain
 * of overflow pages, each a WAL frame of its own, and at 4 KiB writing 2.7 MB took 46 ms (38 ms of CPU)
 * against 11 ms; small transactions were no slower.
 */
const PAGE_SIZE = 'PRAGMA page_size = 16384;';

/**
 * How much a group commit may add to the WAL (counted as the bytes of the values it binds) before a
 * checkpoint follows it: at 1 MB × 3 recipients every message's (7.8 MB), so that no COMMIT copies the
 * two before it (which added 14 ms to every other message's save). Small messages still go by SQLite's
 * own checkpoint every 1,000 pages, since their index pages, not their values, are most of the WAL.
 */
const CHECKPOINT_AFTER_BYTES = 4 * 1024 ** 2;

/**
 * A 64 MiB page cache keeps what was just written in memory: reading 2.7 MB back took 0.75 ms against
 * 12 ms through the WAL file in one measurement, but in others filling the fresh buffer alone took 5–8
 * ms, so a first push takes the outbox's copy instead. Temporary storage in memory: each group member's
 * SAVEPOINT copies every page it changes to a journal, which was otherwise a temporary file: 77 MB
 * written there in 5 s at 64 kB × 3 recipients, more than to the WAL (62 MB), for pages that are thrown
 * away at the member's RELEASE.
 */
const STORAGE_SETTINGS = 'PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;';

/**
 * The embedded database: one file, written with full synchronisation so that a `202` survives a crash.
 * A read-only connection (beside the one that writes, on another thread) reads what was committed; it
 * needs the file to exist in WAL mode already.
 */
export function openSqlite(path: string, options: { readOnly?: boolean } = {}): Database {
  if (path !== ':memory:' && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
  const writing = options.readOnly ? '' : `${PAGE_SIZE} PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;`;
  db.exec(`${writing} ${STORAGE_SETTINGS} PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`);
  const connection = new Connection(db);
  const turns = new Turns();
  const commits = new GroupCommit(db, connection, turns);
  return {
    kind: 'sqlite',
    migrations: MIGRATIONS,
    clock: CLOCK,
    all: (sql, params) => turns.take(() => connection.all(sql, params)),
    get: (sql, params) => turns.take(() => connection.get(sql, params)),
    run: (sql, params) => turns.take(() => connection.run(sql, params)),
    exec: (script) => turns.take(() => connection.exec(script)),
    transaction: (fn) => commits.add(fn),
    isUniqueViolation: (err) => {
      const code = (err as { errcode?: number }).errcode;
      return code === SQLITE_CONSTRAINT_UNIQUE || code === SQLITE_CONSTRAINT_PRIMARYKEY;
    },
    close: () => turns.take(() => (db.isOpen ? db.close() : undefined)),
  };
}
