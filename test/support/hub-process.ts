import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis.ts';

export interface HubProcess {
  url: string;
  dir: string;
  databasePath: string;
  redisPrefix: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  cleanup(): Promise<void>;
}

/**
 * Starts the hub as `npm start` would (`node src/main.ts`, shipped config, certs/ from the dev PKI), in a
 * child process of its own, on a free port, with a fresh database file and a Redis prefix of its own.
 */
export async function spawnHub(env: Record<string, string> = {}): Promise<HubProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'aoh-e2e-'));
  const port = await freePort();
  const databasePath = join(dir, 'hub.db');
  const redisPrefix = uniquePrefix();
  const child: ChildProcess = spawn(process.execPath, ['src/main.ts'], {
    env: { ...process.env, HUB_HOST: '127.0.0.1', HUB_PORT: String(port), HUB_OPS_PORT: String(await freePort()), HUB_DATABASE_PATH: databasePath, HUB_REDIS_URL: REDIS_URL, HUB_REDIS_PREFIX: redisPrefix, HUB_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      if (output.includes('"hub listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} during start-up:\n${output}`));
    });
  });

  return {
    url: `https://localhost:${port}`,
    dir,
    databasePath,
    redisPrefix,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await deletePrefix(redisPrefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
