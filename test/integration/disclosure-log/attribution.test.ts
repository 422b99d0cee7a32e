import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, familyCase } from '../../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import { CERTS, startTestHub, type TestHub } from '../../support/hub.ts';

/**
 * A policy that lets only some persons through: the log must name exactly those, found through the
 * privacy officer's API by their own BSN, not the persons who happened to sit at the same positions.
 */
let t: TestHub;
let officer: MutualTlsClient;
let toPolice: string;
const fixture = familyCase();
type Person = { personId: string; role: string; bsn: string };
const persons = fixture.minutes.persons as Person[];

beforeAll(async () => {
  t = await startTestHub((c) => {
    c.policies = c.policies.map((p) => (p.id === 'politie-execution' ? { ...p, rules: [...p.rules, { path: '/persons', where: { field: 'role', in: ['child'] } }] } : p));
  });
  officer = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), t.url);
  const vt = await t.partner('vt');
  const answer = await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes));
  expect(answer.status, answer.body).toBe(202);
  toPolice = (JSON.parse(answer.body) as { deliveries: { recipient: string; deliveryId: string }[] }).deliveries.find((d) => d.recipient === 'politie')!.deliveryId;
});

afterAll(async () => {
  officer?.close();
  await t?.stop();
});

describe('the persons a filtered disclosure is logged for', () => {
  it('are the children the police policy lets through, and nobody else', async () => {
    expect(persons.findIndex((p) => p.role === 'child')).toBeGreaterThan(0);
    for (const person of persons) {
      const { body } = await officer.json('POST', '/privacy/v1/search', { bsn: person.bsn, partner: 'politie' });
      const toPoliceOfPerson = (body.disclosures as { deliveryId: string; subject: { role: string } }[]).filter((d) => d.deliveryId === toPolice);
      expect(toPoliceOfPerson.map((d) => d.subject.role), `${person.personId} (${person.role})`).toEqual(person.role === 'child' ? ['child'] : []);
    }
    const entries = (await t.hub.store.log.entriesOfDelivery(toPolice)).filter((e) => e.entry?.kind === 'disclosure');
    expect(entries).toHaveLength(persons.filter((p) => p.role === 'child').length);
  });

  it('still name every person for a recipient whose policy keeps the whole list', async () => {
    for (const person of persons) {
      const { body } = await officer.json('POST', '/privacy/v1/search', { bsn: person.bsn, partner: 'om' });
      expect((body.disclosures as { recipient: string }[]).filter((d) => d.recipient === 'om'), person.personId).toHaveLength(1);
    }
  });
});
