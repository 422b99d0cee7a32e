import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../dialects/sqlite.ts';
import { SqlStore } from '../sql-store.ts';
import { thrown } from './errors.ts';
import type { StoreReady, StoreReply, StoreRequest, StoreThreadData } from './protocol.ts';

// The store's thread: the embedded database's writes, their group commits and fsync, off the hub's event loop.
const { path } = workerData as StoreThreadData;
const port = parentPort!;

function answer(store: SqlStore, request: StoreRequest): Promise<unknown> {
  switch (request.on) {
    case 'store':
      return Reflect.apply(store[request.method], store, request.args) as Promise<unknown>;
    case 'log':
      return Reflect.apply(store.log[request.method], store.log, request.args) as Promise<unknown>;
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
