import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { queryRows, storedRows } from '../../support/db.ts';
import { eventually, startTestHub, type TestHub } from '../../support/hub.ts';
import { testClock } from '../../support/pgp.ts';

const clock = testClock();
const fixture = stalkingCase();
const secondsAgo = (s: number) => new Date(clock.now().getTime() - s * 1000).toISOString();
const submission = (createdAt = clock.now().toISOString()) => ({ ...envelope('submission', 'intake', fixture.caseRef, fixture.submission), createdAt });

let t: TestHub;
let politie: SimulatedPartner;
let om: SimulatedPartner;

beforeAll(async () => {
  t = await startTestHub((c) => {
    c.hub.acceptWindow = { maxAgeSeconds: 600, maxSkewSeconds: 60 };
  }, { now: clock.now });
  [politie, om] = await Promise.all([t.partner('politie'), t.partner('om')]);
});
afterAll(async () => t.stop());

const stored = () => storedRows(t.config.hub.database);
const body = (answer: { body: string }) => JSON.parse(answer.body) as Record<string, unknown>;

describe('the accepted window of createdAt', () => {
  it('refuses a createdAt older than hub.acceptWindow.maxAgeSeconds, and accepts one just inside', async () => {
    const before = await stored();
    const old = await politie.submit(submission(secondsAgo(660)));
    expect(old.status).toBe(422);
    expect(body(old)).toMatchObject({ type: 'urn:actieoverleg-hub:problem:outside-accepted-window', errors: [{ path: '/createdAt', message: expect.stringMatching(/replay/) }] });
    expect(await stored()).toEqual(before);
    expect((await politie.submit(submission(secondsAgo(540)))).status).toBe(202);
  });

  it('refuses a createdAt further in the future than maxSkewSeconds, and accepts a small skew', async () => {
    expect(body(await politie.submit(submission(secondsAgo(-120))))).toMatchObject({ status: 422, errors: [{ path: '/createdAt', message: 'in the future' }] });
    expect((await politie.submit(submission(secondsAgo(-30)))).status).toBe(202);
  });
});

describe('a reused messageId (API.md)', () => {
  it('answers the same content again with 200 and the same body, storing nothing new, even after the window', async () => {
    clock.set(0);
    const env = submission();
    const sealed = await politie.seal(env);
    const send = () => politie.request('POST', '/v1/messages', sealed, { 'content-type': 'application/pgp-encrypted' });
    const first = await send();
    expect(first.status).toBe(202);
    const after = await stored();
    const again = await send();
    expect([again.status, body(again).deliveries]).toEqual([200, body(first).deliveries]);
    // A replay of the very same ciphertext a day later is still only a repeat: no new delivery.
    clock.set(1);
    const replay = await send();
    expect([replay.status, body(replay).deliveries]).toEqual([200, body(first).deliveries]);
    expect(await stored()).toEqual(after);
    clock.set(0);
  });

  it('answers a repeat with the first body even after the recipient acknowledged the delivery', async () => {
    const sealed = await politie.seal(submission());
    const send = () => politie.request('POST', '/v1/messages', sealed, { 'content-type': 'application/pgp-encrypted' });
    const first = await send();
    expect(first.status).toBe(202);
    const [delivery] = body(first).deliveries as { deliveryId: string }[];
    const vt = await t.partner('vt');
    await eventually('the delivery in VT’s inbox', async () => ((await vt.pullAll()).some((d) => d.deliveryId === delivery!.deliveryId) ? true : undefined));
    await t.untilStatus(delivery!.deliveryId, 'acknowledged');
    const again = await send();
    expect([again.status, body(again)]).toEqual([200, body(first)]);
  });

  it('refuses the same messageId with other content with 409, storing nothing', async () => {
    const env = submission();
    expect((await politie.submit(env)).status).toBe(202);
    const before = await stored();
    for (const changed of [{ ...env, caseRef: 'VT-2026-999999' }, { ...env, createdAt: secondsAgo(5) }]) {
      const answer = await politie.submit(changed);
      expect([answer.status, body(answer).type]).toEqual([409, 'urn:actieoverleg-hub:problem:message-id-conflict']);
    }
    expect(await stored()).toEqual(before);
  });

  it('keeps messageIds per sender: another partner’s use of the same id is its own message and reveals nothing', async () => {
    const env = submission();
    expect((await politie.submit(env)).status).toBe(202);
    const theirs = await om.submit({ ...env, caseRef: 'VT-2026-000777' });
    expect(theirs.status).toBe(202);
    expect((await om.request('GET', `/v1/messages/${env.messageId}`)).body).toContain('VT-2026-000777');
    expect((await politie.request('GET', `/v1/messages/${env.messageId}`)).body).not.toContain('VT-2026-000777');
  });

  it('stores one message when the same submission arrives twice at once', async () => {
    const sealed = await politie.seal(submission());
    const before = await stored();
    const answers = await Promise.all([1, 2, 3].map(() => politie.request('POST', '/v1/messages', sealed, { 'content-type': 'application/pgp-encrypted' })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 202]);
    expect(new Set(answers.map((a) => JSON.stringify(body(a).deliveries))).size).toBe(1);
    const after = await stored();
    expect({ messages: after.messages, deliveries: after.deliveries }).toEqual({ messages: before.messages + 1, deliveries: before.deliveries + 1 });
    // The new disclosure entries (one per person) are all of the one delivery, however many copies arrived.
    const [delivery] = body(answers[0]!).deliveries as { deliveryId: string }[];
    const [own] = await queryRows(t.config.hub.database, `SELECT COUNT(*) AS n FROM log_entries WHERE kind = 'disclosure' AND delivery_id = '${delivery!.deliveryId}'`);
    expect(Number(own!.n)).toBeGreaterThan(0);
    expect(after.disclosures - before.disclosures).toBe(Number(own!.n));
  });
});
