import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the tests use; each test file makes databases of its own there and drops them. */
export const PG_URL = process.env.HUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function assertPgReachable(): Promise<void> {
  try {
    await withClient(PG_URL, (c) => c.query('SELECT 1'));
  } catch (err) {
    throw new Error(`The tests need a real PostgreSQL at ${PG_URL} (set HUB_TEST_PG_URL, or run bash .ci/run): ${(err as Error).message}`);
  }
}

export interface PgDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function urlOf(name: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs `fn` on one connection of its own to `url`, closed afterwards. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A uniquely named, empty database (or a copy of `template`, which must have no connections). */
export async function createPgDatabase(template?: string): Promise<PgDatabase> {
  const name = `aoh_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(PG_URL, (c) => c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  return {
    name,
    url: urlOf(name),
    drop: () => withClient(PG_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
