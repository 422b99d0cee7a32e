import pg from 'pg';
import type { Database, Row, Sql, SqlValue } from '../sql.ts';
import { addRetainUntil, deliveryTables, logEntriesTable, openDeliveriesTable, PURGE_AFTER_RETENTION_MESSAGE, purgeAfterRetention, PURGE_ONLY, PURGE_ONLY_MESSAGE, PURGE_RECEIVED_ONLY, PURGE_RECEIVED_ONLY_MESSAGE, separateCiphertexts } from './shared-ddl.ts';

/** A time as the text JS `toISOString()` writes (UTC, milliseconds), which compares as the time it is. */
const isoUtc = (time: string) => `to_char((${time}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** The transaction's start: one time for the purge and for every row its trigger checks. */
const CLOCK = isoUtc('now()');

/** A row trigger's function that lets an UPDATE (or, returning OLD, a DELETE) through only when `condition` is true. */
const allowOnly = (create: 'CREATE' | 'CREATE OR REPLACE', name: string, condition: string, refusal: string, row: 'NEW' | 'OLD' = 'NEW') => `${create} FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF ${condition} THEN
       RETURN ${row};
     END IF;
     RAISE EXCEPTION '${refusal}' USING ERRCODE = 'insufficient_privilege';
   END $$;`;

// The same tables as the SQLite file after its migrations. Append-only tables refuse UPDATE, DELETE and
// TRUNCATE in triggers; log_entries allows exactly one UPDATE, the retention purge, and delivery_ciphertexts
// one DELETE, the purge of what was received (as in SQLite).
const MIGRATIONS = [
  `CREATE FUNCTION aoh_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'insufficient_privilege'; END $$;
   CREATE TABLE messages (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     sender TEXT NOT NULL, message_id TEXT NOT NULL, type TEXT NOT NULL, purpose TEXT NOT NULL,
     case_ref TEXT NOT NULL, created_at TEXT NOT NULL, received_at TEXT NOT NULL, content_digest TEXT NOT NULL,
     refused TEXT NOT NULL, meeting TEXT,
     UNIQUE (sender, message_id));
   ${deliveryTables('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')}
   CREATE TRIGGER delivery_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON delivery_events
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('delivery events are append-only');
   CREATE TABLE policy_versions (
     policy_id TEXT NOT NULL, version INTEGER NOT NULL, document TEXT NOT NULL,
     author TEXT NOT NULL, published_at TEXT NOT NULL, comment TEXT,
     PRIMARY KEY (policy_id, version));
   CREATE TRIGGER policy_versions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON policy_versions
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('policy versions are append-only');
   ${logEntriesTable('BIGINT')}
   CREATE INDEX log_disclosures_by_time ON log_entries (occurred_at) WHERE kind = 'disclosure';
   ${allowOnly('CREATE', 'log_entries_purge_only', PURGE_ONLY, PURGE_ONLY_MESSAGE)}
   CREATE TRIGGER log_entries_purge_only BEFORE UPDATE ON log_entries FOR EACH ROW EXECUTE FUNCTION log_entries_purge_only();
   CREATE TRIGGER log_entries_no_delete BEFORE DELETE OR TRUNCATE ON log_entries
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('the disclosure log is append-only');
   CREATE TABLE log_checkpoints (
     tree_size BIGINT PRIMARY KEY, root_hash TEXT NOT NULL, signed_at TEXT NOT NULL, statement TEXT NOT NULL, signature TEXT NOT NULL);
   CREATE TRIGGER log_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON log_checkpoints
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('checkpoints are append-only');
   CREATE TABLE informing (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     case_ref TEXT NOT NULL, subject_bsn TEXT, subject_name_dob TEXT, role TEXT NOT NULL, status TEXT NOT NULL,
     informed_by TEXT, informed_on TEXT, reason_given INTEGER NOT NULL, review_date TEXT, message_id TEXT NOT NULL, recorded_at TEXT NOT NULL);
   CREATE INDEX informing_by_case ON informing (case_ref);
   CREATE TABLE privacy_audit (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     officer TEXT NOT NULL, action TEXT NOT NULL, query TEXT NOT NULL, results INTEGER NOT NULL, at TEXT NOT NULL);
   CREATE TRIGGER privacy_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON privacy_audit
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('the audit trail is append-only');`,
  // Retention per entry: the purge only after an entry's retain_until, by the database's clock.
  `DROP TRIGGER log_entries_purge_only ON log_entries;
   ${addRetainUntil(isoUtc("(entry::jsonb->>'retainUntil')::timestamptz"))}
   ${allowOnly('CREATE OR REPLACE', 'log_entries_purge_only', purgeAfterRetention(CLOCK), PURGE_AFTER_RETENTION_MESSAGE)}
   CREATE TRIGGER log_entries_purge_only BEFORE UPDATE ON log_entries FOR EACH ROW EXECUTE FUNCTION log_entries_purge_only();`,
  // The ciphertext as the bytes the hub seals, pushes and serves, with no text conversion on the way.
  `ALTER TABLE deliveries ALTER COLUMN ciphertext TYPE bytea USING convert_to(ciphertext, 'UTF8');`,
  openDeliveriesTable,
  // Received ciphertext may be purged: deliveries become append-only, their ciphertexts deleted only by the purge.
  separateCiphertexts(
    'bytea',
    `CREATE TRIGGER deliveries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON deliveries
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('deliveries are append-only');
   CREATE TRIGGER delivery_ciphertexts_no_update BEFORE UPDATE OR TRUNCATE ON delivery_ciphertexts
     FOR EACH STATEMENT EXECUTE FUNCTION aoh_refuse('ciphertexts are never changed');
   ${allowOnly('CREATE', 'delivery_ciphertexts_purge_only', PURGE_RECEIVED_ONLY, PURGE_RECEIVED_ONLY_MESSAGE, 'OLD')}
   CREATE TRIGGER delivery_ciphertexts_purge_only BEFORE DELETE ON delivery_ciphertexts FOR EACH ROW EXECUTE FUNCTION delivery_ciphertexts_purge_only();`,
  ),
];

/** The advisory lock every instance takes before appending to the log: one order, one sequence. */
const WRITER_LOCK = 0x616f68; // "aoh"
const UNIQUE_VIOLATION = '23505';
const INT8 = 20;

// Sequence numbers and counts are BIGINT, which pg hands over as strings; they stay far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser,
};

const numbered = new Map<string, string>();
/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
function placeholders(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, out);
  }
  return out;
}

function over(target: pg.Pool | pg.PoolClient): Sql {
  const query = async (sql: string, params: SqlValue[] = []) => target.query(placeholders(sql), params);
  return {
    all: async (sql, params) => (await query(sql, params)).rows as Row[],
    get: async (sql, params) => (await query(sql, params)).rows[0] as Row | undefined,
    run: async (sql, params) => (await query(sql, params)).rowCount ?? 0,
    exec: async (script) => void (await target.query(script)),
  };
}

export interface PostgresSettings {
  url: string;
  poolSize: number;
  /** An idle pooled connection failed (the server restarted, say); the pool replaces it on the next query. */
  onIdleError?: (err: Error) => void;
}

/** PostgreSQL: a pool of connections, shared by every hub instance that points at the same database. */
export function openPostgres(settings: PostgresSettings): Database {
  // A server that does not answer fails the request (and /readyz) instead of holding it forever.
  const pool = new pg.Pool({ connectionString: settings.url, max: settings.poolSize, types, connectionTimeoutMillis: 10_000 });
  pool.on('error', (err) => settings.onIdleError?.(err));
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    migrations: MIGRATIONS,
    clock: CLOCK,
    ...over(pool),
    async transaction(fn, options) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (options?.exclusive) await client.query('SELECT pg_advisory_xact_lock($1)', [WRITER_LOCK]);
        const result = await fn(over(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        await client.query('ROLLBACK').then(
          () => client.release(),
          (broken: Error) => client.release(broken),
        );
        throw err;
      }
    },
    isUniqueViolation: (err) => (err as { code?: string }).code === UNIQUE_VIOLATION,
    close: () => (closed ??= pool.end()),
  };
}
