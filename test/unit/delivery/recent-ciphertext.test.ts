import { describe, expect, it } from 'vitest';
import { RecentCiphertext } from '../../../src/delivery/recent-ciphertext.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('recent ciphertext', () => {
  it('gives each ciphertext once, then nothing: a retry reads the database', () => {
    const recent = new RecentCiphertext(100);
    recent.remember('d1', bytes(10, 1));
    expect(recent.take('d1')).toEqual(bytes(10, 1));
    expect(recent.take('d1')).toBeUndefined();
    expect(recent.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('drops the oldest when the byte budget is exceeded, and never keeps one larger than the budget', () => {
    const recent = new RecentCiphertext(100);
    recent.remember('d1', bytes(40, 1));
    recent.remember('d2', bytes(40, 2));
    recent.remember('d3', bytes(40, 3));
    expect(recent.size).toEqual({ entries: 2, bytes: 80 });
    expect(recent.take('d1')).toBeUndefined();
    expect(recent.take('d2')).toEqual(bytes(40, 2));
    recent.remember('huge', bytes(101, 9));
    expect(recent.take('huge')).toBeUndefined();
    expect(recent.size).toEqual({ entries: 1, bytes: 40 });
  });

  it('keeps the first copy of a delivery remembered twice, counted once', () => {
    const recent = new RecentCiphertext(100);
    recent.remember('d1', bytes(30, 1));
    recent.remember('d1', bytes(30, 2));
    expect(recent.size).toEqual({ entries: 1, bytes: 30 });
    expect(recent.take('d1')).toEqual(bytes(30, 1));
  });
});
