import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileTransport } from '../../../src/delivery/transports/file.ts';
import { createCa, issueLeaf, issuerToPem } from '../../../src/pki/x509.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../../src/simulator/partner.ts';
import { CERTS, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';

let t: TestHub | undefined;
const receivers: SimulatedPartner[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await t?.stop();
  t = undefined;
});

describe('file drop', () => {
  it('writes each delivery whole, under its delivery id, readable only with the partner’s key', async () => {
    let drop = '';
    t = await startTestHub((c, dir) => {
      drop = join(dir, 'drop', 'reclassering');
      withPartner(c, 'reclassering', { transport: { kind: 'file', directory: drop } });
    });
    const { to: ids } = await t.sendMinutes();
    await t.untilStatus(ids.reclassering!, 'delivered');
    expect(readdirSync(drop)).toEqual([`${ids.reclassering}.asc`]);
    const file = join(drop, `${ids.reclassering}.asc`);
    const probation = new SimulatedPartner(await loadPartnerCredentials(CERTS, 'reclassering'), t.url);
    receivers.push(probation);
    const view = await probation.open(readFileSync(file, 'utf8'));
    expect(view).toMatchObject({ deliveryId: ids.reclassering, type: 'minutes' });
    expect(statSync(file).mode & 0o777).toBe(0o640);

    // A repeat (after a crash between write and record) leaves the file as it is.
    const delivery = (await t.hub.store.getDelivery(ids.reclassering!))!;
    const before = statSync(file).mtimeMs;
    const partner = t.config.partners.find((p) => p.id === 'reclassering')!;
    expect(await fileTransport.deliver(delivery, partner)).toEqual({ event: 'delivered', detail: `already in the drop directory as ${ids.reclassering}.asc` });
    expect(statSync(file).mtimeMs).toBe(before);
    expect(readdirSync(drop)).toHaveLength(1);
  });

  it('records each failure with its cause when the directory cannot be written, until the delivery is dead', async () => {
    let blocker = '';
    t = await startTestHub((c, dir) => {
      blocker = join(dir, 'not-a-directory');
      writeFileSync(blocker, 'x');
      withPartner(c, 'reclassering', { transport: { kind: 'file', directory: join(blocker, 'drop') } });
    });
    const { to: ids } = await t.sendMinutes();
    await t.untilStatus(ids.reclassering!, 'dead');
    const failed = (await t.events(ids.reclassering!)).filter((e) => e.event === 'failed');
    expect(failed).toHaveLength(3);
    for (const f of failed) expect(f.detail).toMatch(/^file drop failed: ENOTDIR$/);
  });
});

describe('push with a pinned CA', () => {
  it('trusts only the CA configured for the partner', async () => {
    const privateCa = createCa('Politie Private Server CA');
    const privateLeaf = issueLeaf(privateCa, { subject: { CN: 'localhost', O: 'Politie' }, usage: 'server', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const start = async (id: string, server?: { certPem: string; keyPem: string }) => {
      const creds = await loadPartnerCredentials(CERTS, id);
      const partner = new SimulatedPartner(server ? { ...creds, serverCert: server.certPem, serverKey: server.keyPem } : creds, 'https://localhost:1');
      receivers.push(partner);
      return { partner, url: await partner.startPushServer('hub') };
    };
    // Police: certificate from its own CA, which is pinned. OM: from the hub's CA, but pinned to the
    // police's. RvdK: from the private CA without a pin, so checked against the hub's CA.
    const police = await start('politie', privateLeaf);
    const om = await start('om');
    const rvdk = await start('rvdk', privateLeaf);
    t = await startTestHub((c, dir) => {
      const pinned = join(dir, 'politie-ca.crt');
      writeFileSync(pinned, issuerToPem(privateCa).certPem);
      withPartner(c, 'politie', { transport: { kind: 'push', url: police.url, ca: pinned } });
      withPartner(c, 'om', { transport: { kind: 'push', url: om.url, ca: pinned } });
      withPartner(c, 'rvdk', { transport: { kind: 'push', url: rvdk.url } });
    });
    const { to: ids } = await t.sendMinutes();
    await t.untilStatus(ids.politie!, 'delivered');
    expect([...police.partner.received.keys()]).toEqual([ids.politie]);
    await t.untilStatus(ids.om!, 'dead');
    await t.untilStatus(ids.rvdk!, 'dead');
    expect(om.partner.received.size + rvdk.partner.received.size).toBe(0);
    for (const id of [ids.om!, ids.rvdk!]) {
      const failed = (await t.events(id)).filter((e) => e.event === 'failed');
      expect(failed[0]?.detail).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify|certificate/i);
    }
  });
});
