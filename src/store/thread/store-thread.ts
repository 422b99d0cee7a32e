import { parentPort, workerData } from 'node:worker_threads';
import type { LogRow } from '../../disclosure-log/types.ts';
import { openSqlite } from '../dialects/sqlite.ts';
import { SqlStore } from '../sql-store.ts';
import { thrown } from './errors.ts';
import type { StoreReady, StoreReply, StoreRequest, StoreThreadData } from './protocol.ts';

// The store's thread: the embedded database, its group commits and their fsync, off the hub's event loop.
const { path } = workerData as StoreThreadData;
const port = parentPort!;
const iterations = new Map<number, AsyncIterator<LogRow>>();

async function page(store: SqlStore, iteration: number, size: number): Promise<{ rows: LogRow[]; done: boolean }> {
  let rows = iterations.get(iteration);
  if (size === 0) {
    iterations.delete(iteration);
    await rows?.return?.();
    return { rows: [], done: true };
  }
  if (!rows) iterations.set(iteration, (rows = store.log.rows()[Symbol.asyncIterator]()));
  const out: LogRow[] = [];
  while (out.length < size) {
    const next = await rows.next();
    if (next.done) {
      iterations.delete(iteration);
      return { rows: out, done: true };
    }
    out.push(next.value);
  }
  return { rows: out, done: false };
}

async function answer(store: SqlStore, request: StoreRequest): Promise<unknown> {
  switch (request.on) {
    case 'store':
      return Reflect.apply(store[request.method], store, request.args) as Promise<unknown>;
    case 'log':
      return Reflect.apply(store.log[request.method], store.log, request.args) as Promise<unknown>;
    case 'rows':
      return page(store, request.iteration, request.page);
    case 'close':
      return store.close();
  }
}

try {
  const store = await SqlStore.open(openSqlite(path));
  port.on('message', (request: StoreRequest) => {
    answer(store, request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies StoreReply),
      (err: unknown) => port.postMessage({ id: request.id, ok: false, error: thrown(err) } satisfies StoreReply),
    );
  });
  port.postMessage({ ready: true } satisfies StoreReady);
} catch (err) {
  port.postMessage({ ready: false, error: thrown(err) } satisfies StoreReady);
}
