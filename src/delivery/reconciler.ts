import type { Logger } from '../observability/logger.ts';
import type { HubStore } from '../store/types.ts';

/**
 * The database is the truth and Redis may lose everything: queue again every stored delivery that has
 * not reached its transport. Queueing is idempotent (job id = delivery id), so repeating is harmless.
 */
export async function reconcile(store: HubStore, enqueue: (deliveryId: string, recipient: string) => Promise<void>, log: Logger): Promise<number> {
  const pending = await store.pendingDeliveries();
  let queued = 0;
  for (const { deliveryId, recipient } of pending) {
    try {
      await enqueue(deliveryId, recipient);
      queued++;
    } catch (err) {
      log.warn({ deliveryId, err: (err as Error).message }, 'reconciler could not queue delivery');
    }
  }
  if (pending.length > 0) log.info({ pending: pending.length, queued }, 'reconciled pending deliveries');
  return queued;
}
