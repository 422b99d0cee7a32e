import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HubConfig } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { HubStore } from '../store/types.ts';
import { queueName, redisConnection, type DeliveryJob } from './queue.ts';
import type { Transport } from './transports/types.ts';

export interface WorkerDeps {
  config: HubConfig;
  store: HubStore;
  transports: Record<'pull' | 'push', Transport>;
  log: Logger;
}

const DONE = new Set(['delivered', 'acknowledged', 'dead']);

async function processJob(deps: WorkerDeps, job: Job<DeliveryJob>): Promise<void> {
  const delivery = await deps.store.getDelivery(job.data.deliveryId);
  if (!delivery || DONE.has(delivery.status)) return;
  const partner = deps.config.partners.find((p) => p.id === delivery.recipient);
  if (!partner) throw new Error(`partner ${delivery.recipient} is no longer configured`);
  try {
    const outcome = await deps.transports[delivery.transport].deliver(delivery, partner);
    await deps.store.appendEventOnce({ deliveryId: delivery.deliveryId, event: outcome.event, at: new Date().toISOString(), detail: outcome.detail });
    deps.log.info({ deliveryId: delivery.deliveryId, recipient: delivery.recipient, event: outcome.event }, 'delivery moved');
  } catch (err) {
    const reason = (err as Error).message;
    const at = new Date().toISOString();
    await deps.store.appendEvent({ deliveryId: delivery.deliveryId, event: 'failed', at, detail: reason });
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (final) await deps.store.appendEventOnce({ deliveryId: delivery.deliveryId, event: 'dead', at, detail: `gave up after ${job.attemptsMade + 1} attempts` });
    deps.log.warn({ deliveryId: delivery.deliveryId, recipient: delivery.recipient, attempt: job.attemptsMade + 1, final, reason }, 'delivery attempt failed');
    throw err;
  }
}

/** One worker per partner queue; each works through its own partner's deliveries only. */
export class DeliveryWorkers {
  private readonly workers: Worker<DeliveryJob>[] = [];
  private readonly connection: Redis;

  constructor(deps: WorkerDeps) {
    this.connection = redisConnection(deps.config.hub.redis.url, true);
    this.connection.on('error', (err) => deps.log.warn({ err: err.message }, 'redis connection error (workers)'));
    for (const partner of deps.config.partners) {
      const worker = new Worker<DeliveryJob>(queueName(partner.id), (job) => processJob(deps, job), {
        connection: this.connection,
        prefix: deps.config.hub.redis.prefix,
        concurrency: deps.config.hub.delivery.concurrency,
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
