import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_TYPES } from '../../../src/messages/index.ts';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient, type HttpAnswer } from '../../../src/simulator/client.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { CERTS, eventually, PARTNER_IDS, startTestHub, type TestHub } from '../../support/hub.ts';

const PURPOSES = ['intake', 'enrichment', 'preparation', 'execution', 'feedback'];
const fixture = stalkingCase();
const person = (fixture.submission.persons as object[])[0];
const PAYLOADS: Record<string, Record<string, unknown>> = {
  submission: fixture.submission,
  agenda: fixture.agenda,
  'enrichment-request': { persons: [person], question: 'Is deze persoon bij u bekend?' },
  'enrichment-answer': { requestMessageId: randomUUID(), results: [{ personId: 'p2', known: true, kind: 'Reclasseringstoezicht' }] },
  minutes: fixture.minutes,
  feedback: { minutesMessageId: randomUUID(), actions: [{ action: 'Huisverbod opgelegd', status: 'done' }], returnToMeeting: false },
};

let t: TestHub;
const partners: Record<string, SimulatedPartner> = {};
const operators: Record<string, MutualTlsClient> = {};
let minutes: { messageId: string; to: Record<string, string> };
let submissionId: string;
let submissionDelivery: string;

beforeAll(async () => {
  t = await startTestHub();
  for (const id of PARTNER_IDS) partners[id] = await t.partner(id);
  for (const id of ['admin', 'privacy-officer']) operators[id] = new MutualTlsClient(loadClientTls(CERTS, id), t.url);
  minutes = await t.sendMinutes();
  const answer = JSON.parse((await partners.politie!.submit(envelope('submission', 'intake', fixture.caseRef, fixture.submission))).body) as { messageId: string; deliveries: { deliveryId: string }[] };
  submissionId = answer.messageId;
  submissionDelivery = answer.deliveries[0]!.deliveryId;
  // Inboxes list a delivery once the worker has made it available.
  for (const id of [...Object.values(minutes.to), submissionDelivery]) {
    await eventually(`${id} available`, async () => ((await t.events(id)).some((e) => e.event === 'available') ? true : undefined));
  }
});
afterAll(async () => {
  Object.values(operators).forEach((o) => o.close());
  await t.stop();
});

/** A 404 for someone else's resource must be byte for byte the 404 for one that does not exist. */
function sameAsMissing(other: HttpAnswer, otherId: string, missing: HttpAnswer, missingId: string): void {
  expect(other.status).toBe(404);
  expect(other.body.replaceAll(otherId, '{id}')).toBe(missing.body.replaceAll(missingId, '{id}'));
  expect(other.headers['content-type']).toBe(missing.headers['content-type']);
  expect(Object.keys(other.headers).sort()).toEqual(Object.keys(missing.headers).sort());
}

describe('a partner sees only its own', () => {
  it('cannot read, acknowledge or prove another partner’s delivery: 404, exactly as for a missing one', async () => {
    const missingId = randomUUID();
    const deliveries = [...Object.entries(minutes.to).map(([recipient, id]) => ({ id, recipient, sender: 'vt' })), { id: submissionDelivery, recipient: 'vt', sender: 'politie' }];
    for (const d of deliveries) {
      for (const id of PARTNER_IDS.filter((p) => p !== d.recipient)) {
        const p = partners[id]!;
        for (const [method, path] of [['GET', '/v1/inbox/{id}'], ['POST', '/v1/inbox/{id}/ack'], ...(id === d.sender ? [] : [['GET', '/v1/log/proof/{id}']])] as const) {
          const other = await p.request(method, path.replace('{id}', d.id));
          const missing = await p.request(method, path.replace('{id}', missingId));
          sameAsMissing(other, d.id, missing, missingId);
        }
      }
    }
    // Nobody else's attempt left a trace: every delivery is still waiting for its own recipient.
    for (const d of deliveries) {
      const events = (await t.events(d.id)).map((e) => e.event);
      expect(events).not.toContain('acknowledged');
      expect(events).not.toContain('delivered');
    }
  });

  it('lists only its own deliveries', async () => {
    for (const id of PARTNER_IDS) {
      const listed = JSON.parse((await partners[id]!.request('GET', '/v1/inbox?limit=500')).body) as { deliveries: { deliveryId: string }[] };
      for (const { deliveryId } of listed.deliveries) expect((await t.hub.store.getDelivery(deliveryId))?.recipient).toBe(id);
      const own = [...Object.entries(minutes.to).filter(([r]) => r === id).map(([, d]) => d), ...(id === 'vt' ? [submissionDelivery] : [])];
      expect(listed.deliveries.map((d) => d.deliveryId).sort()).toEqual(own.sort());
    }
  });

  it('cannot see the status of another sender’s message: 404, exactly as for a missing one', async () => {
    const missingId = randomUUID();
    for (const [messageId, sender] of [[minutes.messageId, 'vt'], [submissionId, 'politie']] as const) {
      expect((await partners[sender]!.request('GET', `/v1/messages/${messageId}`)).status).toBe(200);
      for (const id of PARTNER_IDS.filter((p) => p !== sender)) {
        const other = await partners[id]!.request('GET', `/v1/messages/${messageId}`);
        sameAsMissing(other, messageId, await partners[id]!.request('GET', `/v1/messages/${missingId}`), missingId);
      }
    }
  });

  it('gets its own deliveries still: the recipient reads and acknowledges', async () => {
    expect((await partners.vt!.request('GET', `/v1/inbox/${submissionDelivery}`)).status).toBe(200);
    expect((await partners.vt!.request('POST', `/v1/inbox/${submissionDelivery}/ack`)).status).toBe(204);
  });
});

