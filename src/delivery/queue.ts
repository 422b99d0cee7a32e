import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { HubSettings } from '../config/schema.ts';

export interface DeliveryJob {
  deliveryId: string;
}

// A sender's 202 waits for the database, not for Redis: the reconciler queues what this could not.
const ENQUEUE_TIMEOUT_MS = 3000;
const DOWN = new Set(['reconnecting', 'close', 'end']);

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
  private readonly settings: HubSettings;

  constructor(settings: HubSettings, partnerIds: string[]) {
    this.settings = settings;
    this.connection = redisConnection(settings.redis.url, false);
    this.connection.on('error', () => undefined); // reported where a command fails
    for (const id of partnerIds) {
      const queue = new Queue<DeliveryJob>(queueName(id), { connection: this.connection, prefix: settings.redis.prefix });
      queue.on('error', () => undefined); // as above: enqueue() reports, the reconciler recovers
      this.queues.set(id, queue);
    }
  }

  async enqueue(deliveryId: string, recipient: string): Promise<void> {
    const queue = this.queues.get(recipient);
    if (!queue) throw new TypeError(`no queue for partner ${recipient}`);
    // While Redis is known to be down, do not make the sender wait for the timeout below.
    if (DOWN.has(this.connection.status)) throw new Error(`Redis is ${this.connection.status}`);
    const { attempts, backoffSeconds } = this.settings.delivery;
    // The job id is the delivery id: queueing the same delivery twice is a no-op.
    const added = queue.add('deliver', { deliveryId }, {
      jobId: deliveryId,
      attempts,
      backoff: { type: 'exponential', delay: backoffSeconds * 1000, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
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

  async ping(): Promise<boolean> {
    return (await this.connection.ping()) === 'PONG';
  }

  async close(): Promise<void> {
    if (this.connection.status !== 'ready') this.connection.disconnect();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
