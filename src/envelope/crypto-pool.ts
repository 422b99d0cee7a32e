import { Worker } from 'node:worker_threads';
import { HubProblem, Problems, type ProblemKind } from '../errors/problem.ts';
import { heapOf, type ThreadHeap } from '../observability/thread-heap.ts';
import type { EnvelopeCrypto, KeyMaterial } from './crypto.ts';
import type { CryptoJob, CryptoReply, CryptoRequest } from './crypto-protocol.ts';
import type { OpenedEnvelope, OpenLimits } from './open.ts';
import type { Sealed } from './seal.ts';

interface Pending {
  resolve(result: OpenedEnvelope | Sealed | null): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

export interface WorkerHeap extends ThreadHeap {
  worker: number;
}

interface Waiting extends Pending {
  job: CryptoJob;
  transfer: ArrayBuffer[];
}

/**
 * Jobs handed to each worker at once; the rest wait here, seals first. With 2 a worker waited for the
 * busy event loop between jobs and 1 kB throughput fell by up to 43 % in the bench; with 8 it matched
 * handing every job over at once, and the priority still orders whatever waits beyond that.
 */
const IN_FLIGHT_PER_WORKER = 8;

export interface CryptoPoolOptions {
  size: number;
  /** Starts one worker thread with the key material; tests pass their own to reach the threads. */
  spawn?: (material: KeyMaterial) => Worker;
  /** Told when a worker thread stopped and was replaced. */
  onLost?: (reason: string) => void;
}

const problemKinds = new Map<string, ProblemKind>(Object.values(Problems).map((k) => [k.slug, k]));

/**
 * Bytes that may move to a worker. A request body of more than a few kilobytes is a buffer of its own
 * and moves as it is (the caller must not use it after); a smaller one may be a slice of Node's shared
 * pool and is copied. Every large copy costs: on our machines a fresh 2.7 MB buffer takes 8 ms to fill.
 */
function ownBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) return bytes;
  return new Uint8Array(bytes);
}

/**
 * V8 lets a busy worker's young generation grow to 128 MB: in a 45-minute soak the two workers' heaps
 * grew to 283 MB for 21–66 MB in use, and inside a worker under the same kind of load 128 MB of its 143
 * was young generation. Capped at 16 MB, the pool alone ran 64 kB messages at the same speed (178.5
 * against 178.0 msg/s, 10.5 against 10.4 ms of CPU each) with 226 MB less resident memory, and 1 MB
 * messages no slower (17.5 against 16.1 msg/s); at 8 MB, 64 kB ran 5 % slower.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 };

export const spawnWorker = (material: KeyMaterial) => new Worker(new URL('./crypto-worker.ts', import.meta.url), { workerData: material, resourceLimits: WORKER_LIMITS });

function failure(reply: Extract<CryptoReply, { ok: false }>): Error {
  if ('problem' in reply) return new HubProblem(problemKinds.get(reply.problem.slug) ?? Problems.internal, reply.problem.detail, reply.problem.errors);
  return new Error(`crypto worker: ${reply.message}`);
}

/**
 * OpenPGP work on worker threads, so that it uses every core while the main thread serves HTTP, the
 * database and the queues. Each worker parses the keys once. Jobs wait here and go to whichever worker
 * frees up, seals before opens: finishing the messages already opened before starting new ones keeps
 * each message's time short under load (a message's seals no longer queue behind later messages'
 * opens). A worker that stops is replaced, and the jobs it held fail (the submission answers 500 and
 * stores nothing), rather than hang.
 */
export class CryptoPool implements EnvelopeCrypto {
  private readonly slots: Slot[] = [];
  private material: KeyMaterial;
  private readonly spawn: (material: KeyMaterial) => Worker;
  private readonly onLost: (reason: string) => void;
  private nextId = 1;
  private closing = false;
  private readonly waiting: { seal: Waiting[]; open: Waiting[] } = { seal: [], open: [] };

  constructor(material: KeyMaterial, options: CryptoPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError('a crypto pool needs at least one worker');
    this.material = material;
    this.spawn = options.spawn ?? spawnWorker;
    this.onLost = options.onLost ?? (() => undefined);
    for (let i = 0; i < options.size; i++) this.slots.push(this.startSlot(i));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Each worker's V8 heap: the process's resident memory holds them, the main thread's heap figures do not. */
  heaps(): Promise<WorkerHeap[]> {
    const read = async (slot: Slot, worker: number) => ({ worker, ...(await heapOf(slot.worker)) });
    // A worker being replaced has no heap to read; it is left out rather than failing the scrape.
    return Promise.allSettled(this.slots.map(read)).then((all) => all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  }

  open(armored: string | Uint8Array, sender: string, limits: OpenLimits, at: Date): Promise<OpenedEnvelope> {
    if (typeof armored === 'string') return this.run({ op: 'open', armored, sender, limits, at: at.getTime() }) as Promise<OpenedEnvelope>;
    const own = ownBytes(armored);
    return this.run({ op: 'open', armored: own, sender, limits, at: at.getTime() }, [own.buffer as ArrayBuffer]) as Promise<OpenedEnvelope>;
  }

  seal(plaintext: string, recipient: string, at: Date): Promise<Sealed> {
    return this.run({ op: 'seal', plaintext, recipient, at: at.getTime() }) as Promise<Sealed>;
  }

  /** Hands every worker new partner keys and waits until each has read them; a replaced worker starts with them. */
  async updateKeys(material: KeyMaterial): Promise<void> {
    this.material = material;
    await Promise.all(this.slots.map((slot) => this.post(slot, { op: 'keys', material })));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of [...this.waiting.seal.splice(0), ...this.waiting.open.splice(0)]) w.reject(new Error('the crypto pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private run(job: CryptoJob, transfer: ArrayBuffer[] = []): Promise<OpenedEnvelope | Sealed | null> {
    if (this.closing) return Promise.reject(new Error('the crypto pool is closed'));
    return new Promise((resolve, reject) => {
      this.waiting[job.op === 'seal' ? 'seal' : 'open'].push({ job, transfer, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (;;) {
      const slot = this.slots.reduce((least, s) => (s.pending.size < least.pending.size ? s : least));
      if (slot.pending.size >= IN_FLIGHT_PER_WORKER) return;
      const next = this.waiting.seal.shift() ?? this.waiting.open.shift();
      if (!next) return;
      this.post(slot, next.job, next.transfer).then(next.resolve, next.reject);
    }
  }

  private post(slot: Slot, job: CryptoJob, transfer: ArrayBuffer[] = []): Promise<OpenedEnvelope | Sealed | null> {
    if (this.closing) return Promise.reject(new Error('the crypto pool is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...job, id } satisfies CryptoRequest, transfer);
    });
  }

  private startSlot(index: number): Slot {
    const slot: Slot = { worker: this.spawn(this.material), pending: new Map() };
    let error: Error | undefined;
    slot.worker.on('message', (reply: CryptoReply) => {
      const pending = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      if (reply.ok) pending?.resolve(reply.result);
      else pending?.reject(failure(reply));
      this.dispatch();
    });
    slot.worker.on('error', (err: unknown) => (error = err instanceof Error ? err : new Error(String(err))));
    slot.worker.on('exit', (code) => {
      const reason = error?.message ?? `exit code ${code}`;
      for (const pending of slot.pending.values()) pending.reject(new Error(`crypto worker stopped (${reason})`));
      slot.pending.clear();
      if (this.closing) return;
      this.onLost(reason);
      this.slots[index] = this.startSlot(index);
      this.dispatch();
    });
    return slot;
  }
}
