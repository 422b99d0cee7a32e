import { afterEach, describe, expect, it } from 'vitest';
import { envelope, familyCase } from '../../src/simulator/cases.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../src/simulator/partner.ts';
import { copyConfig, fastDelivery, pushTo, type ConfigDir } from '../support/config-dir.ts';
import { CERTS, eventually } from '../support/hub.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { freePort } from '../support/net.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';

// Real processes throughout: the hub is `npm start`'s command (`node … src/main.ts`) in a child process, the police and the OM
// are HTTPS servers and clients with their own certificates, Redis is a real server.

interface RecipientStatus {
  recipient: string;
  deliveryId: string;
  status: string;
  events: { event: string; at: string; detail?: string }[];
}

let hub: HubProcess | undefined;
let config: ConfigDir | undefined;
let redis: RedisServer | undefined;
const partners: SimulatedPartner[] = [];

afterEach(async () => {
  await Promise.all(partners.splice(0).map((p) => p.close()));
  await hub?.cleanup();
  await redis?.kill();
  config?.remove();
  hub = config = redis = undefined;
});

async function partner(id: string, hubUrl: string): Promise<SimulatedPartner> {
  const p = new SimulatedPartner(await loadPartnerCredentials(CERTS, id), hubUrl);
  partners.push(p);
  return p;
}

/** A hub process whose OM receives by push at a port chosen now, where nothing listens yet. */
async function hubWithOmPush(redisUrl?: string): Promise<{ omPort: number }> {
  const omPort = await freePort();
  config = copyConfig();
  fastDelivery(config);
  pushTo(config, 'om', `https://localhost:${omPort}/deliveries`);
  hub = await spawnHub({ env: { HUB_CONFIG_DIR: config.dir }, ...(redisUrl ? { redisUrl } : {}) });
  return { omPort };
}

/** Sends minutes of `count` cases from VT to every participant; returns the message ids. */
async function sendMinutes(vt: SimulatedPartner, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const fixture = familyCase();
    const answer = await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes));
    expect(answer.status, answer.body).toBe(202);
    ids.push((JSON.parse(answer.body) as { messageId: string }).messageId);
  }
  return ids;
}

async function statusesFor(vt: SimulatedPartner, messageIds: string[], recipient: string): Promise<RecipientStatus[]> {
  return Promise.all(
    messageIds.map(async (id) => {
      const answer = await vt.request('GET', `/v1/messages/${id}`);
      expect(answer.status, answer.body).toBe(200);
      return (JSON.parse(answer.body) as { recipients: RecipientStatus[] }).recipients.find((r) => r.recipient === recipient)!;
    }),
  );
}

function until(vt: SimulatedPartner, messageIds: string[], recipient: string, what: string, done: (s: RecipientStatus) => boolean, timeoutMs = 30_000) {
  return eventually(
    `${recipient}: ${what}`,
    async () => {
      const all = await statusesFor(vt, messageIds, recipient);
      return all.every(done) ? all : undefined;
    },
    timeoutMs,
  );
}

const inInbox = (s: RecipientStatus) => s.events.some((e) => e.event === 'available');
const failedWith = (pattern: RegExp) => (s: RecipientStatus) => s.events.some((e) => e.event === 'failed' && pattern.test(e.detail ?? ''));

/** Every delivery arrived once at the partner, and its record ends in exactly one `delivered`. */
function expectDeliveredOnce(om: SimulatedPartner, final: RecipientStatus[]): void {
  expect([...om.received.keys()].sort()).toEqual(final.map((s) => s.deliveryId).sort());
  for (const s of final) {
    expect(s.events[0]?.event).toBe('queued');
    expect(s.events.filter((e) => e.event === 'delivered')).toHaveLength(1);
    expect(s.events.at(-1)?.event).toBe('delivered');
    expect(s.events.some((e) => e.event === 'dead')).toBe(false);
  }
}

describe('delivery under faults, with the hub as a separate process', () => {
  it('keeps delivering through a partner that is down, then answers 500, then times out, then recovers', async () => {
    const { omPort } = await hubWithOmPush();
    const vt = await partner('vt', hub!.url);
    const police = await partner('politie', hub!.url);
    const messages = await sendMinutes(vt, 4);

    await until(vt, messages, 'om', 'refused while down', failedWith(/ECONNREFUSED/));
    // The OM's outage delays nobody else: the police's copies are already in their inbox.
    await until(vt, messages, 'politie', 'available to the police', inInbox);
    expect(await police.pullAll()).toHaveLength(4);

    const om = await partner('om', hub!.url);
    om.pushMode = 'fail';
    await om.startPushServer('hub', omPort);
    await until(vt, messages, 'om', 'HTTP 500', failedWith(/HTTP 500/));
    expect(om.received.size).toBe(0);

    om.pushMode = 'stall';
    await until(vt, messages, 'om', 'timed out', failedWith(/no answer within/));

    om.pushMode = 'accept';
    const final = await until(vt, messages, 'om', 'delivered', (s) => s.status === 'delivered');
    expectDeliveredOnce(om, final);
    // The stalled attempts reached the OM too: only its deduplication on Idempotency-Key keeps it at once.
    expect(om.pushRequests).toBeGreaterThan(om.received.size);
  }, 90_000);

  it('loses no delivery when Redis is killed and comes back empty', async () => {
    redis = await startRedisServer();
    const { omPort } = await hubWithOmPush(redis.url);
    const vt = await partner('vt', hub!.url);
    const police = await partner('politie', hub!.url);
    const before = await sendMinutes(vt, 3);
    await until(vt, before, 'om', 'a first failed attempt', failedWith(/ECONNREFUSED/));

    await redis.kill();
    // Accepted while Redis is gone: the database holds the deliveries, the 202 does not wait for Redis.
    const during = await sendMinutes(vt, 2);
    await redis.start();

    const om = await partner('om', hub!.url);
    await om.startPushServer('hub', omPort);
    const messages = [...before, ...during];
    const final = await until(vt, messages, 'om', 'delivered', (s) => s.status === 'delivered');
    expectDeliveredOnce(om, final);
    await until(vt, messages, 'politie', 'available to the police', inInbox);
    expect((await police.pullAll()).map((d) => d.deliveryId).sort()).toEqual((await statusesFor(vt, messages, 'politie')).map((s) => s.deliveryId).sort());
  }, 90_000);

  it('delivers each delivery exactly once after the hub is killed with SIGKILL mid-delivery and restarted', async () => {
    const { omPort } = await hubWithOmPush();
    const vt = await partner('vt', hub!.url);
    const om = await partner('om', hub!.url);
    // The OM stores what arrives but its answers never come back: the hub is mid-delivery when it dies.
    om.pushMode = 'stall';
    await om.startPushServer('hub', omPort);
    const messages = await sendMinutes(vt, 4);
    await eventually('the OM holding every delivery', async () => (om.received.size === 4 ? true : undefined));
    const requestsBeforeKill = om.pushRequests;

    expect(await hub!.stop('SIGKILL')).toBe('SIGKILL');
    om.pushMode = 'accept';
    hub = await hub!.restart();

    const final = await until(vt, messages, 'om', 'delivered after the restart', (s) => s.status === 'delivered');
    expectDeliveredOnce(om, final);
    expect(om.pushRequests).toBeGreaterThan(requestsBeforeKill);
  }, 90_000);
});
