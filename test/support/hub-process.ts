import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis.ts';
import { hubNodeArgs } from './start-command.ts';

export interface HubProcessOptions {
  /** Extra environment, such as HUB_CONFIG_DIR for a configuration of the test's own. */
  env?: Record<string, string>;
  redisUrl?: string;
  /** A Redis prefix to share with another instance; a new one by default. */
  redisPrefix?: string;
}

interface Launch {
  dir: string;
  port: number;
  opsPort: number;
  databasePath: string;
  redisUrl: string;
  redisPrefix: string;
  env: Record<string, string>;
}

export interface HubProcess {
  url: string;
  opsUrl: string;
  dir: string;
  databasePath: string;
  redisPrefix: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends a signal without waiting, such as SIGHUP to reload the TLS files. */
  signal(signal: NodeJS.Signals): void;
  /** Sends a signal and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
  /** A new process on the same port, database and Redis prefix, once this one has exited. */
  restart(): Promise<HubProcess>;
  /** Stops the process and removes its database folder and Redis keys. */
  cleanup(): Promise<void>;
}

/**
 * Starts the hub as `npm start` would (`node` with its flags and `src/main.ts`, shipped config, certs/ from the dev PKI), in a
 * child process of its own, on a free port, with a fresh database file and a Redis prefix of its own.
 */
export async function spawnHub(options: HubProcessOptions = {}): Promise<HubProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'aoh-e2e-'));
  return launch({
    dir,
    port: await freePort(),
    opsPort: await freePort(),
    databasePath: join(dir, 'hub.db'),
    redisUrl: options.redisUrl ?? REDIS_URL,
    redisPrefix: options.redisPrefix ?? uniquePrefix(),
    env: options.env ?? {},
  });
}

async function launch(settings: Launch): Promise<HubProcess> {
  const child: ChildProcess = spawn(process.execPath, hubNodeArgs(), {
    env: {
      ...process.env,
      HUB_HOST: '127.0.0.1',
      HUB_PORT: String(settings.port),
      HUB_OPS_PORT: String(settings.opsPort),
      HUB_DATABASE_PATH: settings.databasePath,
      HUB_REDIS_URL: settings.redisUrl,
      HUB_REDIS_PREFIX: settings.redisPrefix,
      HUB_LOG_LEVEL: 'debug',
      ...settings.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  await listening(() => output, exited, child);

  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url: `https://localhost:${settings.port}`,
    opsUrl: `http://127.0.0.1:${settings.opsPort}`,
    dir: settings.dir,
    databasePath: settings.databasePath,
    redisPrefix: settings.redisPrefix,
    output: () => output,
    signal(signal) {
      child.kill(signal);
    },
    async stop(signal = 'SIGTERM') {
      if (running()) child.kill(signal);
      return exited;
    },
    async restart() {
      if (running()) throw new Error('restart() needs the hub process to have exited');
      return launch(settings);
    },
    async cleanup() {
      if (running()) child.kill('SIGKILL');
      await exited;
      await deletePrefix(settings.redisPrefix, settings.redisUrl);
      rmSync(settings.dir, { recursive: true, force: true });
    },
  };
}

function listening(output: () => string, exited: Promise<number | string>, child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start within 20 s:\n${output()}`)), 20_000);
    const check = () => {
      if (output().includes('"hub listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`hub exited with ${code} during start-up:\n${output()}`));
    });
  });
}
