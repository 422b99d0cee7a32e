import type { Partner } from '../../config/types.ts';
import type { DeliveryRecord } from '../../store/types.ts';

/** Moves one sealed delivery towards its recipient; throws to have the attempt retried. */
export interface Transport {
  deliver(delivery: DeliveryRecord, partner: Partner): Promise<{ event: 'available' | 'delivered'; detail?: string }>;
}

/** A transport attempt that failed; the message is safe to store (no content). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}
