import type { DatabaseSettings } from '../config/schema.ts';
import { openPostgres } from './dialects/postgres.ts';
import { openSqlite } from './dialects/sqlite.ts';
import { SqlStore } from './sql-store.ts';
import { ThreadedStore } from './thread/threaded-store.ts';
import type { HubStore } from './types.ts';

/** What the store tells its owner while it runs: trouble that it recovers from on its own. */
export interface StoreEvents {
  /** PostgreSQL: an idle connection in the pool failed (the pool replaces it). */
  onIdleError?: (err: Error) => void;
  /** SQLite on a thread: the thread stopped, the calls it held failed, and another took its place. */
  onThreadLost?: (reason: string) => void;
}

/** The store on the configured database, its schema migrated forward. */
export function openStore(settings: DatabaseSettings, events: StoreEvents = {}): Promise<HubStore> {
  if (settings.kind === 'postgres') return SqlStore.open(openPostgres({ url: settings.url, poolSize: settings.poolSize, ...(events.onIdleError ? { onIdleError: events.onIdleError } : {}) }));
  // An in-memory database is one connection's alone: it cannot be written on one thread and read on another.
  if (settings.thread === false || settings.path === ':memory:') return SqlStore.open(openSqlite(settings.path));
  return ThreadedStore.open(settings.path, events.onThreadLost ? { onLost: events.onThreadLost } : {});
}
