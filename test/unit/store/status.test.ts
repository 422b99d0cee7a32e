import { describe, expect, it } from 'vitest';
import { statusOf } from '../../../src/store/status.ts';

const e = (...events: string[]) => events.map((event) => ({ event }) as { event: 'queued' });

describe('statusOf', () => {
  it('derives the reported status from the append-only events', () => {
    expect(statusOf(e('queued'))).toBe('queued');
    expect(statusOf(e('queued', 'available'))).toBe('queued');
    expect(statusOf(e('queued', 'failed'))).toBe('failed');
    expect(statusOf(e('queued', 'failed', 'delivered'))).toBe('delivered');
    expect(statusOf(e('queued', 'available', 'delivered', 'acknowledged'))).toBe('acknowledged');
    expect(statusOf(e('queued', 'failed', 'failed', 'dead'))).toBe('dead');
  });
});
