import { Worker } from 'node:worker_threads';
import type { DisclosureLogStore, LogRow } from '../../disclosure-log/types.ts';
import { heapOf, type ThreadHeap } from '../../observability/thread-heap.ts';
import { openSqlite } from '../dialects/sqlite.ts';
import { SqlStore } from '../sql-store.ts';
import type { HubStore } from '../types.ts';
import { rebuilt } from './errors.ts';
import type { LogWrite, StoreReady, StoreReply, StoreRequest, StoreThreadData, StoreWrite } from './protocol.ts';

type Request = StoreRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface ThreadedStoreOptions {
  /** Starts the thread on the file; tests pass their own to reach it. */
  spawn?: (path: string) => Worker;
  /** Told when a thread that was serving stopped and another was started in its place. */
  onLost?: (reason: string) => void;
}

interface Thread {
  worker: Worker;
  /** Settles when the thread has opened the store and migrated its schema, or could not. */
  ready: Promise<void>;
  pending: Map<number, { resolve(value: unknown): void; reject(err: Error): void }>;
  stopped: Error | undefined;
}

/** The thread's name, as the OS shows it (`/proc/<pid>/task/<tid>/comm`): the bench counts its CPU apart by it. */
export const STORE_THREAD_NAME = 'StoreThread';

export const spawnStoreThread = (path: string) => new Worker(new URL('./store-thread.ts', import.meta.url), { name: STORE_THREAD_NAME, workerData: { path } satisfies StoreThreadData });

/** How long closing waits for the thread to close the file before it stops the thread. */
const CLOSE_WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Why the thread stopped: its uncaught error if it had one, else its exit code. */
function stopped(thread: Thread, code: number): Error {
  return (thread.stopped ??= new Error(`the store's thread stopped (exit code ${code})`));
}

/**
 * The embedded database written on a thread of its own, behind the same interface: each call that
 * writes is one message there and one back, and the thread runs the whole transaction (its group
 * commit and fsync included), so that the database no longer holds the event loop that serves HTTP
 * and the queues. Reads run on a read-only connection here: in WAL mode they see every commit without
 * waiting for the one in progress, and need no crossing. A thread that stops fails the calls it held
 * (a submission then answers 500 and its sender retries) and is replaced, as a crypto worker is.
 */
export class ThreadedStore implements HubStore {
  private readonly path: string;
  private readonly spawn: (path: string) => Worker;
  private readonly onLost: (reason: string) => void;
  private thread: Thread;
  /** The read-only connection, opened once the thread has migrated the file. */
  private reader: SqlStore | undefined;
  private nextId = 1;
  private closed = false;

  private constructor(path: string, options: ThreadedStoreOptions) {
    this.path = path;
    this.spawn = options.spawn ?? spawnStoreThread;
    this.onLost = options.onLost ?? (() => undefined);
    this.thread = this.start();
  }

