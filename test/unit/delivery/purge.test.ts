import { describe, expect, it } from 'vitest';
import { ciphertextPurge } from '../../../src/delivery/purge.ts';
import type { HubConfig, Partner } from '../../../src/config/types.ts';

const partner = (id: string, delivery?: Partner['delivery']) => ({ id, ...(delivery ? { delivery } : {}) }) as Partner;

describe('the purge times of received ciphertext', () => {
  it('count back from now by the hub’s hours, or by a partner’s own, and take the hub’s for recipients not configured', () => {
    const config = {
      hub: { delivery: { purgeCiphertextAfterHours: 168 } },
      partners: [partner('politie'), partner('om', { purgeCiphertextAfterHours: 0 }), partner('rvdk', { purgeCiphertextAfterHours: 1.5 })],
    } as unknown as Pick<HubConfig, 'hub' | 'partners'>;
    const purge = ciphertextPurge(config, new Date('2026-12-08T12:00:00.000Z'));
    expect(purge).toEqual({
      receivedBefore: new Map([
        ['politie', '2026-12-01T12:00:00.000Z'],
        ['om', '2026-12-08T12:00:00.000Z'],
        ['rvdk', '2026-12-08T10:30:00.000Z'],
      ]),
      otherwise: '2026-12-01T12:00:00.000Z',
      at: '2026-12-08T12:00:00.000Z',
    });
  });
});
