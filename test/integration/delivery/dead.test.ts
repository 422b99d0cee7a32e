import { afterEach, describe, expect, it } from 'vitest';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../../src/simulator/partner.ts';
import type { HubConfig } from '../../../src/config/types.ts';
import { CERTS, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';
import { freePort } from '../../support/net.ts';

let t: TestHub | undefined;
const closers: { close(): unknown }[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
  await t?.stop();
  t = undefined;
});

/** A hub whose RvdK receives by push at a port where nothing listens yet. */
async function hubWithRvdkDown(change: (c: HubConfig) => void = () => undefined): Promise<{ port: number; admin: MutualTlsClient }> {
  const port = await freePort();
  t = await startTestHub((c) => {
    withPartner(c, 'rvdk', { transport: { kind: 'push', url: `https://localhost:${port}/in` } });
    change(c);
  });
  const admin = new MutualTlsClient(loadClientTls(CERTS, 'admin'), t.url);
  closers.push(admin);
  return { port, admin };
}

const eventNames = async (deliveryId: string) => (await t!.events(deliveryId)).map((e) => e.event);

describe('dead deliveries', () => {
  it('follow the partner’s own attempt limit, are listed for administrators, and can be retried until delivered', async () => {
    const { port, admin } = await hubWithRvdkDown((c) => {
      withPartner(c, 'rvdk', { delivery: { attempts: 1 } });
    });
    const { to: ids } = await t!.sendMinutes();
    await t!.untilStatus(ids.rvdk!, 'dead', 1);
    // The hub allows three attempts; the RvdK's own setting allows one.
    expect(await eventNames(ids.rvdk!)).toEqual(['queued', 'failed', 'dead']);

    const dead = await admin.json('GET', '/admin/v1/deliveries?status=dead');
    expect(dead.status).toBe(200);
    expect(dead.body.deliveries).toEqual([expect.objectContaining({ deliveryId: ids.rvdk!, recipient: 'rvdk', sender: 'vt', transport: 'push', status: 'dead' })]);
    expect(JSON.stringify(dead.body)).not.toContain('ciphertext');

    const notDead = await admin.json('POST', `/admin/v1/deliveries/${ids.politie!}/retry`);
    expect(notDead.status).toBe(409);
    expect(notDead.body.type).toBe('urn:actieoverleg-hub:problem:delivery-not-dead');
    expect((await admin.json('POST', '/admin/v1/deliveries/00000000-0000-4000-8000-000000000000/retry')).status).toBe(404);
    expect((await admin.json('GET', '/admin/v1/deliveries?status=exploded')).status).toBe(400);

    // Retried while the RvdK is still down: a new run of attempts, which dies again.
    expect((await admin.json('POST', `/admin/v1/deliveries/${ids.rvdk!}/retry`)).status).toBe(202);
    await t!.untilStatus(ids.rvdk!, 'dead', 2);

    const rvdk = new SimulatedPartner(await loadPartnerCredentials(CERTS, 'rvdk'), t!.url);
    closers.push(rvdk);
    await rvdk.startPushServer('hub', port);
    const retried = await admin.json('POST', `/admin/v1/deliveries/${ids.rvdk!}/retry`);
    expect(retried).toMatchObject({ status: 202, body: { deliveryId: ids.rvdk!, recipient: 'rvdk', status: 'queued' } });
    await t!.untilStatus(ids.rvdk!, 'delivered');
    expect(await eventNames(ids.rvdk!)).toEqual(['queued', 'failed', 'dead', 'retried', 'failed', 'dead', 'retried', 'delivered']);
    expect([...rvdk.received.keys()]).toEqual([ids.rvdk!]);
    expect((await admin.json('GET', '/admin/v1/deliveries?status=dead')).body.deliveries).toEqual([]);
    expect((await admin.json('POST', `/admin/v1/deliveries/${ids.rvdk!}/retry`)).status).toBe(409);
  });

  it('die of age when no attempt limit is set: retried until maxAgeHours have passed', async () => {
    await hubWithRvdkDown((c) => {
      const { attempts: _none, ...rest } = c.hub.delivery;
      c.hub.delivery = { ...rest, backoffSeconds: 0.1, maxBackoffSeconds: 0.3, maxAgeHours: 0.0005 };
    });
    const { to: ids } = await t!.sendMinutes();
    await t!.untilStatus(ids.rvdk!, 'dead', 1);
    const events = await t!.events(ids.rvdk!);
    expect(events.filter((e) => e.event === 'failed').length).toBeGreaterThan(3);
    expect(events.at(-1)).toMatchObject({ event: 'dead', detail: expect.stringMatching(/\(maximum 0.0005 h\)$/) });
  });
});
