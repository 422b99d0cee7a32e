import { describe, expect, it } from 'vitest';
import { endpointClass, limitsFor, TokenBuckets } from '../../../src/ingress/rate-limit.ts';
import type { HubConfig } from '../../../src/config/types.ts';

describe('TokenBuckets', () => {
  it('allows a burst of max, then one request per perSeconds/max, and says how long to wait', () => {
    let t = 0;
    const buckets = new TokenBuckets(() => new Date(t));
    const limit = { max: 2, perSeconds: 10 };
    expect([buckets.take('a', limit), buckets.take('a', limit)]).toEqual([{ allowed: true }, { allowed: true }]);
    expect(buckets.take('a', limit)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    t = 4_000;
    expect(buckets.take('a', limit)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    t = 5_000;
    expect(buckets.take('a', limit)).toEqual({ allowed: true });
    expect(buckets.take('b', limit)).toEqual({ allowed: true });
  });

  it('never fills a bucket beyond max however long it was idle', () => {
    let t = 0;
    const buckets = new TokenBuckets(() => new Date(t));
    const limit = { max: 1, perSeconds: 1 };
    buckets.take('a', limit);
    t = 3_600_000;
    expect([buckets.take('a', limit).allowed, buckets.take('a', limit).allowed]).toEqual([true, false]);
  });
});

describe('endpointClass', () => {
  it('puts submissions, reads, admin and privacy endpoints in their own classes', () => {
    expect(endpointClass('POST', '/v1/messages')).toBe('submit');
    expect(endpointClass('GET', '/v1/messages/abc')).toBe('read');
    expect(endpointClass('POST', '/v1/inbox/abc/ack')).toBe('read');
    expect(endpointClass('POST', '/admin/v1/tls/reload')).toBe('admin');
    expect(endpointClass('POST', '/privacy/v1/search')).toBe('privacy');
  });

  it('classifies a path as Express routes it, whatever its letter case or trailing slash', () => {
    expect(endpointClass('POST', '/V1/Messages/')).toBe('submit');
    expect(endpointClass('GET', '/ADMIN/v1/partners')).toBe('admin');
    expect(endpointClass('POST', '/Privacy/v1/search/')).toBe('privacy');
    expect(endpointClass('GET', '/v1/messages/')).toBe('read');
  });
});

describe('limitsFor', () => {
  it('takes the hub’s limits and replaces only the classes a partner or operator names', () => {
    const hub = { submit: { max: 1, perSeconds: 1 }, read: { max: 2, perSeconds: 1 }, admin: { max: 3, perSeconds: 1 }, privacy: { max: 4, perSeconds: 1 } };
    const config = {
      hub: { rateLimits: hub },
      partners: [{ id: 'om', rateLimits: { submit: { max: 9, perSeconds: 1 } } }, { id: 'vt' }],
      operators: [{ id: 'admin', rateLimits: { admin: { max: 7, perSeconds: 1 } } }],
    } as unknown as HubConfig;
    expect(limitsFor(config, 'om')).toEqual({ ...hub, submit: { max: 9, perSeconds: 1 } });
    expect(limitsFor(config, 'vt')).toEqual(hub);
    expect(limitsFor(config, 'admin').admin).toEqual({ max: 7, perSeconds: 1 });
  });
});
