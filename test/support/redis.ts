import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { removeQueues } from '../../src/demo/redis.ts';

export const REDIS_URL = process.env.HUB_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function assertRedisReachable(): Promise<void> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch {
    throw new Error(`The tests need a real Redis at ${REDIS_URL} (start redis-server, or run bash .ci/run)`);
  } finally {
    client.disconnect();
  }
}

/** A key prefix of its own per test, so tests never see each other's queues. */
export function uniquePrefix(): string {
  return `aoh-test-${randomBytes(6).toString('hex')}`;
}

/** Every key under a prefix, with its value as text, for scanning Redis for plaintext. */
export async function dumpPrefix(prefix: string): Promise<string[]> {
  return dumpKeys(`${prefix}:*`);
}

/** Every key matching a pattern (every key of the server with `*`), of every type, with its values as text. */
export async function dumpKeys(pattern: string, url = REDIS_URL): Promise<string[]> {
  const client = new Redis(url);
  try {
    const keys = await client.keys(pattern);
    const out: string[] = [];
    for (const key of keys) {
      const type = await client.type(key);
      out.push(key);
      if (type === 'string') out.push((await client.get(key)) ?? '');
      else if (type === 'hash') out.push(...Object.entries(await client.hgetall(key)).flat());
      else if (type === 'list') out.push(...(await client.lrange(key, '0', '-1')));
      else if (type === 'set') out.push(...(await client.smembers(key)));
      else if (type === 'zset') out.push(...(await client.zrange(key, '0', '-1', 'WITHSCORES')));
      else if (type === 'stream') out.push(JSON.stringify(await client.xrange(key, '-', '+')));
      else if (type !== 'none') throw new Error(`cannot read Redis key ${key} of type ${type}`);
    }
    return out;
  } finally {
    client.disconnect();
  }
}

/** Removes a test's keys; a Redis the test already stopped holds nothing to remove. */
export const deletePrefix = (prefix: string, url = REDIS_URL): Promise<void> => removeQueues(url, prefix);

/**
 * Jobs ever added to the queues under a prefix, counted from BullMQ's event streams, so that a job
 * that was added and already completed (and removed) still counts.
 */
export async function jobsAdded(prefix: string): Promise<number> {
  const client = new Redis(REDIS_URL);
  try {
    let added = 0;
    for (const key of await client.keys(`${prefix}:*:events`)) {
      added += (await client.xrange(key, '-', '+')).filter(([, fields]) => fields[0] === 'event' && fields[1] === 'added').length;
    }
    return added;
  } finally {
    client.disconnect();
  }
}
