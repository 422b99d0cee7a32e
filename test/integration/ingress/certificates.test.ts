import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCrl } from '../../../src/pki/crl.ts';
import { createCa, issueLeaf, issuerToPem, type IssuedLeaf } from '../../../src/pki/x509.ts';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { storedRows } from '../../support/db.ts';
import { CERTS, eventually, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';
import { testClock } from '../../support/pgp.ts';
import { clientLeaf, devCa, fingerprint, keepAliveAgent, refusedHandshakes, tlsRequest } from '../../support/tls.ts';

const root = devCa();
// A second CA level: the hub trusts it, so its certificates pass the handshake only while it has a CRL too.
const intermediate = createCa('Actieoverleg Hub Test Intermediate CA', 365, root);
const dir = mkdtempSync(join(tmpdir(), 'aoh-crl-'));
const crlPath = join(dir, 'crl.pem');
const caBundle = join(dir, 'ca-bundle.pem');
const serverCert = join(dir, 'server.crt');
const serverKey = join(dir, 'server.key');
let crlNumber = 0;

/** Publishes CRLs for both CA levels (or for the root only), as an operator's CRL job would. */
function publish(revoked: IssuedLeaf[], levels: 'both' | 'root' = 'both', nextUpdate = new Date(Date.now() + 86_400_000)): void {
  const entries = revoked.map((l) => ({ serial: l.serial, revokedAt: new Date() }));
  const crls = [issueCrl(root, { revoked: entries, number: ++crlNumber, nextUpdate })];
  if (levels === 'both') crls.push(issueCrl(intermediate, { revoked: [], number: crlNumber, nextUpdate }));
  writeFileSync(crlPath, crls.join('\n'));
}

const fixture = stalkingCase();
const clock = testClock();
const pinnedRvdk = clientLeaf(root, { CN: 'rvdk-system-2026', O: 'Raad voor de Kinderbescherming' });
let t: TestHub;

beforeAll(async () => {
  publish([]);
  writeFileSync(caBundle, readFileSync(join(CERTS, 'ca.crt'), 'utf8') + issuerToPem(intermediate).certPem);
  writeFileSync(serverCert, readFileSync(join(CERTS, 'hub/server.crt')));
  writeFileSync(serverKey, readFileSync(join(CERTS, 'hub/server.key')));
  t = await startTestHub(
    (c) => {
      c.hub.tls.ca = caBundle;
      c.hub.tls.cert = serverCert;
      c.hub.tls.key = serverKey;
      c.hub.tls.crl = [crlPath];
      withPartner(c, 'rvdk', { certificate: { fingerprint256: fingerprint(pinnedRvdk) } });
    },
    { now: clock.now },
  );
});
afterAll(async () => {
  await t.stop();
  rmSync(dir, { recursive: true, force: true });
});

const admin = () => ({ cert: readFileSync(join(CERTS, 'admin/client.crt'), 'utf8'), key: readFileSync(join(CERTS, 'admin/client.key'), 'utf8') });
const as = (leaf: IssuedLeaf) => ({ cert: leaf.certPem, key: leaf.keyPem });

async function readiness(): Promise<{ status: number; checks: Record<string, string> }> {
  const res = await fetch(`http://127.0.0.1:${t.hub.opsPort}/readyz`);
  return { status: res.status, checks: ((await res.json()) as { checks: Record<string, string> }).checks };
}

/** The handshake fails, and the hub's log names this reason for it (not for an earlier refusal). */
async function refusedWith(leaf: IssuedLeaf, reason: string): Promise<void> {
  const earlier = t.logLines.length;
  await expect(tlsRequest(t.url, '/v1/inbox', as(leaf))).rejects.toThrow();
  await eventually(`handshake refused with ${reason}`, async () => (refusedHandshakes(t.logLines.slice(earlier)).includes(reason) ? true : undefined));
}

describe('certificate revocation', () => {
  it('refuses a revoked certificate at the handshake after a reload, without a restart, and cuts its open connection', async () => {
    const revoked = clientLeaf(root);
    const kept = clientLeaf(root);
    const agent = keepAliveAgent(revoked);
    expect((await tlsRequest(t.url, '/v1/inbox', { agent })).status).toBe(200);

    publish([revoked]);
    const reload = await tlsRequest(t.url, '/admin/v1/tls/reload', { ...admin(), method: 'POST' });
    expect(reload.status).toBe(200);
    const status = JSON.parse(reload.body) as { crls: { issuer: string; revoked: number; expired: boolean }[] };
    expect(status.crls.map((c) => [c.issuer.split('\n')[0], c.revoked, c.expired])).toEqual([
      ['CN=Actieoverleg Hub Development CA', 1, false],
      ['CN=Actieoverleg Hub Test Intermediate CA', 0, false],
    ]);

    // Its open connection is cut at the next request, before anything is done: nothing is stored.
    const sealed = await (await t.partner('politie')).seal(envelope('submission', 'intake', fixture.caseRef, fixture.submission));
    const before = await storedRows(t.config.hub.database);
    await expect(tlsRequest(t.url, '/v1/messages', { agent, method: 'POST', body: sealed, headers: { 'content-type': 'application/pgp-encrypted' } })).rejects.toThrow();
    expect(t.logLines.some((l) => l.includes('request on a connection of a certificate revoked since its handshake'))).toBe(true);
    expect(await storedRows(t.config.hub.database)).toEqual(before);
    // A new connection of the same agent offers its cached TLS session: resuming it must not get past the CRL.
    await expect(tlsRequest(t.url, '/v1/inbox', { agent })).rejects.toThrow();
    agent.destroy();
    await refusedWith(revoked, 'CERT_REVOKED');
    expect((await tlsRequest(t.url, '/v1/inbox', as(kept))).status).toBe(200);
    const metrics = await t.hub.metrics.registry.metrics();
    expect(metrics).toMatch(/aoh_tls_handshakes_refused_total\{reason="CERT_REVOKED"\} [1-9]/);
    expect(metrics).toMatch(/aoh_tls_crl_next_update_timestamp_seconds\{issuer="CN=Actieoverleg Hub Development CA, O=Actieoverleg Hub \(development\)"\} \d+/);
  });

  it('keeps the previous TLS context when a reload finds a broken CRL, and reports the error', async () => {
    const revoked = clientLeaf(root);
    publish([revoked]);
    expect((await tlsRequest(t.url, '/admin/v1/tls/reload', { ...admin(), method: 'POST' })).status).toBe(200);
    writeFileSync(crlPath, '-----BEGIN X509 CRL-----\nbm90IGEgY3Js\n-----END X509 CRL-----\n');
    const broken = await tlsRequest(t.url, '/admin/v1/tls/reload', { ...admin(), method: 'POST' });
    expect(broken.status).toBe(422);
    expect(JSON.parse(broken.body)).toMatchObject({ type: 'urn:actieoverleg-hub:problem:tls-reload-failed', detail: expect.stringContaining(crlPath) });
    // The previous CRLs still hold: the revoked certificate stays out, the others stay in.
    await refusedWith(revoked, 'CERT_REVOKED');
    expect((await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root)))).status).toBe(200);
  });

  it('needs a CRL for every CA level: without the intermediate’s, its certificates are refused', async () => {
    const fromIntermediate = clientLeaf(intermediate, { CN: 'someone', O: 'Elsewhere' });
    publish([]);
    t.hub.reloadTls();
    expect((await tlsRequest(t.url, '/v1/inbox', as(fromIntermediate))).status).toBe(403);
    publish([], 'root');
    t.hub.reloadTls();
    await refusedWith(fromIntermediate, 'UNABLE_TO_GET_CRL');
    expect((await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root)))).status).toBe(200);
    publish([]);
    t.hub.reloadTls();
  });

  it('cuts an open connection whose intermediate CA a reloaded CRL revokes, at its next request', async () => {
    const fromIntermediate = clientLeaf(intermediate, { CN: 'someone', O: 'Elsewhere' });
    const agent = keepAliveAgent(fromIntermediate);
    expect((await tlsRequest(t.url, '/v1/inbox', { agent })).status).toBe(403);
    const serial = intermediate.cert.serialNumber;
    publish([{ serial } as IssuedLeaf]);
    t.hub.reloadTls();
    const earlier = t.logLines.length;
    await expect(tlsRequest(t.url, '/v1/inbox', { agent })).rejects.toThrow();
    const cut = t.logLines.slice(earlier).find((l) => l.includes('revoked since its handshake'));
    expect(JSON.parse(cut!).serial.toLowerCase()).toBe(serial.toLowerCase());
    agent.destroy();
    await refusedWith(fromIntermediate, 'CERT_REVOKED');
    publish([]);
    t.hub.reloadTls();
  });

  it('renews the hub’s own server certificate on reload, and keeps it when the new key does not match', async () => {
    const renewed = issueLeaf(root, { subject: { CN: 'localhost', O: 'Actieoverleg Hub' }, usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    writeFileSync(serverCert, renewed.certPem);
    writeFileSync(serverKey, renewed.keyPem);
    t.hub.reloadTls();
    const politie = () => tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root)));
    expect((await politie()).serverSerial).toBe(renewed.serial.toUpperCase());
    writeFileSync(serverKey, clientLeaf(root).keyPem);
    const mismatch = await tlsRequest(t.url, '/admin/v1/tls/reload', { ...admin(), method: 'POST' });
    expect([mismatch.status, JSON.parse(mismatch.body).type]).toEqual([422, 'urn:actieoverleg-hub:problem:tls-reload-failed']);
    expect((await politie()).serverSerial).toBe(renewed.serial.toUpperCase());
    writeFileSync(serverKey, renewed.keyPem);
  });

  it('refuses every certificate of a CA whose CRL is past its nextUpdate, says so, and is not ready meanwhile', async () => {
    publish([], 'both', new Date(Date.now() - 60_000));
    const status = t.hub.reloadTls();
    expect(status.crls.map((c) => c.expired)).toEqual([true, true]);
    expect(t.logLines.some((l) => l.includes('CRL past its nextUpdate'))).toBe(true);
    await refusedWith(clientLeaf(root), 'CRL_HAS_EXPIRED');
    expect(await readiness()).toEqual({ status: 503, checks: { redis: 'ok', database: 'ok', crl: 'failing' } });
    publish([]);
    t.hub.reloadTls();
    expect((await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root)))).status).toBe(200);
    expect(await readiness()).toEqual({ status: 200, checks: { redis: 'ok', database: 'ok', crl: 'ok' } });
  });

  it('is not ready once a loaded CRL passes its nextUpdate, without a reload (by the hub’s clock)', async () => {
    expect((await readiness()).status).toBe(200);
    clock.set(2);
    expect(await readiness()).toEqual({ status: 503, checks: { redis: 'ok', database: 'ok', crl: 'failing' } });
    clock.set(0);
    expect((await readiness()).status).toBe(200);
  });

  it('lets only administrators reload (403 for partners and privacy officers)', async () => {
    const politie = { cert: readFileSync(join(CERTS, 'partners/politie/client.crt'), 'utf8'), key: readFileSync(join(CERTS, 'partners/politie/client.key'), 'utf8') };
    const officer = { cert: readFileSync(join(CERTS, 'privacy-officer/client.crt'), 'utf8'), key: readFileSync(join(CERTS, 'privacy-officer/client.key'), 'utf8') };
    for (const who of [politie, officer]) {
      const answer = await tlsRequest(t.url, '/admin/v1/tls/reload', { ...who, method: 'POST' });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).type).toBe('urn:actieoverleg-hub:problem:wrong-role');
    }
    expect((await tlsRequest(t.url, '/admin/v1/tls', admin())).status).toBe(200);
  });
});

