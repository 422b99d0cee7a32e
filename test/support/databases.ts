import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSettings } from '../../src/config/schema.ts';
import { openStore } from '../../src/store/open.ts';
import type { HubStore } from '../../src/store/types.ts';
import { createPgDatabase } from './pg.ts';

/** Both kinds of database the hub runs on: every store and log test runs on each. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
/** The store's own tests run on SQLite on its thread (the default) and on the event loop (`thread: false`) too. */
export const STORE_VARIANTS = ['sqlite', 'sqlite-event-loop', 'postgres'] as const;
export type Dialect = (typeof STORE_VARIANTS)[number];

export interface TestDatabase {
  settings: DatabaseSettings;
  open(): Promise<HubStore>;
  /** A copy to tamper with; every store on this database must be closed first. */
  copy(): Promise<TestDatabase>;
  remove(): Promise<void>;
}

/** The environment that points a hub process or `npm run log:verify` at a database. */
export function databaseEnv(settings: DatabaseSettings): Record<string, string> {
  return settings.kind === 'postgres' ? { HUB_DATABASE_URL: settings.url } : { HUB_DATABASE_PATH: settings.path };
}

function sqliteDatabase(path: string, dir: string, thread: boolean): TestDatabase {
  const settings = { kind: 'sqlite' as const, path, ...(thread ? {} : { thread }) };
  return {
    settings,
    open: () => openStore(settings),
    async copy() {
      const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
      return sqliteDatabase(copy, dir, thread);
    },
    async remove() {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    },
  };
}

async function postgresDatabase(template?: string): Promise<TestDatabase> {
  const db = await createPgDatabase(template);
  const settings = { kind: 'postgres' as const, url: db.url, poolSize: 4 };
  return {
    settings,
    open: () => openStore(settings),
    copy: () => postgresDatabase(db.name),
    remove: () => db.drop(),
  };
}

/** A new, empty database of one kind: a file in a temporary folder, or a uniquely named PostgreSQL database. */
export async function testDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'postgres') return postgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'aoh-db-'));
  const db = sqliteDatabase(join(dir, 'hub.db'), dir, dialect === 'sqlite');
  return { ...db, remove: async () => rmSync(dir, { recursive: true, force: true }) };
}
