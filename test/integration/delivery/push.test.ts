import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { issueCrl } from '../../../src/pki/crl.ts';
import { createCa, issueLeaf, issuerToPem, type IssuedLeaf } from '../../../src/pki/x509.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../../src/simulator/partner.ts';
import { envelope, familyCase } from '../../../src/simulator/cases.ts';
import { CERTS, eventually, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';
import { freePort } from '../../support/net.ts';
import { devCa } from '../../support/tls.ts';

let t: TestHub | undefined;
const receivers: SimulatedPartner[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await t?.stop();
  t = undefined;
});

describe('push delivery', () => {
  it('posts over mutual TLS to a partner that checks the hub’s certificate, and records delivered', async () => {
    const police = new SimulatedPartner(await loadPartnerCredentials(CERTS, 'politie'), 'https://localhost:1');
    receivers.push(police);
    const url = await police.startPushServer('hub');
    t = await startTestHub((c) => {
      withPartner(c, 'politie', { transport: { kind: 'push', url } });
    });
    const vt = await t.partner('vt');
    const fixture = familyCase();
    const answer = JSON.parse((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).body);
    const deliveryId = answer.deliveries.find((d: { recipient: string }) => d.recipient === 'politie').deliveryId;
    await eventually('the push', async () => police.received.get(deliveryId));
    const got = police.received.get(deliveryId)!;
    expect(got.plaintext.payload.notForClient).toBeUndefined();
    expect((got.plaintext.payload.step2 as { interventions: { partner: string }[] }).interventions.every((i) => i.partner === 'politie')).toBe(true);
    await eventually('delivered status', async () => ((await t!.hub.store.getDelivery(deliveryId))?.status === 'delivered' ? true : undefined));
    // The police cannot also pull what was pushed to them: pushed deliveries never enter the pull inbox.
    const policeClient = await t.partner('politie');
    expect(JSON.parse((await policeClient.request('GET', '/v1/inbox')).body).deliveries).toEqual([]);
  });

  it('retries while the partner is down and delivers once it is up, recording each failed attempt', async () => {
    const port = await freePort();
    t = await startTestHub((c) => {
      c.hub.delivery = { ...c.hub.delivery, attempts: 8, backoffSeconds: 0.3 };
      withPartner(c, 'om', { transport: { kind: 'push', url: `https://localhost:${port}/in` } });
    });
    const vt = await t.partner('vt');
    const fixture = familyCase();
    const answer = JSON.parse((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).body);
    const deliveryId = answer.deliveries.find((d: { recipient: string }) => d.recipient === 'om').deliveryId;
    await eventually('a failed attempt', async () => ((await t!.hub.store.getDelivery(deliveryId))?.status === 'failed' ? true : undefined));

    const om = new SimulatedPartner(await loadPartnerCredentials(CERTS, 'om'), t.url);
    receivers.push(om);
    await om.startPushServer('hub', port);
    await eventually('the delivery after recovery', async () => om.received.get(deliveryId), 20_000);
    // The partner has it before the hub has its answer and records it.
    await t.untilStatus(deliveryId, 'delivered');
    const stored = await t.hub.store.findMessage('vt', answer.messageId);
    const events = stored!.deliveries.find((d) => d.deliveryId === deliveryId)!.events;
    expect(events[0]?.event).toBe('queued');
    expect(events.filter((e) => e.event === 'failed').length).toBeGreaterThanOrEqual(1);
    expect(events.find((e) => e.event === 'failed')?.detail).toMatch(/ECONNREFUSED/);
    expect(events.at(-1)?.event).toBe('delivered');
    expect(om.received.size).toBe(1);
  });

  it('marks a delivery dead after its last attempt, visible in the sender’s status', async () => {
    const port = await freePort();
    t = await startTestHub((c) => {
      c.hub.delivery = { ...c.hub.delivery, attempts: 2, backoffSeconds: 0.1 };
      withPartner(c, 'rvdk', { transport: { kind: 'push', url: `https://localhost:${port}/in` } });
    });
    const vt = await t.partner('vt');
    const fixture = familyCase();
    const answer = JSON.parse((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).body);
    const status = await eventually('dead', async () => {
      const s = JSON.parse((await vt.request('GET', `/v1/messages/${answer.messageId}`)).body) as { recipients: { recipient: string; status: string; events: { event: string }[] }[] };
      const rvdk = s.recipients.find((r) => r.recipient === 'rvdk');
      return rvdk?.status === 'dead' ? rvdk : undefined;
    });
    expect(status.events.filter((e) => e.event === 'failed')).toHaveLength(2);
  });
});

