import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureRedis } from '../src/demo/redis.ts';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../test/support/redis.ts';
import { hubNodeArgs } from '../test/support/start-command.ts';

export interface HubChild {
  pid: number;
  url: string;
  opsUrl: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The hub as `npm start` runs it (`node`, its flags and `src/main.ts`, on this Node), with the bench's configuration, a
 * database and Redis prefix of its own, and its log in a file (a full pipe must never slow it down).
 * BENCH_HUB_NODE_OPTIONS reaches only the hub, e.g. `--cpu-prof --cpu-prof-dir=/tmp/hub-prof`; the start
 * script's own flags take precedence over it, so a build without one of them is measured by editing the script.
 */
export async function startHubChild(configDir: string, root: string): Promise<HubChild> {
  const redis = await ensureRedis(REDIS_URL);
  const prefix = uniquePrefix().replace('aoh-test-', 'aoh-bench-');
  const logFile = join(root, 'hub.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, hubNodeArgs(), {
    env: { ...process.env, HUB_CONFIG_DIR: configDir, HUB_HOST: '127.0.0.1', HUB_PORT: '0', HUB_OPS_PORT: '0', HUB_REDIS_URL: REDIS_URL, HUB_REDIS_PREFIX: prefix, HUB_LOG_LEVEL: 'info', NODE_OPTIONS: process.env.BENCH_HUB_NODE_OPTIONS ?? '' },
    stdio: ['ignore', fd, fd],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: { port: number; opsPort: number } | undefined;
  for (let i = 0; i < 600 && !ready; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited during start-up:\n${readFileSync(logFile, 'utf8')}`);
    const line = readFileSync(logFile, 'utf8').split('\n').find((l) => l.includes('"hub listening"'));
    if (line) ready = JSON.parse(line) as { port: number; opsPort: number };
    else await sleep(100);
  }
  if (!ready || child.pid === undefined) throw new Error(`the hub did not start within 60 s:\n${readFileSync(logFile, 'utf8')}`);
  return {
    pid: child.pid,
    url: `https://localhost:${ready.port}`,
    opsUrl: `http://127.0.0.1:${ready.opsPort}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      await deletePrefix(prefix, REDIS_URL);
      redis?.kill();
    },
  };
}