describe('roles', () => {
  const ADMIN = [['GET', '/admin/v1/partners'], ['GET', '/admin/v1/partners/vt'], ['GET', '/admin/v1/policies'], ['GET', '/admin/v1/policies/vt-intake/versions'], ['PUT', '/admin/v1/policies/vt-intake'], ['POST', '/admin/v1/preview'], ['GET', '/admin/v1/deliveries'], ['POST', `/admin/v1/deliveries/${randomUUID()}/retry`], ['GET', '/admin/v1/tls'], ['POST', '/admin/v1/tls/reload']] as const;
  const PRIVACY = [['POST', '/privacy/v1/search'], ['GET', '/privacy/v1/records/1'], ['POST', '/privacy/v1/report'], ['GET', '/privacy/v1/log/verify'], ['GET', '/privacy/v1/informing/overdue'], ['GET', '/privacy/v1/stats'], ['GET', '/privacy/v1/audit']] as const;
  const PARTNER = [['GET', '/v1/inbox'], ['GET', `/v1/inbox/${randomUUID()}`], ['POST', `/v1/inbox/${randomUUID()}/ack`], ['POST', '/v1/messages'], ['GET', `/v1/messages/${randomUUID()}`], ['GET', '/v1/hub-key'], ['GET', '/v1/log/checkpoint'], ['GET', `/v1/log/proof/${randomUUID()}`], ['GET', '/v1/log/consistency?from=1']] as const;

  async function wrongRole(client: { request: MutualTlsClient['request'] }, endpoints: readonly (readonly [string, string])[]): Promise<string[]> {
    const allowed: string[] = [];
    for (const [method, path] of endpoints) {
      // A body that would be malformed for the endpoint: the role is checked before anything is read.
      const answer = await client.request(method, path, method === 'GET' ? undefined : '{"not": json', { 'content-type': 'application/json' });
      if (answer.status !== 403 || JSON.parse(answer.body).type !== 'urn:actieoverleg-hub:problem:wrong-role') allowed.push(`${method} ${path}: ${answer.status}`);
    }
    return allowed;
  }

  it('refuses partner certificates on every admin and privacy endpoint (403 wrong-role)', async () => {
    for (const id of PARTNER_IDS) expect(await wrongRole(partners[id]!, [...ADMIN, ...PRIVACY]), id).toEqual([]);
  });

  it('refuses operator certificates on every partner endpoint, and each operator on the other’s API (403 wrong-role)', async () => {
    expect(await wrongRole(operators.admin!, [...PARTNER, ...PRIVACY])).toEqual([]);
    expect(await wrongRole(operators['privacy-officer']!, [...PARTNER, ...ADMIN])).toEqual([]);
  });
});

describe('what a partner may send', () => {
  it('refuses every type and purpose outside the partner’s configuration (403) and accepts those inside', async () => {
    const unexpected: string[] = [];
    for (const id of PARTNER_IDS) {
      const sends = t.config.partners.find((p) => p.id === id)!.sends;
      for (const type of MESSAGE_TYPES) {
        for (const purpose of PURPOSES) {
          const allowed = sends.some((s) => s.type === type && (s.purposes as string[]).includes(purpose));
          const answer = await partners[id]!.submit(envelope(type, purpose, fixture.caseRef, PAYLOADS[type]!));
          const type_ = answer.status === 202 ? '' : JSON.parse(answer.body).type;
          const ok = allowed ? answer.status === 202 : answer.status === 403 && type_ === 'urn:actieoverleg-hub:problem:type-or-purpose-not-allowed';
          if (!ok) unexpected.push(`${id} ${type}/${purpose}: ${answer.status} ${type_}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
  });

  it('refuses a type it may not send with 403 whatever the payload, before the payload is validated', async () => {
    const answer = await partners.politie!.submit(envelope('minutes', 'execution', fixture.caseRef, { not: 'minutes' }));
    expect([answer.status, JSON.parse(answer.body).type]).toEqual([403, 'urn:actieoverleg-hub:problem:type-or-purpose-not-allowed']);
    const unknownType = await partners.politie!.submit(envelope('gossip', 'execution', fixture.caseRef, {}));
    expect([unknownType.status, JSON.parse(unknownType.body).type]).toEqual([422, 'urn:actieoverleg-hub:problem:schema-violation']);
  });
});
