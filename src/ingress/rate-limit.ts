import type { RequestHandler } from 'express';
import type { RateLimit, RateLimits } from '../config/schema.ts';
import type { HubConfig } from '../config/types.ts';
import { HubProblem, Problems } from '../errors/problem.ts';
import type { HubMetrics } from '../observability/metrics.ts';
import { principalOf } from './authenticate.ts';
import { routedPath } from './routed-path.ts';

export type EndpointClass = keyof RateLimits;

/** Submissions cost an OpenPGP decryption and a transaction; reads are cheap; operators have their own budget. */
export function endpointClass(method: string, requestPath: string): EndpointClass {
  const path = routedPath(requestPath);
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (path === '/privacy' || path.startsWith('/privacy/')) return 'privacy';
  if (method === 'POST' && path === '/v1/messages') return 'submit';
  return 'read';
}

/**
 * Token buckets, one per caller and endpoint class: `max` requests at once, refilled at `max` per
 * `perSeconds`. Pure apart from the clock it is given.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
  }

  /** Takes one token; when there is none, the seconds until there will be one. */
  take(key: string, limit: RateLimit): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now().getTime();
    const ratePerMs = limit.max / (limit.perSeconds * 1000);
    const bucket = this.buckets.get(key) ?? { tokens: limit.max, at: now };
    const tokens = Math.min(limit.max, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      return { allowed: true };
    }
    this.buckets.set(key, { tokens, at: now });
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000)) };
  }
}

/** The limits of one caller: the hub's defaults per class, with the caller's own overrides. */
export function limitsFor(config: Pick<HubConfig, 'hub' | 'partners' | 'operators'>, principalId: string): RateLimits {
  const own = config.partners.find((p) => p.id === principalId)?.rateLimits ?? config.operators.find((o) => o.id === principalId)?.rateLimits ?? {};
  return { ...config.hub.rateLimits, ...own };
}

/**
 * Refuses a caller over its limit with 429 and Retry-After, before the body is read. The buckets live in
 * this process: see the README for why they are not shared through Redis.
 */
export function rateLimit(config: Pick<HubConfig, 'hub' | 'partners' | 'operators'>, now: () => Date = () => new Date(), metrics?: HubMetrics): RequestHandler {
  const buckets = new TokenBuckets(now);
  return (req, res, next) => {
    const principal = principalOf(res);
    const endpoint = endpointClass(req.method, req.path);
    const verdict = buckets.take(`${principal.id}\u0000${endpoint}`, limitsFor(config, principal.id)[endpoint]);
    if (verdict.allowed) {
      next();
      return;
    }
    metrics?.rateLimited.inc({ caller: principal.id, endpoint });
    res.set('Retry-After', String(verdict.retryAfterSeconds));
    next(new HubProblem(Problems.rateLimited, `More than the ${endpoint} limit of ${principal.id}; retry after ${verdict.retryAfterSeconds} s`));
  };
}