describe('push to a partner whose server certificate is revoked', () => {
  const ca = devCa();
  let crlNumber = 0;
  const publish = (file: string, revoked: IssuedLeaf[]) =>
    writeFileSync(file, issueCrl(ca, { revoked: revoked.map((l) => ({ serial: l.serial, revokedAt: new Date() })), number: ++crlNumber, nextUpdate: new Date(Date.now() + 86_400_000) }));

  it('refuses the partner’s server once a reloaded CRL revokes it, records why and retries as usual', async () => {
    const server = issueLeaf(ca, { subject: { CN: 'localhost', O: 'Politie' }, usage: 'server', dnsNames: ['localhost'] });
    const police = new SimulatedPartner({ ...(await loadPartnerCredentials(CERTS, 'politie')), serverCert: server.certPem, serverKey: server.keyPem }, 'https://localhost:1');
    receivers.push(police);
    const url = await police.startPushServer('hub');
    let crl = '';
    t = await startTestHub((c, dir) => {
      crl = join(dir, 'crl.pem');
      publish(crl, []);
      c.hub.tls.crl = [crl];
      c.hub.delivery = { ...c.hub.delivery, attempts: 2, backoffSeconds: 0.1 };
      withPartner(c, 'politie', { transport: { kind: 'push', url } });
    });
    const before = await t.sendMinutes();
    await t.untilStatus(before.to.politie!, 'delivered');
    expect(police.pushRequests).toBe(1);

    publish(crl, [server]);
    t.hub.reloadTls();
    const after = await t.sendMinutes();
    await t.untilStatus(after.to.politie!, 'dead');
    const failed = (await t.events(after.to.politie!)).filter((e) => e.event === 'failed');
    expect(failed).toHaveLength(2);
    for (const f of failed) expect(f.detail).toMatch(new RegExp(`server certificate revoked by the hub's CRL \\(serial ${server.serial}`, 'i'));
    // Refused before a byte of the delivery was sent: the partner saw only the first push.
    expect(police.pushRequests).toBe(1);
    expect(police.received.has(after.to.politie!)).toBe(false);
  });

  it('sends nothing to a partner whose CA’s CRL in the hub has expired: revocation is then unknown', async () => {
    // The police's servers have a CA of their own, pinned, whose CRL the hub holds; the OM's chain to the hub's CA.
    const policeCa = createCa('Politie Server CA');
    const server = issueLeaf(policeCa, { subject: { CN: 'localhost', O: 'Politie' }, usage: 'server', dnsNames: ['localhost'] });
    const police = new SimulatedPartner({ ...(await loadPartnerCredentials(CERTS, 'politie')), serverCert: server.certPem, serverKey: server.keyPem }, 'https://localhost:1');
    const om = new SimulatedPartner(await loadPartnerCredentials(CERTS, 'om'), 'https://localhost:1');
    receivers.push(police, om);
    const [policeUrl, omUrl] = [await police.startPushServer('hub'), await om.startPushServer('hub')];
    const day = 86_400_000;
    t = await startTestHub((c, dir) => {
      const pinned = join(dir, 'politie-ca.crt');
      writeFileSync(pinned, issuerToPem(policeCa).certPem);
      const stale = join(dir, 'politie-ca.crl');
      writeFileSync(stale, issueCrl(policeCa, { revoked: [], number: 1, thisUpdate: new Date(Date.now() - 2 * day), nextUpdate: new Date(Date.now() - day) }));
      c.hub.tls.crl = [...c.hub.tls.crl, stale];
      c.hub.delivery = { ...c.hub.delivery, attempts: 2, backoffSeconds: 0.1 };
      withPartner(c, 'politie', { transport: { kind: 'push', url: policeUrl, ca: pinned } });
      withPartner(c, 'om', { transport: { kind: 'push', url: omUrl } });
    });
    const { to } = await t.sendMinutes();
    await t.untilStatus(to.om!, 'delivered');
    await t.untilStatus(to.politie!, 'dead');
    const failed = (await t.events(to.politie!)).filter((e) => e.event === 'failed');
    expect(failed).toHaveLength(2);
    for (const f of failed) expect(f.detail).toMatch(/the hub's CRL of .*Politie Server CA.* expired at .*: whether .* is revoked is unknown, so nothing was sent/);
    expect(police.pushRequests).toBe(0);
    expect(om.received.has(to.om!)).toBe(true);
  });
});
