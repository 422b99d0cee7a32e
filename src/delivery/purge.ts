import type { HubConfig } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { CiphertextPurge, HubStore } from '../store/types.ts';
import { deliverySettingsFor } from './retry.ts';

const HOUR_MS = 3_600_000;

/**
 * Deliveries per transaction. SQLite's purge runs on the event loop: 256 ciphertexts of 1.4 MB held it
 * for 126 ms, 64 for 32 ms, 16 for 4 ms (`node bench/purge.ts`); a backlog after downtime goes in many.
 */
export const PURGE_BATCH = 32;

/** Each partner's purge time, from the hub's setting and the partner's own; a recipient since removed takes the hub's. */
export function ciphertextPurge(config: Pick<HubConfig, 'hub' | 'partners'>, now: Date): CiphertextPurge {
  const before = (hours: number) => new Date(now.getTime() - hours * HOUR_MS).toISOString();
  return {
    receivedBefore: new Map(config.partners.map((p) => [p.id, before(deliverySettingsFor(config.hub.delivery, p).purgeCiphertextAfterHours)])),
    otherwise: before(config.hub.delivery.purgeCiphertextAfterHours),
    at: now.toISOString(),
  };
}

/**
 * The hub is a conduit: once a recipient holds its copy, the hub's copy of the ciphertext only adds to
 * what could leak, and to a database that would otherwise grow by every delivery ever made. Purges in
 * batches until none is due; returns how many.
 */
export async function purgeReceivedCiphertext(store: HubStore, config: Pick<HubConfig, 'hub' | 'partners'>, now: Date, log: Logger): Promise<number> {
  const purge = ciphertextPurge(config, now);
  let purged = 0;
  let batch: number;
  do {
    batch = await store.purgeReceivedCiphertext(purge, PURGE_BATCH);
    purged += batch;
  } while (batch === PURGE_BATCH);
  if (purged > 0) log.info({ purged }, 'purged the ciphertext of received deliveries');
  return purged;
}
