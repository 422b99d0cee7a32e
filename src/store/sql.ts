/** Bytes are the ciphertext: a BLOB in SQLite, `bytea` in PostgreSQL. */
export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;

/**
 * A connection, or a transaction on one. The store writes its SQL once, with `?` placeholders (never a
 * `?` inside a literal); each dialect translates them for its driver.
 */
export interface Sql {
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  get(sql: string, params?: SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement and answers how many rows it changed. */
  run(sql: string, params?: SqlValue[]): Promise<number>;
  /** Runs a script of statements without parameters: the migrations. */
  exec(script: string): Promise<void>;
}

export type DatabaseKind = 'sqlite' | 'postgres';

/** One database behind the store: how to reach it, and what differs per dialect. */
export interface Database extends Sql {
  readonly kind: DatabaseKind;
  /** The dialect's schema, in order; migration n (1-based) is recorded as version n. */
  readonly migrations: readonly string[];
  /**
   * The database's current time as SQL, giving text like JS `toISOString()`: the log's purge reads the
   * same clock as the trigger that checks it, whatever the hub's own clock says.
   */
  readonly clock: string;
  /**
   * Runs `fn` in one transaction. An `exclusive` one also holds the database's single writer lock, so
   * that every instance appends to the disclosure log in one order and checks-then-writes atomically.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>, options?: { exclusive?: boolean }): Promise<T>;
  /** A unique or primary key was violated: the dialect's error code, mapped to the store's typed errors. */
  isUniqueViolation(err: unknown): boolean;
  close(): Promise<void>;
}

export function str(row: Row, key: string): string {
  return String(row[key]);
}

/** A column of bytes as a Buffer over the same memory; text that a hub before bytes stored is encoded. */
export function bytes(row: Row, key: string): Buffer {
  const value = row[key];
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(String(value), 'utf8');
}

// Well below both dialects' limits on parameters in one statement (SQLite 32766, PostgreSQL 65535).
const ROWS_PER_INSERT = 200;

/** Inserts rows with as few statements (round trips, in PostgreSQL) as the parameter limits allow. */
export async function insertRows(tx: Sql, table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
  const row = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => row).join(', ')}`, chunk.flat());
  }
}

/** Applies the dialect's pending migrations, under the writer lock so that two instances starting together take turns. */
export async function migrate(db: Database, now = () => new Date().toISOString()): Promise<void> {
  await db.transaction(
    async (tx) => {
      await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const current = Number((await tx.get('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations'))?.v ?? 0);
      if (current > db.migrations.length) {
        throw new Error(`the ${db.kind} database has schema version ${current}, newer than this hub's ${db.migrations.length}: upgrade the hub`);
      }
      for (let v = current; v < db.migrations.length; v++) {
        await tx.exec(db.migrations[v]!);
        await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [v + 1, now()]);
      }
    },
    { exclusive: true },
  );
}
