import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.ts';
import type { HubConfig, Partner } from '../../src/config/types.ts';
import { startHub, type HubOptions, type RunningHub } from '../../src/hub.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { envelope, familyCase } from '../../src/simulator/cases.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../src/simulator/partner.ts';
import { testDatabase, type Dialect } from './databases.ts';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis.ts';

export const CERTS = resolve('certs');
export const PARTNER_IDS = ['vt', 'politie', 'om', 'rvdk', 'reclassering'] as const;

/** Changes one partner of a test configuration, such as its transport or delivery settings. */
export function withPartner(c: HubConfig, id: string, change: Partial<Partner>): void {
  c.partners = c.partners.map((p) => (p.id === id ? { ...p, ...change } : p));
}

/** The shipped configuration, pointed at a fresh database file in `dir`, a Redis prefix of its own and a free port. */
export function testConfig(dir: string, mutate: (c: HubConfig, dir: string) => void = () => undefined): HubConfig {
  const config = loadConfig(resolve('config'), {});
  config.hub.listen = { host: '127.0.0.1', port: 0 };
  config.hub.ops = { host: '127.0.0.1', port: 0 };
  config.hub.database = { kind: 'sqlite', path: join(dir, 'hub.db') };
  config.hub.redis = { url: REDIS_URL, prefix: uniquePrefix() };
  config.hub.recovery = { reconcileSeconds: 1, lockSeconds: 5 };
  config.hub.delivery = { ...config.hub.delivery, backoffSeconds: 0.2, maxBackoffSeconds: 1, attempts: 3, pushTimeoutSeconds: 2 };
  mutate(config, dir);
  return config;
}

export interface TestHub {
  hub: RunningHub;
  config: HubConfig;
  url: string;
  dir: string;
  logLines: string[];
  partner(id: string): Promise<SimulatedPartner>;
  /** A delivery's recorded events, oldest first. */
  events(deliveryId: string): Promise<{ event: string; at: string; detail?: string }[]>;
  /** VT sends the minutes of a new family case to every participant: the message id and each recipient's delivery id. */
  sendMinutes(): Promise<{ messageId: string; to: Record<string, string> }>;
  /** Waits until a delivery has this status, and (for a retried one) at least this many `dead` events. */
  untilStatus(deliveryId: string, status: string, deadEvents?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a real hub in this process: real TLS, real OpenPGP, real Redis, a real database (a file unless `mutate` says otherwise). */
export async function startTestHub(mutate?: (c: HubConfig, dir: string) => void, options: Pick<HubOptions, 'now' | 'loadPartners'> = {}): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), 'aoh-test-'));
  const config = testConfig(dir, mutate);
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const hub = await startHub(config, { ...options, log: createLogger({ level: 'debug', destination }) });
  const url = `https://localhost:${hub.port}`;
  const partners: SimulatedPartner[] = [];
  const testHub: TestHub = {
    hub,
    config,
    url,
    dir,
    logLines,
    async partner(id) {
      const p = new SimulatedPartner(await loadPartnerCredentials(CERTS, id), url);
      partners.push(p);
      return p;
    },
    async events(deliveryId) {
      const delivery = await hub.store.getDelivery(deliveryId);
      if (!delivery) throw new Error(`no delivery ${deliveryId}`);
      const message = await hub.store.findMessage(delivery.sender, delivery.messageId);
      return message?.deliveries.find((d) => d.deliveryId === deliveryId)?.events ?? [];
    },
    async sendMinutes() {
      const vt = await testHub.partner('vt');
      const fixture = familyCase();
      const answer = JSON.parse((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).body) as { messageId: string; deliveries: { recipient: string; deliveryId: string }[] };
      return { messageId: answer.messageId, to: Object.fromEntries(answer.deliveries.map((d) => [d.recipient, d.deliveryId])) };
    },
    async untilStatus(deliveryId, status, deadEvents = 0) {
      await eventually(`${deliveryId} ${status}`, async () => {
        const d = await hub.store.getDelivery(deliveryId);
        const dead = (await testHub.events(deliveryId)).filter((e) => e.event === 'dead').length;
        return d?.status === status && dead >= deadEvents ? true : undefined;
      });
    },
    async stop() {
      await Promise.all(partners.map((p) => p.close()));
      await hub.close();
      await deletePrefix(config.hub.redis.prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return testHub;
}

/** A test hub on a database of the dialect made for it alone; stopping the hub removes the database too. */
export async function startTestHubOn(dialect: Dialect, mutate?: (c: HubConfig, dir: string) => void): Promise<TestHub> {
  const db = await testDatabase(dialect);
  const t = await startTestHub((c, dir) => {
    c.hub.database = db.settings;
    mutate?.(c, dir);
  }).catch(async (err: unknown) => {
    await db.remove();
    throw err;
  });
  const stop = t.stop;
  t.stop = async () => {
    await stop();
    await db.remove();
  };
  return t;
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
