import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { HubConfig } from '../config/types.ts';
import { deliverySettingsFor } from './retry.ts';
import type { QueueDepth } from '../observability/metrics.ts';

export interface DeliveryJob {
  deliveryId: string;
}

// A sender's 202 waits for the database, not for Redis: the reconciler queues what this could not.
const ENQUEUE_TIMEOUT_MS = 3000;
const DOWN = new Set(['reconnecting', 'close', 'end']);
/** The custom backoff the workers compute (capped exponential with jitter, see retry.ts). */
export const BACKOFF_TYPE = 'capped-exponential';
// Without a configured attempt limit, the maximum age ends the retries; BullMQ needs some number.
const UNLIMITED_ATTEMPTS = 1_000_000;

export function queueName(partnerId: string): string {
  return `deliveries-${partnerId}`;
}

export function redisConnection(url: string, forWorker: boolean): Redis {
  // Workers block and must retry for ever; producers must fail fast so a request never hangs on Redis.
  return new Redis(url, forWorker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/**
 * One BullMQ queue per partner, so that a slow or failing partner never delays the others. Jobs carry
 * a delivery id only; the content stays in the database, encrypted.
 */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<DeliveryJob>>();
  private readonly connection: Redis;
  private readonly attempts = new Map<string, number>();

  constructor(config: Pick<HubConfig, 'hub' | 'partners'>) {
    this.connection = redisConnection(config.hub.redis.url, false);
    this.connection.on('error', () => undefined); // reported where a command fails
    for (const partner of config.partners) {
      const id = partner.id;
      this.attempts.set(id, deliverySettingsFor(config.hub.delivery, partner).attempts ?? UNLIMITED_ATTEMPTS);
      const queue = new Queue<DeliveryJob>(queueName(id), { connection: this.connection, prefix: config.hub.redis.prefix });
      queue.on('error', () => undefined); // as above: enqueue() reports, the reconciler recovers
      this.queues.set(id, queue);
    }
  }

  async enqueue(deliveryId: string, recipient: string): Promise<void> {
    const queue = this.queues.get(recipient);
    if (!queue) throw new TypeError(`no queue for partner ${recipient}`);
    // While Redis is known to be down, do not make the sender wait for the timeout below.
    if (DOWN.has(this.connection.status)) throw new Error(`Redis is ${this.connection.status}`);
    // The job id is the delivery id: queueing the same delivery twice is a no-op.
    const added = queue.add('deliver', { deliveryId }, {
      jobId: deliveryId,
      attempts: this.attempts.get(recipient) ?? UNLIMITED_ATTEMPTS,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: true,
      removeOnFail: true,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not accept the job within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([added, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Per partner, the jobs waiting, delayed (for a retry) and being worked on. */
  async depths(): Promise<QueueDepth[]> {
    return Promise.all(
      [...this.queues].map(async ([partner, queue]) => {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        return { partner, waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), delayed: counts.delayed ?? 0, active: counts.active ?? 0 };
      }),
    );
  }

  async ping(): Promise<boolean> {
    return (await this.connection.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    if (this.connection.status !== 'ready') this.connection.disconnect();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
