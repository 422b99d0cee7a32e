import { availableParallelism } from 'node:os';
import type { Logger } from '../observability/logger.ts';
import { inThreadCrypto, keyMaterial, type CryptoKeys, type EnvelopeCrypto } from './crypto.ts';
import { CryptoPool, type WorkerHeap } from './crypto-pool.ts';

export interface StartedCrypto {
  crypto: EnvelopeCrypto;
  /** After the keyring's partner keys changed: the worker threads get them too. */
  updateKeys(keys: CryptoKeys): Promise<void>;
  /** The worker threads' heaps, for the metrics; none when the work runs on the main thread. */
  heaps(): Promise<WorkerHeap[]>;
  close(): Promise<void>;
}

/** `hub.crypto.workers` threads, one per core by default; 0 keeps the OpenPGP work on the main thread. */
export function startCrypto(keys: CryptoKeys, workers: number | undefined, log: Logger): StartedCrypto {
  const size = workers ?? availableParallelism();
  // On the main thread the work reads the keyring itself at every call, so it has nothing to be told.
  if (size === 0) return { crypto: inThreadCrypto(keys), updateKeys: async () => undefined, heaps: async () => [], close: async () => undefined };
  const pool = new CryptoPool(keyMaterial(keys), { size, onLost: (reason) => log.error({ reason }, 'crypto worker stopped; replaced') });
  log.info({ workers: size }, 'crypto pool started');
  return { crypto: pool, updateKeys: (next) => pool.updateKeys(keyMaterial(next)), heaps: () => pool.heaps(), close: () => pool.close() };
}
