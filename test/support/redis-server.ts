import { spawn, type ChildProcess } from 'node:child_process';
import { redisAnswers } from '../../src/demo/redis.ts';
import { freePort } from './net.ts';

export interface RedisServer {
  url: string;
  /** Kills the server outright (SIGKILL): with no persistence, everything it held is gone. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
}

/** A redis-server of the test's own, without persistence, as on the development machines. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    url,
    async start() {
      child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const failed = new Promise<never>((_, reject) => child?.once('error', (err) => reject(new Error(`redis-server could not start: ${err.message}`))));
      const deadline = Date.now() + 10_000;
      while (!(await Promise.race([redisAnswers(url), failed]))) {
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${url}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
  };
  await server.start();
  return server;
}
