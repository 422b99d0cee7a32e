import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newDeliveryId } from '../../../src/submission/delivery-id.ts';
import { UUID_V7, uuidMillis } from '../../support/uuid.ts';

describe('newDeliveryId', () => {
  it('is a UUID of version 7 and RFC 9562’s variant, which the API’s format: uuid accepts', () => {
    const id = newDeliveryId();
    expect(id).toMatch(UUID_V7);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('starts with the time in milliseconds, so that ids of later deliveries sort after earlier ones', () => {
    const at = Date.parse('2026-12-01T23:30:00.123Z');
    const id = newDeliveryId(at);
    expect(uuidMillis(id)).toBe(at);
    const later = Array.from({ length: 50 }, (_, i) => newDeliveryId(at + 1 + i));
    expect([...later].sort()).toEqual(later);
    expect(later.every((l) => l > id)).toBe(true);
  });

  it('differs within one millisecond by its 74 random bits', () => {
    const at = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => newDeliveryId(at)));
    expect(ids.size).toBe(10_000);
    expect([...ids].every((id) => id.startsWith(newDeliveryId(at).slice(0, 13)))).toBe(true);
  });
});
