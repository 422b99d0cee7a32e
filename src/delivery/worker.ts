import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HubConfig, Partner } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import { HubMetrics } from '../observability/metrics.ts';
import type { HubStore, StoredDelivery, TransportKind } from '../store/types.ts';
import { BACKOFF_TYPE, queueName, redisConnection, type DeliveryJob } from './queue.ts';
import type { RecentCiphertext } from './recent-ciphertext.ts';
import { deadReason, deliverySettingsFor, retryDelayMs } from './retry.ts';
import type { Transport } from './transports/types.ts';

export interface WorkerDeps {
  config: HubConfig;
  store: HubStore;
  transports: Record<TransportKind, Transport>;
  metrics: HubMetrics;
  log: Logger;
  /** What the outbox just sealed for push, so that the first attempt need not read it back. */
  recentCiphertext?: RecentCiphertext;
}

const DONE = new Set(['delivered', 'acknowledged', 'dead']);

async function recordFailure(deps: WorkerDeps, partner: Partner, delivery: StoredDelivery, attempt: number, reason: string): Promise<boolean> {
  const now = new Date();
  await deps.store.appendEvent({ deliveryId: delivery.deliveryId, event: 'failed', at: now.toISOString(), detail: reason });
  deps.metrics.deliveryEvents.inc({ partner: partner.id, event: 'failed' });
  const dead = deadReason(attempt, new Date(delivery.attemptsSince), now, deliverySettingsFor(deps.config.hub.delivery, partner));
  if (dead) {
    await deps.store.appendEventOnce({ deliveryId: delivery.deliveryId, event: 'dead', at: now.toISOString(), detail: dead });
    deps.metrics.deliveryEvents.inc({ partner: partner.id, event: 'dead' });
  }
  deps.log.warn({ deliveryId: delivery.deliveryId, recipient: partner.id, attempt, dead: dead !== undefined, reason }, 'delivery attempt failed');
  return dead !== undefined;
}

async function processJob(deps: WorkerDeps, partner: Partner, job: Job<DeliveryJob>): Promise<void> {
  const delivery = await deps.store.getDelivery(job.data.deliveryId, deps.recentCiphertext?.take(job.data.deliveryId));
  if (!delivery || DONE.has(delivery.status)) return;
  try {
    const outcome = await deps.transports[delivery.transport].deliver(delivery, partner);
    if (await deps.store.appendEventOnce({ deliveryId: delivery.deliveryId, event: outcome.event, at: new Date().toISOString(), detail: outcome.detail })) {
      deps.metrics.deliveryEvents.inc({ partner: partner.id, event: outcome.event });
      deps.metrics.deliveryLatency.observe({ partner: partner.id, transport: delivery.transport }, HubMetrics.since(delivery.createdAt));
    }
    deps.log.info({ deliveryId: delivery.deliveryId, recipient: partner.id, event: outcome.event }, 'delivery moved');
  } catch (err) {
    const reason = (err as Error).message;
    // The attempt number counts this run of attempts; BullMQ's counter restarts when a job is re-queued.
    const dead = await recordFailure(deps, partner, delivery, job.attemptsMade + 1, reason);
    throw dead ? new UnrecoverableError(reason) : err;
  }
}

/**
 * One worker per partner queue, with that partner's concurrency, rate limit and retry pace: a slow or
 * failing partner only ever occupies its own worker.
 */
export class DeliveryWorkers {
  private readonly workers: Worker<DeliveryJob>[] = [];
  private readonly connection: Redis;

  constructor(deps: WorkerDeps) {
    this.connection = redisConnection(deps.config.hub.redis.url, true);
    this.connection.on('error', (err) => deps.log.warn({ err: err.message }, 'redis connection error (workers)'));
    for (const partner of deps.config.partners) {
      const settings = deliverySettingsFor(deps.config.hub.delivery, partner);
      const worker = new Worker<DeliveryJob>(queueName(partner.id), (job) => processJob(deps, partner, job), {
        connection: this.connection,
        prefix: deps.config.hub.redis.prefix,
        concurrency: settings.concurrency,
        lockDuration: deps.config.hub.recovery.lockSeconds * 1000,
        stalledInterval: deps.config.hub.recovery.lockSeconds * 1000,
        ...(settings.rateLimit ? { limiter: { max: settings.rateLimit.max, duration: settings.rateLimit.perSeconds * 1000 } } : {}),
        settings: { backoffStrategy: (attemptsMade: number, type?: string) => (type === BACKOFF_TYPE ? retryDelayMs(attemptsMade, settings) : 1000) },
      });
      worker.on('error', (err) => deps.log.warn({ err: err.message, partner: partner.id }, 'worker error'));
      this.workers.push(worker);
    }
  }

  /** Lets jobs in flight finish; without Redis there is nothing in flight to wait for. */
  async close(): Promise<void> {
    const reachable = this.connection.status === 'ready';
    if (!reachable) this.connection.disconnect();
    await Promise.all(this.workers.map((w) => w.close(!reachable)));
    this.connection.disconnect();
  }
}