  /** Starts the thread and waits until its store is open; fails as opening the store itself would. */
  static async open(path: string, options: ThreadedStoreOptions = {}): Promise<ThreadedStore> {
    const store = new ThreadedStore(path, options);
    try {
      await store.thread.ready;
      store.reader = SqlStore.reading(openSqlite(path, { readOnly: true }));
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }

  private start(): Thread {
    const worker = this.spawn(this.path);
    const thread: Thread = { worker, ready: Promise.resolve(), pending: new Map(), stopped: undefined };
    let served = false;
    thread.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (ready: StoreReady) => {
        if (!ready.ready) return reject(rebuilt(ready.error));
        served = true;
        worker.on('message', (reply: StoreReply) => this.answered(thread, reply));
        resolve();
      });
      worker.once('exit', (code) => reject(stopped(thread, code)));
    });
    thread.ready.catch(() => worker.terminate());
    worker.on('error', (err: unknown) => (thread.stopped ??= err instanceof Error ? err : new Error(String(err))));
    worker.on('exit', (code) => {
      const err = stopped(thread, code);
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
      // One that never opened the store is not restarted: it would only fail again, in a loop.
      if (this.closed || !served) return;
      this.onLost(err.message);
      this.thread = this.start();
    });
    return thread;
  }

  private answered(thread: Thread, reply: StoreReply): void {
    const pending = thread.pending.get(reply.id);
    thread.pending.delete(reply.id);
    if (reply.ok) pending?.resolve(reply.value);
    else pending?.reject(rebuilt(reply.error));
  }

  private async request(request: Request): Promise<unknown> {
    if (this.closed) throw new Error('the store is closed');
    const thread = this.thread;
    await thread.ready;
    if (thread.stopped) throw thread.stopped;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...request, id } as StoreRequest);
    });
  }

  private write<M extends StoreWrite>(method: M): HubStore[M] {
    return ((...args: unknown[]) => this.request({ on: 'store', method, args })) as HubStore[M];
  }

  private writeLog<M extends LogWrite>(method: M): DisclosureLogStore[M] {
    return ((...args: unknown[]) => this.request({ on: 'log', method, args })) as DisclosureLogStore[M];
  }

  /** The read-only connection; `open` returns the store only once it is there. */
  private get reading(): SqlStore {
    if (!this.reader) throw new Error('the store is closed');
    return this.reader;
  }

  private read<M extends Exclude<keyof HubStore, StoreWrite | 'log' | 'close' | 'threadHeap'>>(method: M): HubStore[M] {
    return (async (...args: unknown[]) => {
      const store = this.reading;
      return Reflect.apply(store[method], store, args);
    }) as HubStore[M];
  }

  private readLog<M extends Exclude<keyof DisclosureLogStore, LogWrite>>(method: M): DisclosureLogStore[M] {
    return (async (...args: unknown[]) => {
      const log = this.reading.log;
      return Reflect.apply(log[method], log, args);
    }) as DisclosureLogStore[M];
  }

  readonly saveOutbox = this.write('saveOutbox');
  readonly purgeReceivedCiphertext = this.write('purgeReceivedCiphertext');
  readonly appendEvent = this.write('appendEvent');
  readonly appendEventOnce = this.write('appendEventOnce');
  readonly addPolicyVersion = this.write('addPolicyVersion');
  readonly findMessage = this.read('findMessage');
  readonly getDelivery = this.read('getDelivery');
  readonly deliveriesWithStatus = this.read('deliveriesWithStatus');
  readonly deadByRecipient = this.read('deadByRecipient');
  readonly listInbox = this.read('listInbox');
  readonly pendingDeliveries = this.read('pendingDeliveries');
  readonly policyVersions = this.read('policyVersions');
  readonly disclosuresFor = this.read('disclosuresFor');

  /** Ready when both connections answer: the thread's, which writes, and the one that reads. */
  async ping(): Promise<boolean> {
    const thread = await (this.write('ping')() as Promise<boolean>).catch(() => false);
    return thread && (await this.reader?.ping()) === true;
  }

  readonly log: DisclosureLogStore = {
    rows: () => this.rows(),
    leafHashes: this.readLog('leafHashes'),
    size: this.readLog('size'),
    entriesOfDelivery: this.readLog('entriesOfDelivery'),
    entryAt: this.readLog('entryAt'),
    search: this.readLog('search'),
    stats: this.readLog('stats'),
    checkpoints: this.readLog('checkpoints'),
    informing: this.readLog('informing'),
    auditTrail: this.readLog('auditTrail'),
    addCheckpoint: this.writeLog('addCheckpoint'),
    purgeExpired: this.writeLog('purgeExpired'),
    audit: this.writeLog('audit'),
  };

  private async *rows(): AsyncGenerator<LogRow> {
    yield* this.reading.log.rows();
  }

  threadHeap(): Promise<ThreadHeap> {
    return heapOf(this.thread.worker);
  }

  /** Closes both connections; a thread that does not answer within a few seconds is stopped regardless. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.reader?.close();
    this.reader = undefined;
    const thread = this.thread;
    const ready = await thread.ready.then(() => true, () => false);
    if (ready && !thread.stopped) await Promise.race([this.request({ on: 'close' }).catch(() => undefined), sleep(CLOSE_WAIT_MS)]);
    this.closed = true;
    await thread.worker.terminate();
  }
}
