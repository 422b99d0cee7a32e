import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import { storedRows } from '../../support/db.ts';
import { CERTS, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';
import { testClock } from '../../support/pgp.ts';
import { startRedisServer, type RedisServer } from '../../support/redis-server.ts';

const clock = testClock();
const fixture = stalkingCase();
const hour = { perSeconds: 3600 };
const submission = () => ({ ...envelope('submission', 'intake', fixture.caseRef, fixture.submission), createdAt: clock.now().toISOString() });

let t: TestHub;
let redis: RedisServer;
const clients: MutualTlsClient[] = [];
const stored = () => storedRows(t.config.hub.database);

beforeAll(async () => {
  // A Redis of this file's own, so that one test can kill it.
  redis = await startRedisServer();
  t = await startTestHub(
    (c) => {
      c.hub.redis.url = redis.url;
      c.hub.rateLimits = { submit: { max: 2, ...hour }, read: { max: 5, ...hour }, admin: { max: 2, ...hour }, privacy: { max: 3, ...hour } };
      c.hub.limits = { requestBytes: 64 * 1024, decompressedBytes: 256 * 1024, jsonValues: 100_000 };
      withPartner(c, 'politie', { rateLimits: { submit: { max: 4, ...hour } } });
      withPartner(c, 'reclassering', { rateLimits: { submit: { max: 100, ...hour } } });
    },
    { now: clock.now },
  );
});
afterAll(async () => {
  clients.forEach((c) => c.close());
  await t.stop();
  await redis.kill();
});

function operator(dir: string): MutualTlsClient {
  const client = new MutualTlsClient(loadClientTls(CERTS, dir), t.url);
  clients.push(client);
  return client;
}

async function submitAll(partner: SimulatedPartner, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await partner.submit(submission())).status);
  return statuses;
}

describe('rate limits', () => {
  it('refuses submissions over the partner’s limit with 429, rate-limited and Retry-After, storing nothing', async () => {
    const om = await t.partner('om');
    expect(await submitAll(om, 2)).toEqual([202, 202]);
    const before = await stored();
    const answer = await om.submit(submission());
    expect(answer.status).toBe(429);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ type: 'urn:actieoverleg-hub:problem:rate-limited', status: 429 });
    expect(answer.headers['retry-after']).toBe('1800');
    expect(await stored()).toEqual(before);
    expect(await t.hub.metrics.registry.metrics()).toContain('aoh_rate_limited_total{caller="om",endpoint="submit"} 1');
  });

  it('counts each endpoint class and each partner separately, with per-partner overrides', async () => {
    const om = await t.partner('om');
    expect((await om.request('GET', '/v1/inbox')).status).toBe(200);
    const politie = await t.partner('politie');
    expect(await submitAll(politie, 5)).toEqual([202, 202, 202, 202, 429]);
    const rvdk = await t.partner('rvdk');
    const reads = [];
    for (let i = 0; i < 6; i++) reads.push((await rvdk.request('GET', '/v1/inbox')).status);
    expect(reads).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts a submission against the submit limit however its path is spelt, as Express routes them all to it', async () => {
    const rvdk = await t.partner('rvdk');
    const statuses = [];
    for (const path of ['/V1/Messages', '/v1/messages/', '/v1/Messages']) statuses.push((await rvdk.request('POST', path, await rvdk.seal(submission()), { 'content-type': 'application/pgp-encrypted' })).status);
    expect(statuses).toEqual([202, 202, 429]);
  });

  it('limits administrators and privacy officers in their own classes', async () => {
    const admin = operator('admin');
    expect([(await admin.json('GET', '/admin/v1/partners')).status, (await admin.json('GET', '/admin/v1/partners')).status, (await admin.json('GET', '/Admin/V1/Partners/')).status]).toEqual([200, 200, 429]);
    const officer = operator('privacy-officer');
    expect((await officer.json('GET', '/privacy/v1/log/verify')).status).toBe(200);
  });

  it('gives tokens back as time passes', async () => {
    clock.set(1800 / 86_400);
    const om = await t.partner('om');
    expect(await submitAll(om, 2)).toEqual([202, 429]);
  });

  // Redis stays down for the rest of this file (nothing after needs it), and the hub closes without it.
  it('keeps accepting and limiting submissions while Redis is down: the buckets live in the process', async () => {
    await redis.kill();
    const vt = await t.partner('vt');
    const agenda = () => ({ ...envelope('agenda', 'preparation', fixture.caseRef, fixture.agenda), createdAt: clock.now().toISOString() });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await vt.submit(agenda())).status);
    expect(statuses).toEqual([202, 202, 429]);
  });
});

describe('size limits', () => {
  it('refuses a body over hub.limits.requestBytes with 413, with or without a Content-Length', async () => {
    const reclassering = await t.partner('reclassering');
    const big = '-----BEGIN PGP MESSAGE-----\n' + 'A'.repeat(t.config.hub.limits.requestBytes);
    const before = await stored();
    const sized = await reclassering.request('POST', '/v1/messages', big, { 'content-type': 'application/pgp-encrypted' });
    expect([sized.status, JSON.parse(sized.body).type]).toEqual([413, 'urn:actieoverleg-hub:problem:too-large']);
    const chunked = await chunkedPost(big);
    expect([chunked.status, JSON.parse(chunked.body).type]).toEqual([413, 'urn:actieoverleg-hub:problem:too-large']);
    expect(await stored()).toEqual(before);
  });

  it('refuses a compressed message that expands beyond hub.limits.decompressedBytes with 413', async () => {
    const reclassering = await t.partner('reclassering');
    const bomb = JSON.stringify({ ...submission(), padding: ' '.repeat(4 * t.config.hub.limits.decompressedBytes) });
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: bomb }),
      encryptionKeys: await reclassering.hubPublicKey(),
      signingKeys: await openpgp.readPrivateKey({ armoredKey: readFileSync(`${CERTS}/partners/reclassering/pgp-private.asc`, 'utf8') }),
      config: { preferredCompressionAlgorithm: openpgp.enums.compression.zlib },
    });
    expect(armored.length).toBeLessThan(t.config.hub.limits.requestBytes);
    const answer = await reclassering.request('POST', '/v1/messages', armored, { 'content-type': 'application/pgp-encrypted' });
    expect([answer.status, JSON.parse(answer.body).type]).toEqual([413, 'urn:actieoverleg-hub:problem:too-large']);
  });
});

/** A POST without Content-Length, so that the limit must be enforced while reading. */
function chunkedPost(body: string): Promise<{ status: number; body: string }> {
  const tls = loadClientTls(CERTS, 'partners/reclassering');
  return new Promise((resolve, reject) => {
    const req = request(new URL('/v1/messages', t.url), { method: 'POST', ...tls, agent: false, headers: { 'content-type': 'application/pgp-encrypted', 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 8192) req.write(body.slice(i, i + 8192));
    req.end();
  });
}
