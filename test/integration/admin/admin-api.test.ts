import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, familyCase } from '../../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { disclosureEntry, rowCounts } from '../../support/db.ts';
import { CERTS, eventually, startTestHub, type TestHub } from '../../support/hub.ts';

let t: TestHub;
let admin: MutualTlsClient;
let vt: SimulatedPartner;
let police: SimulatedPartner;

beforeAll(async () => {
  t = await startTestHub();
  admin = new MutualTlsClient(loadClientTls(CERTS, 'admin'), t.url);
  vt = await t.partner('vt');
  police = await t.partner('politie');
});

afterAll(async () => {
  admin?.close();
  await t?.stop();
});

async function sendMinutes(): Promise<string> {
  const fixture = familyCase();
  const answer = JSON.parse((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).body);
  return answer.deliveries.find((d: { recipient: string }) => d.recipient === 'politie').deliveryId;
}

async function policeView(deliveryId: string) {
  return eventually('the police delivery', async () => {
    await police.pullAll();
    return police.received.get(deliveryId);
  });
}

describe('the admin API', () => {
  it('is for administrator certificates only, and they cannot use partner endpoints', async () => {
    const asPartner = await police.request('GET', '/admin/v1/policies');
    expect(asPartner.status).toBe(403);
    expect(JSON.parse(asPartner.body).type).toBe('urn:actieoverleg-hub:problem:wrong-role');
    expect((await admin.request('GET', '/v1/inbox')).status).toBe(403);
    const privacyOfficer = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), t.url);
    expect((await privacyOfficer.request('GET', '/admin/v1/partners')).status).toBe(403);
    privacyOfficer.close();
  });

  it('lists the partners and the policies in force, and reads one with its version as ETag', async () => {
    const partners = await admin.json('GET', '/admin/v1/partners');
    expect(partners.body.partners.map((p: { id: string }) => p.id).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk', 'vt']);
    const policies = await admin.json('GET', '/admin/v1/policies');
    // The register of processing activities: a policy that states no retention of its own has the hub's.
    expect(policies.body.policies).toContainEqual(expect.objectContaining({ id: 'politie-execution', version: 1, recipient: 'politie', purpose: 'execution', retentionDays: t.config.hub.log.retentionDays }));
    const one = await admin.json('GET', '/admin/v1/policies/politie-execution');
    expect(one.headers.etag).toBe('"1"');
    expect(one.body).toMatchObject({ version: 1, author: 'config', policy: { id: 'politie-execution', messageTypes: ['minutes'] } });
    expect((await admin.json('GET', '/admin/v1/policies/nope')).status).toBe(404);
  });

  it('refuses a broken policy version with 422 naming the rule, and leaves the policy in force', async () => {
    const { policy } = (await admin.json('GET', '/admin/v1/policies/politie-execution')).body;
    const rules = [...policy.rules, { path: '/step2/interventions/*/budget', action: 'keep' }];
    const answer = await admin.json('PUT', '/admin/v1/policies/politie-execution', { ...policy, version: undefined, rules });
    expect(answer.status).toBe(422);
    expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(answer.body.type).toBe('urn:actieoverleg-hub:problem:invalid-policy');
    expect(answer.body.errors).toEqual([{ path: `/rules/${rules.length - 1}`, message: expect.stringContaining('/step2/interventions/*/budget') }]);
    const malformed = await admin.request('PUT', '/admin/v1/policies/politie-execution', '{"id":', { 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
    expect((await admin.json('GET', '/admin/v1/policies/politie-execution')).body.version).toBe(1);
  });

  it('applies a new version to the next submission without a restart; earlier deliveries keep theirs', async () => {
    const before = await sendMinutes();
    const { policy } = (await admin.json('GET', '/admin/v1/policies/politie-execution')).body;
    const withoutCriminalJustice = policy.rules.filter((r: { category?: string }) => r.category !== 'criminal-justice');
    const put = await admin.json('PUT', '/admin/v1/policies/politie-execution', { ...policy, version: undefined, rules: withoutCriminalJustice, comment: 'OvJ-informatie via OM' }, { 'if-match': '"1"' });
    expect(put.status).toBe(201);
    expect(put.headers.location).toBe('/admin/v1/policies/politie-execution/versions/2');
    expect(put.body).toMatchObject({ version: 2, author: 'admin', comment: 'OvJ-informatie via OM' });
    const after = await sendMinutes();

    const old = await policeView(before);
    const current = await policeView(after);
    expect(old.plaintext.policy).toEqual({ id: 'politie-execution', version: 1 });
    expect(old.plaintext.payload.criminalJustice).toBeDefined();
    expect(current.plaintext.policy).toEqual({ id: 'politie-execution', version: 2 });
    expect(current.plaintext.payload.criminalJustice).toBeUndefined();
    expect(await disclosureEntry(t.config.hub.database, before)).toMatchObject({ processingActivity: { id: 'politie-execution', version: 1 } });
    expect(await disclosureEntry(t.config.hub.database, after)).toMatchObject({ processingActivity: { id: 'politie-execution', version: 2 } });

    const versions = (await admin.json('GET', '/admin/v1/policies/politie-execution/versions')).body.versions;
    expect(versions.map((v: { version: number; author: string }) => [v.version, v.author])).toEqual([[1, 'config'], [2, 'admin']]);
    const first = (await admin.json('GET', '/admin/v1/policies/politie-execution/versions/1')).body;
    expect(first.policy.rules).toContainEqual({ category: 'criminal-justice', action: 'keep' });

    const stale = await admin.json('PUT', '/admin/v1/policies/politie-execution', { ...policy, version: undefined }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
  });

  it('previews what each recipient would receive and what is withheld, storing and sending nothing', async () => {
    const counts = await rowCounts(t.config.hub.database);
    const fixture = familyCase();
    const answer = await admin.json('POST', '/admin/v1/preview', { sender: 'vt', type: 'minutes', purpose: 'execution', caseRef: fixture.caseRef, payload: fixture.minutes });
    expect(answer.status).toBe(200);
    const byRecipient = new Map(answer.body.recipients.map((r: { recipient: string }) => [r.recipient, r]));
    expect([...byRecipient.keys()].sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk']);
    const rvdk = byRecipient.get('rvdk') as { payload: { step2: { interventions: { partner: string }[] } }; withheld: { path: string }[]; policy: { id: string } };
    expect(rvdk.policy.id).toBe('rvdk-execution');
    expect(rvdk.payload.step2.interventions.map((i) => i.partner)).toEqual(['rvdk']);
    expect(rvdk.withheld.map((w) => w.path)).toEqual(expect.arrayContaining(['/notForClient', '/medicalInformation', '/criminalJustice']));
    expect(await rowCounts(t.config.hub.database)).toEqual(counts);

    const invalid = await admin.json('POST', '/admin/v1/preview', { sender: 'vt', type: 'minutes', purpose: 'execution', payload: { ...fixture.minutes, meetingDate: 'tomorrow' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toContainEqual(expect.objectContaining({ path: '/payload/meetingDate' }));
  });

  it('publishes a processing activity’s own retention, which its document and the register show and its next disclosures keep', async () => {
    const { policy } = (await admin.json('GET', '/admin/v1/policies/om-execution')).body;
    const put = await admin.json('PUT', '/admin/v1/policies/om-execution', { ...policy, version: undefined, retentionDays: 3650 });
    expect(put.status).toBe(201);
    expect((await admin.json('GET', '/admin/v1/policies/om-execution')).body.policy).toMatchObject({ version: 2, retentionDays: 3650 });
    expect((await admin.json('GET', '/admin/v1/policies')).body.policies).toContainEqual(expect.objectContaining({ id: 'om-execution', retentionDays: 3650 }));
    const fixture = familyCase();
    const answer = JSON.parse((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).body);
    const om = answer.deliveries.find((d: { recipient: string }) => d.recipient === 'om').deliveryId;
    const entry = await disclosureEntry(t.config.hub.database, om);
    expect(Date.parse(entry!.retainUntil) - Date.parse(entry!.occurredAt)).toBe(3650 * 86_400_000);
  });
});
