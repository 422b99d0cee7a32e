import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevPki } from '../../src/pki/dev-pki.ts';
import { devIdentities } from '../../src/pki/identities.ts';
import { envelope, familyCase } from '../../src/simulator/cases.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../src/simulator/partner.ts';
import { copyConfig, type ConfigDir } from '../support/config-dir.ts';
import { CERTS, eventually } from '../support/hub.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';

// A region adds its municipality: two configuration files and a certificate, no code.
let config: ConfigDir;
let certs: string;
let hub: HubProcess;
const partners: SimulatedPartner[] = [];

beforeAll(async () => {
  config = copyConfig();
  certs = mkdtempSync(join(tmpdir(), 'aoh-certs-'));
  cpSync(CERTS, certs, { recursive: true });
  config.write('partners/gemeente.yaml', {
    id: 'gemeente',
    name: 'Gemeente Utrecht',
    certificate: { issuer: { CN: 'Actieoverleg Hub Development CA' }, subject: { serialNumber: '00000001002220647000' } },
    pgpPublicKeys: [join(certs, 'partners/gemeente/pgp-public.asc')],
    transport: { kind: 'pull' },
    participant: true,
    adapter: 'canonical',
    sends: [{ type: 'feedback', purposes: ['feedback'] }],
  });
  config.write('policies/gemeente.yaml', {
    policies: [
      {
        id: 'gemeente-execution',
        version: 1,
        recipient: 'gemeente',
        purpose: 'execution',
        messageTypes: ['minutes'],
        legalBasis: 'Wmo 2015 art. 5.2.6; AVG art. 6 lid 1 sub e',
        rules: [
          { category: 'identification', action: 'keep' },
          { category: 'safety-plan', action: 'keep' },
          { path: '/step2/interventions', where: { field: 'partner', in: ['$recipient'] } },
          { path: '/step2/scenarios', where: { field: 'partners', in: ['$recipient'] } },
        ],
      },
    ],
  });
  // The development PKI issues what is missing: the municipality's certificate and keys.
  await ensureDevPki(certs, devIdentities(config.dir));
  hub = await spawnHub({ env: { HUB_CONFIG_DIR: config.dir } });
}, 60_000);

afterAll(async () => {
  await Promise.all(partners.map((p) => p.close()));
  await hub?.cleanup();
  config?.remove();
  rmSync(certs, { recursive: true, force: true });
});

async function partner(id: string): Promise<SimulatedPartner> {
  const p = new SimulatedPartner(await loadPartnerCredentials(certs, id), hub.url);
  partners.push(p);
  return p;
}

describe('a sixth partner added by configuration', () => {
  it('receives the minutes as a participant, minimised by its own policy, in the canonical vocabulary', async () => {
    const vt = await partner('vt');
    const municipality = await partner('gemeente');
    const fixture = familyCase();
    const step2 = fixture.minutes.step2 as { interventions: { what: string; partner: string }[] };
    const minutes = { ...fixture.minutes, step2: { ...step2, interventions: [...step2.interventions, { what: 'Wijkteam biedt gezinsondersteuning', partner: 'gemeente' }] } };
    const answer = await vt.submit(envelope('minutes', 'execution', fixture.caseRef, minutes));
    expect(answer.status, answer.body).toBe(202);
    const deliveries = (JSON.parse(answer.body) as { deliveries: { recipient: string; deliveryId: string }[] }).deliveries;
    expect(deliveries.map((d) => d.recipient).sort()).toEqual(['gemeente', 'om', 'politie', 'reclassering', 'rvdk']);

    const got = await eventually('the municipality’s delivery', async () => (await municipality.pullAll())[0]);
    expect(got.deliveryId).toBe(deliveries.find((d) => d.recipient === 'gemeente')!.deliveryId);
    expect(got.plaintext).toMatchObject({ type: 'minutes', purpose: 'execution', policy: { id: 'gemeente-execution', version: 1 }, mapped: { format: 'canonical-v1' } });
    const payload = got.plaintext.payload as { step2: { interventions: { partner: string }[] }; notForClient?: unknown; persons: unknown[] };
    expect(payload.step2.interventions).toEqual([{ what: 'Wijkteam biedt gezinsondersteuning', partner: 'gemeente' }]);
    expect(payload.persons).toHaveLength(4);
    expect(payload.notForClient).toBeUndefined();
    expect(JSON.stringify(payload)).not.toContain('Bevel tot aanhouding');
  });

  it('may send only what its configuration lists', async () => {
    const municipality = await partner('gemeente');
    const fixture = familyCase();
    const refused = await municipality.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes));
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
