import { describe, expect, it } from 'vitest';
import { deadReason, deliverySettingsFor, retryDelayMs } from '../../../src/delivery/retry.ts';
import type { DeliverySettings } from '../../../src/config/schema.ts';

const hub: DeliverySettings = { backoffSeconds: 5, maxBackoffSeconds: 900, maxAgeHours: 48, pushTimeoutSeconds: 15, concurrency: 4, purgeCiphertextAfterHours: 168 };

describe('retry pacing', () => {
  it('doubles from backoffSeconds and stays within half and all of the step', () => {
    for (const [attempt, step] of [[1, 5], [2, 10], [3, 20], [6, 160]] as const) {
      expect(retryDelayMs(attempt, hub, () => 0)).toBe((step * 1000) / 2);
      expect(retryDelayMs(attempt, hub, () => 1)).toBe(step * 1000);
    }
  });

  it('never waits longer than maxBackoffSeconds, however many attempts failed', () => {
    expect(retryDelayMs(12, hub, () => 1)).toBe(900_000);
    expect(retryDelayMs(5000, hub, () => 1)).toBe(900_000);
    expect(retryDelayMs(5000, hub, () => 0)).toBe(450_000);
  });

  it('spreads the retries of many deliveries instead of sending them in one instant', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, hub)));
    expect(delays.size).toBeGreaterThan(25);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(20_000);
  });
});

describe('when a delivery is dead', () => {
  const start = new Date('2026-11-01T10:00:00Z');
  const after = (hours: number) => new Date(start.getTime() + hours * 3_600_000);

  it('retries for maxAgeHours when no attempt limit is set, then gives up', () => {
    expect(deadReason(500, start, after(47.9), hub)).toBeUndefined();
    expect(deadReason(501, start, after(48), hub)).toMatch(/501 attempts over 48.00 h \(maximum 48 h\)/);
  });

  it('gives up at an attempt limit when one is set, even before the maximum age', () => {
    expect(deadReason(2, start, after(0.01), { ...hub, attempts: 3 })).toBeUndefined();
    expect(deadReason(3, start, after(0.01), { ...hub, attempts: 3 })).toBe('gave up after 3 attempts');
  });
});

describe('per-partner settings', () => {
  it('take the partner’s own values over the hub’s and keep the rest', () => {
    const merged = deliverySettingsFor(hub, { delivery: { concurrency: 1, maxAgeHours: 168, rateLimit: { max: 10, perSeconds: 60 } } });
    expect(merged).toEqual({ ...hub, concurrency: 1, maxAgeHours: 168, rateLimit: { max: 10, perSeconds: 60 } });
    expect(deliverySettingsFor(hub, {})).toEqual(hub);
  });
});
