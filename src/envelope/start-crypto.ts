import { availableParallelism } from 'node:os';
import type { Logger } from '../observability/logger.ts';
import { inThreadCrypto, keyMaterial, type CryptoKeys, type EnvelopeCrypto } from './crypto.ts';
import { CryptoPool } from './crypto-pool.ts';

/** `hub.crypto.workers` threads, one per core by default; 0 keeps the OpenPGP work on the main thread. */
export function startCrypto(keys: CryptoKeys, workers: number | undefined, log: Logger): { crypto: EnvelopeCrypto; close(): Promise<void> } {
  const size = workers ?? availableParallelism();
  if (size === 0) return { crypto: inThreadCrypto(keys), close: async () => undefined };
  const pool = new CryptoPool(keyMaterial(keys), { size, onLost: (reason) => log.error({ reason }, 'crypto worker stopped; replaced') });
  log.info({ workers: size }, 'crypto pool started');
  return { crypto: pool, close: () => pool.close() };
}
