import type { DeliveryEventKind, DeliveryStatus } from './types.ts';

const RANK: Record<DeliveryStatus, number> = { queued: 0, failed: 1, delivered: 2, acknowledged: 3, dead: 4 };

/** The status API.md reports, derived from a delivery's append-only events. */
export function statusOf(events: { event: DeliveryEventKind }[]): DeliveryStatus {
  let status: DeliveryStatus = 'queued';
  for (const { event } of events) {
    if (event === 'available' || event === 'purged') continue;
    if (event === 'retried') {
      status = 'queued';
      continue;
    }
    // A failed attempt followed by success is delivered; a late failure never hides a delivery.
    if (RANK[event] >= RANK[status] || (status === 'failed' && event === 'queued')) status = event;
  }
  return status;
}
