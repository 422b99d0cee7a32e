import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { eventually, startTestHub, type TestHub } from '../../support/hub.ts';

// Meetings tomorrow and a week later (UTC); the cut-off for tomorrow's was midnight today, so it has passed.
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const weekLater = day(8);
let t: TestHub;

beforeAll(async () => {
  t = await startTestHub((c) => {
    c.meetings = { timeZone: 'UTC', weekdays: ['tuesday'], dates: [day(1), weekLater], skip: [], time: '23:59', cutOff: { daysBefore: 1, time: '00:00' } };
  });
});
afterAll(async () => t?.stop());

describe('submissions and the meeting cut-off', () => {
  it('accepts a late submission by a partner, marks it for the following meeting and says so', async () => {
    const police = await t.partner('politie');
    const fixture = stalkingCase();
    const answer = await police.submit(envelope('submission', 'intake', fixture.caseRef, fixture.submission));
    expect(answer.status).toBe(202);
    const body = JSON.parse(answer.body);
    expect(body.meeting).toEqual({ urgent: false, date: weekLater, startsAt: `${weekLater}T23:59:00.000Z`, cutOff: `${day(7)}T00:00:00.000Z`, deferred: true });
    // The sender's status and the chair's delivery carry the same assignment.
    const status = JSON.parse((await police.request('GET', `/v1/messages/${body.messageId}`)).body);
    expect(status.meeting).toEqual(body.meeting);
    const vt = await t.partner('vt');
    const delivered = await eventually('the submission at VT', async () => (await vt.pullAll())[0]);
    expect(delivered.plaintext.meeting).toEqual(body.meeting);
  });

  it('puts an urgent submission on no meeting', async () => {
    const police = await t.partner('politie');
    const urgent = stalkingCase();
    const urgentAnswer = JSON.parse((await police.submit(envelope('submission', 'intake', urgent.caseRef, { ...urgent.submission, urgent: true }))).body);
    expect(urgentAnswer.meeting).toEqual({ urgent: true });
  });

  it('refuses a submission without a concrete question, naming the field', async () => {
    const police = await t.partner('politie');
    const { question: _q, ...payload } = stalkingCase().submission;
    const answer = await police.submit(envelope('submission', 'intake', 'VT-2026-000999', payload));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body).errors).toContainEqual(expect.objectContaining({ path: '/payload/question' }));
  });
});
