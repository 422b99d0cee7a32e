import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { copyConfig, type ConfigDir } from '../../support/config-dir.ts';
import { CERTS, eventually, startTestHub, type TestHub } from '../../support/hub.ts';
import { newKeyPair, partnerSigningWith } from '../../support/pgp.ts';

const fixture = stalkingCase();
const submission = () => ({ ...envelope('submission', 'intake', fixture.caseRef, fixture.submission), createdAt: new Date().toISOString() });
const OM_KEY = 'certs/partners/om/pgp-public.asc';

describe.each([{ workers: 2 }, { workers: 0 }])('reloading partner keys without a restart ($workers crypto workers)', ({ workers }) => {
  let t: TestHub;
  let files: ConfigDir;
  let admin: MutualTlsClient;
  let omNew: openpgp.PrivateKey;
  let newKeyFile: string;
  const partners: SimulatedPartner[] = [];
  const om = async (key: openpgp.PrivateKey) => {
    const partner = await partnerSigningWith('om', t.url, key);
    partners.push(partner);
    return partner;
  };
  const reload = async () => admin.json('POST', '/admin/v1/keys/reload');

  beforeAll(async () => {
    files = copyConfig();
    omNew = (await newKeyPair('OM 2027')).privateKey;
    newKeyFile = join(files.dir, 'om-2027.asc');
    writeFileSync(newKeyFile, omNew.toPublic().armor());
    t = await startTestHub((c) => (c.hub.crypto = { workers }), { loadPartners: () => loadConfig(files.dir, {}).partners });
    admin = new MutualTlsClient(loadClientTls(CERTS, 'admin'), t.url);
  });
  afterAll(async () => {
    admin.close();
    await Promise.all(partners.map((p) => p.close()));
    await t.stop();
    files.remove();
  });

  it('accepts a partner’s new key, and encrypts to it, once the file names it and an administrator reloads', async () => {
    const signingWithNew = await om(omNew);
    const before = await signingWithNew.submit(submission());
    expect([before.status, JSON.parse(before.body).type]).toEqual([403, 'urn:actieoverleg-hub:problem:bad-signature']);

    files.edit('partners/om.yaml', (doc) => (doc.pgpPublicKeys = [OM_KEY, { file: newKeyFile, validFrom: new Date(Date.now() - 60_000).toISOString() }]));
    const answer = await reload();
    expect(answer.status).toBe(200);
    const registered = (answer.body as { partners: { id: string; keys: { fingerprint: string; inForce: boolean }[] }[] }).partners.find((p) => p.id === 'om');
    expect(registered?.keys.map((k) => k.fingerprint)).toContain(omNew.getFingerprint());
    expect(registered?.keys.every((k) => k.inForce)).toBe(true);

    expect((await signingWithNew.submit(submission())).status).toBe(202);
    // The overlap: the old key signs too, as long as the file lists it.
    expect((await (await t.partner('om')).submit(submission())).status).toBe(202);
    // Deliveries to OM are now encrypted to both keys: the new one opens them.
    const { to } = await t.sendMinutes();
    // The worker puts it in the inbox after the 202: wait for it there.
    const received = await eventually('OM’s delivery in its inbox', async () => (await signingWithNew.pullAll()).find((d) => d.deliveryId === to.om));
    expect(received.plaintext).toMatchObject({ deliveryId: to.om });
  });

  it('keeps the keys in force when a partner file is broken, and names the file', async () => {
    files.edit('partners/om.yaml', (doc) => (doc.pgpPublicKeys = [join(files.dir, 'missing.asc')]));
    const answer = await reload();
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ type: 'urn:actieoverleg-hub:problem:keys-reload-failed' });
    expect((answer.body as { detail: string }).detail).toMatch(/om\.yaml[\s\S]*pgpPublicKeys/);
    expect((await (await om(omNew)).submit(submission())).status).toBe(202);
  });

  it('refuses to add or remove a partner: that needs a restart', async () => {
    files.edit('partners/om.yaml', (doc) => (doc.pgpPublicKeys = [OM_KEY]));
    files.write('partners/gemeente.yaml', { id: 'gemeente', name: 'Gemeente', certificate: { fingerprint256: 'AA'.repeat(32).replace(/(..)(?!$)/g, '$1:') }, pgpPublicKeys: [OM_KEY], participant: false });
    const answer = await reload();
    expect(answer.status).toBe(422);
    expect((answer.body as { detail: string }).detail).toMatch(/gemeente.*needs a restart/);
  });

  it('is for administrators only', async () => {
    expect((await (await t.partner('vt')).request('POST', '/admin/v1/keys/reload')).status).toBe(403);
    expect((await admin.json('GET', '/admin/v1/keys')).status).toBe(200);
  });
});