describe('certificate validity and issuer', () => {
  it('cuts a keep-alive connection whose certificate has expired since its handshake', async () => {
    const shortLived = clientLeaf(root, undefined, { notAfter: new Date(Date.now() + 86_400_000) });
    const agent = keepAliveAgent(shortLived);
    expect((await tlsRequest(t.url, '/v1/inbox', { agent })).status).toBe(200);
    clock.set(2);
    await expect(tlsRequest(t.url, '/v1/inbox', { agent })).rejects.toThrow();
    clock.set(0);
    agent.destroy();
    expect(t.logLines.some((l) => l.includes('request on a connection of a certificate expired since its handshake'))).toBe(true);
  });

  it('refuses an expired and a not-yet-valid certificate at the handshake', async () => {
    const day = 86_400_000;
    await refusedWith(clientLeaf(root, undefined, { notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) }), 'CERT_HAS_EXPIRED');
    await refusedWith(clientLeaf(root, undefined, { notBefore: new Date(Date.now() + day), notAfter: new Date(Date.now() + 10 * day) }), 'CERT_NOT_YET_VALID');
  });

  it('refuses a certificate with a weak key (RSA 1024) at the handshake', async () => {
    // A client that is itself willing to use a weak key; the same client with a 2048-bit key gets in.
    const lax = { ciphers: 'DEFAULT@SECLEVEL=0' };
    const weak = clientLeaf(root, undefined, { keyBits: 1024 });
    await expect(tlsRequest(t.url, '/v1/inbox', { ...as(weak), tls: lax })).rejects.toThrow();
    expect((await tlsRequest(t.url, '/v1/inbox', { ...as(clientLeaf(root)), tls: lax })).status).toBe(200);
  });

  it('refuses a certificate from another CA at the handshake, even with a partner’s subject', async () => {
    await refusedWith(clientLeaf(createCa('Some Other CA')), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('identity', () => {
  it('recognises a partner by issuer plus subject, and not with the same subject from another trusted issuer', async () => {
    const sameSubjectElsewhere = await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(intermediate)));
    expect(sameSubjectElsewhere.status).toBe(403);
    expect(JSON.parse(sameSubjectElsewhere.body).type).toBe('urn:actieoverleg-hub:problem:unknown-certificate');
    expect((await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root)))).status).toBe(200);
    // A value cannot smuggle in an attribute of its own: Node escapes the line break in the subject.
    const smuggled = await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root, { CN: 'someone\nserialNumber=00000099000000000002', O: 'Politie' })));
    expect(smuggled.status).toBe(403);
  });

  it('recognises a partner by its pinned SHA-256 fingerprint, and no other certificate with the same subject', async () => {
    const { to } = await t.sendMinutes();
    // The delivery is in the inbox once the worker has made it available.
    await eventually('rvdk’s delivery listed', async () => {
      const inbox = await tlsRequest(t.url, '/v1/inbox', as(pinnedRvdk));
      expect(inbox.status).toBe(200);
      return (JSON.parse(inbox.body) as { deliveries: { deliveryId: string }[] }).deliveries.some((d) => d.deliveryId === to.rvdk) ? true : undefined;
    });
    const twin = await tlsRequest(t.url, '/v1/inbox', as(clientLeaf(root, { CN: 'rvdk-system-2026', O: 'Raad voor de Kinderbescherming' })));
    expect(twin.status).toBe(403);
    const shipped = await tlsRequest(t.url, '/v1/inbox', { cert: readFileSync(join(CERTS, 'partners/rvdk/client.crt'), 'utf8'), key: readFileSync(join(CERTS, 'partners/rvdk/client.key'), 'utf8') });
    expect(shipped.status).toBe(403);
  });
});

describe('protocol and ciphers', () => {
  const politie = () => ({ cert: readFileSync(join(CERTS, 'partners/politie/client.crt'), 'utf8'), key: readFileSync(join(CERTS, 'partners/politie/client.key'), 'utf8') });

  it('negotiates TLS 1.3 with a default client', async () => {
    const answer = await tlsRequest(t.url, '/v1/inbox', politie());
    expect(answer.protocol).toBe('TLSv1.3');
  });

  it('refuses a TLS 1.1 client with a protocol-version alert', async () => {
    const tls = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' };
    await expect(tlsRequest(t.url, '/v1/inbox', { ...politie(), tls })).rejects.toThrow(/alert protocol version/);
  });

  it('refuses a TLS 1.2 client that offers only weak ciphers, and accepts ECDHE with AEAD', async () => {
    const weak = { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES128-GCM-SHA256' };
    await expect(tlsRequest(t.url, '/v1/inbox', { ...politie(), tls: weak })).rejects.toThrow(/handshake failure/);
    const strong = await tlsRequest(t.url, '/v1/inbox', { ...politie(), tls: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } });
    expect([strong.status, strong.protocol, strong.cipher]).toEqual([200, 'TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256']);
  });
});
