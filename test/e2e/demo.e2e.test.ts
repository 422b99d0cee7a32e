import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientTls, MutualTlsClient } from '../../src/simulator/client.ts';
import { CERTS, eventually, PARTNER_IDS } from '../support/hub.ts';
import { freePort } from '../support/net.ts';
import { REDIS_URL } from '../support/redis.ts';
import { Redis } from 'ioredis';

// The README's quick start: `npm run demo` gets a newcomer a running hub with five simulated partners.
describe('npm run demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aoh-demo-'));
  let port: number;
  let output = '';
  let exited: Promise<number | string>;
  let child: ReturnType<typeof spawn>;

  beforeAll(async () => {
    port = await freePort();
    child = spawn(process.execPath, ['src/demo/main.ts'], {
      env: { ...process.env, HUB_PORT: String(port), HUB_OPS_PORT: String(await freePort()), HUB_DATABASE_PATH: join(dir, 'demo.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    await eventually('the demo to report and keep running', async () => (output.includes('== Running') ? true : undefined), 50_000);
  });

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports, for every partner, what it received and what the hub withheld', () => {
    for (const id of PARTNER_IDS) expect(output).toMatch(new RegExp(`^${id}:$`, 'm'));
    expect(output).toContain('withheld categories: contact, criminal-justice, medical, not-for-client, safety-plan');
    expect(output).not.toMatch(/HTTP [45]\d\d/);
  });

  it('leaves a hub running whose disclosure log a privacy officer can verify', async () => {
    const officer = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), `https://localhost:${port}`);
    const answer = await officer.request('GET', '/privacy/v1/log/verify');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ intact: true });
    expect((await officer.request('GET', '/privacy/console/')).status).toBe(200);
    officer.close();
  });

  it('stops on Ctrl-C, and takes its queues out of Redis', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = `aoh-demo-${child.pid}:*`;
    try {
      expect((await redis.keys(prefix)).length).toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(await redis.keys(prefix)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
