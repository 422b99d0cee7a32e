import type { DatabaseSettings } from '../config/schema.ts';
import { openPostgres } from './dialects/postgres.ts';
import { openSqlite } from './dialects/sqlite.ts';
import { SqlStore } from './sql-store.ts';

/** The store on the configured database, its schema migrated forward. */
export function openStore(settings: DatabaseSettings, onIdleError?: (err: Error) => void): Promise<SqlStore> {
  const db = settings.kind === 'postgres' ? openPostgres({ url: settings.url, poolSize: settings.poolSize, ...(onIdleError ? { onIdleError } : {}) }) : openSqlite(settings.path);
  return SqlStore.open(db);
}
