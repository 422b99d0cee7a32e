import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqlite } from '../../../../src/store/dialects/sqlite.ts';
import type { Database } from '../../../../src/store/sql.ts';

// Transactions asked for together share one COMMIT; each still succeeds or fails on its own.
describe('group commit in the SQLite dialect', () => {
  let dir: string;
  let db: Database;
  let observer: DatabaseSync;

  /** What another connection (another process, after a crash) can see: only committed rows. */
  const committed = () => (observer.prepare('SELECT name FROM t ORDER BY name').all() as { name: string }[]).map((r) => r.name);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aoh-group-commit-'));
    db = openSqlite(join(dir, 'hub.db'));
    await db.exec('CREATE TABLE t (name TEXT PRIMARY KEY)');
    observer = new DatabaseSync(join(dir, 'hub.db'));
  });

  afterEach(async () => {
    observer.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (name: string) => db.transaction(async (tx) => {
    await tx.run('INSERT INTO t (name) VALUES (?)', [name]);
    return name;
  });

  it('commits the others when one transaction of the group fails, and rolls back only that one', async () => {
    const results = await Promise.allSettled([
      insert('a'),
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (name) VALUES (?)', ['b']);
        await tx.run('INSERT INTO t (name) VALUES (?)', ['b2']);
        throw new Error('refused after writing');
      }),
      insert('c'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused after writing');
    expect(committed()).toEqual(['a', 'c']);
  });

  it('rolls back a transaction whose statement violates a key, as a unique violation, and keeps the rest', async () => {
    await insert('x');
    const results = await Promise.allSettled([insert('y'), insert('x'), insert('z')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.isUniqueViolation((results[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(committed()).toEqual(['x', 'y', 'z']);
  });

  it('answers no transaction of a group before the whole group is committed', async () => {
    const seenInside: string[][] = [];
    const seenOnSuccess: string[][] = [];
    await Promise.all(
      ['p', 'q', 'r'].map((name) =>
        db
          .transaction(async (tx) => {
            await tx.run('INSERT INTO t (name) VALUES (?)', [name]);
            seenInside.push(committed());
          })
          .then(() => seenOnSuccess.push(committed())),
      ),
    );
    // While they ran, nothing was committed; each caller heard of success only with every row durable.
    expect(seenInside).toEqual([[], [], []]);
    expect(seenOnSuccess).toEqual([['p', 'q', 'r'], ['p', 'q', 'r'], ['p', 'q', 'r']]);
  });

  it('runs transactions asked for later in a group of their own, after the earlier group', async () => {
    const first = insert('m');
    const later = new Promise<string>((resolve, reject) => setTimeout(() => insert('n').then(resolve, reject), 20));
    expect(await first).toBe('m');
    expect(await later).toBe('n');
    expect(committed()).toEqual(['m', 'n']);
  });

  it('keeps each savepoint\'s journal in memory, not in a temporary file', async () => {
    // SQLite's temporary files are named etilqs_*; the process's open files show them, deleted or not.
    const tempFiles = () => readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    }).filter((target) => target.includes('etilqs_'));
    await db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
    await db.transaction(async (tx) => {
      for (let id = 0; id < 200; id++) await tx.run('INSERT INTO notes (id, text) VALUES (?, ?)', [id, 'x'.repeat(1000)]);
    });
    // Each member of one group changes every page, and its savepoint journals them all: far more than
    // the 64 KiB SQLite keeps in memory before it spills to a file (closed again when the transaction ends).
    const seen: string[][] = [];
    const touchAll = (mark: string) =>
      db.transaction(async (tx) => {
        const changed = await tx.run('UPDATE notes SET text = ? || substr(text, 2)', [mark]);
        seen.push(tempFiles());
        return changed;
      });
    expect(await Promise.all(['a', 'b', 'c'].map(touchAll))).toEqual([200, 200, 200]);
    expect(observer.prepare("SELECT COUNT(*) AS n FROM notes WHERE text LIKE 'c%'").get()).toEqual({ n: 200 });
    expect(seen).toEqual([[], [], []]);
  });

  it('copies a commit of megabytes from the WAL into the file once its callers have their answer, and leaves small ones to SQLite', async () => {
    await db.exec('CREATE TABLE blobs (b BLOB)');
    const fileSize = () => statSync(join(dir, 'hub.db')).size;
    const before = fileSize();
    await db.transaction((tx) => tx.run('INSERT INTO blobs (b) VALUES (?)', [randomBytes(1000)]));
    await sleep(50);
    expect(fileSize()).toBe(before);
    await db.transaction((tx) => tx.run('INSERT INTO blobs (b) VALUES (?)', [randomBytes(5 * 1024 ** 2)]));
    // Answered before the copy: the COMMIT did not wait for it.
    expect(fileSize()).toBe(before);
    await vi.waitFor(() => expect(fileSize()).toBeGreaterThan(5 * 1024 ** 2), { timeout: 2000 });
  });
});
