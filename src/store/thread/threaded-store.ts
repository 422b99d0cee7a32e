import { Worker } from 'node:worker_threads';
import type { DisclosureLogStore, LogRow } from '../../disclosure-log/types.ts';
import type { HubStore, StoredDelivery } from '../types.ts';
import { rebuilt } from './errors.ts';
import type { LogMethod, StoreMethod, StoreReady, StoreReply, StoreRequest, StoreThreadData } from './protocol.ts';

type Request = StoreRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

const ROWS_PER_PAGE = 1000;

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

/** Why the thread stopped: its uncaught error if it had one, else its exit code. */
function stopped(thread: Thread, code: number): Error {
  return (thread.stopped ??= new Error(`the store's thread stopped (exit code ${code})`));
}

/** Bytes come back from the thread as plain Uint8Arrays; callers get Buffers over the same memory, as from the store itself. */
function asBuffers(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(asBuffers);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = asBuffers(v);
  }
  return value;
}

/**
 * The embedded database on a thread of its own, behind the same interface: each store call is one
 * message there and one back, and the thread runs the whole transaction (its group commit and fsync
 * included), so that the database no longer holds the event loop that serves HTTP and the queues.
 * A thread that stops fails the calls it held (a submission then answers 500 and its sender retries)
 * and is replaced, as a crypto worker is.
 */
export class ThreadedStore implements HubStore {
  private readonly path: string;
  private readonly spawn: (path: string) => Worker;
  private readonly onLost: (reason: string) => void;
  private thread: Thread;
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
    if (reply.ok) pending?.resolve(asBuffers(reply.value));
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

  private forward<M extends StoreMethod>(method: M): HubStore[M] {
    return ((...args: unknown[]) => this.request({ on: 'store', method, args })) as HubStore[M];
  }

  private forwardLog<M extends LogMethod>(method: M): DisclosureLogStore[M] {
    return ((...args: unknown[]) => this.request({ on: 'log', method, args })) as DisclosureLogStore[M];
  }

  readonly saveOutbox = this.forward('saveOutbox');
  readonly findMessage = this.forward('findMessage');
  readonly purgeReceivedCiphertext = this.forward('purgeReceivedCiphertext');
  readonly deliveriesWithStatus = this.forward('deliveriesWithStatus');
  readonly deadByRecipient = this.forward('deadByRecipient');
  readonly appendEvent = this.forward('appendEvent');
  readonly appendEventOnce = this.forward('appendEventOnce');
  readonly listInbox = this.forward('listInbox');
  readonly pendingDeliveries = this.forward('pendingDeliveries');
  readonly policyVersions = this.forward('policyVersions');
  readonly addPolicyVersion = this.forward('addPolicyVersion');
  readonly disclosuresFor = this.forward('disclosuresFor');

  /** The ciphertext the caller already holds does not cross: the thread reads the row without it. */
  async getDelivery(deliveryId: string, ciphertext?: Uint8Array): Promise<StoredDelivery | undefined> {
    const stored = (await this.request({ on: 'store', method: 'getDelivery', args: [deliveryId, ciphertext ? new Uint8Array(0) : undefined] })) as StoredDelivery | undefined;
    return stored && ciphertext ? { ...stored, ciphertext } : stored;
  }

  async threadHeap(): Promise<{ usedBytes: number; totalBytes: number }> {
    const heap = await this.thread.worker.getHeapStatistics();
    return { usedBytes: heap.used_heap_size, totalBytes: heap.total_heap_size };
  }

  async ping(): Promise<boolean> {
    return (this.request({ on: 'store', method: 'ping', args: [] }) as Promise<boolean>).catch(() => false);
  }

  readonly log: DisclosureLogStore = {
    rows: () => this.rows(),
    leafHashes: this.forwardLog('leafHashes'),
    size: this.forwardLog('size'),
    entriesOfDelivery: this.forwardLog('entriesOfDelivery'),
    entryAt: this.forwardLog('entryAt'),
    search: this.forwardLog('search'),
    stats: this.forwardLog('stats'),
    addCheckpoint: this.forwardLog('addCheckpoint'),
    checkpoints: this.forwardLog('checkpoints'),
    purgeExpired: this.forwardLog('purgeExpired'),
    informing: this.forwardLog('informing'),
    audit: this.forwardLog('audit'),
    auditTrail: this.forwardLog('auditTrail'),
  };

  private async *rows(): AsyncGenerator<LogRow> {
    const iteration = this.nextId++;
    let done = false;
    try {
      while (!done) {
        const page = (await this.request({ on: 'rows', iteration, page: ROWS_PER_PAGE })) as { rows: LogRow[]; done: boolean };
        done = page.done;
        yield* page.rows;
      }
    } finally {
      // A reader that stopped early: the thread lets its iteration go.
      if (!done) await this.request({ on: 'rows', iteration, page: 0 }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const thread = this.thread;
    const ready = await thread.ready.then(() => true, () => false);
    if (ready && !thread.stopped) await this.request({ on: 'close' }).catch(() => undefined);
    this.closed = true;
    await thread.worker.terminate();
  }
}
