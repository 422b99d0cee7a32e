import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

/** True when a Redis answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Uses the Redis at `url` when it answers; otherwise starts a `redis-server` from the PATH on that
 * port, without persistence, for as long as the caller runs. Returns the process it started, if any.
 */
export async function ensureRedis(url: string): Promise<ChildProcess | undefined> {
  if (await redisAnswers(url)) return undefined;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    throw new Error(`No Redis answers at ${url} and no redis-server is on the PATH. Install it (Debian: apt-get install redis-server) or set HUB_REDIS_URL.`);
  }
  const port = new URL(url).port || '6379';
  const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`started redis-server on port ${port}, but it did not answer`);
}

/** Removes every key under `prefix`: each demo run (and test) has a namespace of its own, which would otherwise stay behind. */
export async function removeQueues(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    for await (const keys of client.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) if (keys.length > 0) await client.del(...keys);
  } catch {
    // a Redis that is already gone holds nothing to remove
  } finally {
    client.disconnect();
  }
}
