import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { eventually, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';

let t: TestHub;
let partners: Record<'politie' | 'om' | 'rvdk' | 'reclassering', SimulatedPartner>;

beforeAll(async () => {
  // The hub purges at once; the OM keeps a day for fetching again.
  t = await startTestHub((c) => {
    c.hub.delivery.purgeCiphertextAfterHours = 0;
    withPartner(c, 'om', { delivery: { purgeCiphertextAfterHours: 24 } });
  });
  const [politie, om, rvdk, reclassering] = await Promise.all(['politie', 'om', 'rvdk', 'reclassering'].map((id) => t.partner(id)));
  partners = { politie: politie!, om: om!, rvdk: rvdk!, reclassering: reclassering! };
});
afterAll(async () => t.stop());

const fetch = (id: keyof typeof partners, deliveryId: string) => partners[id].request('GET', `/v1/inbox/${deliveryId}`);

describe('the hub’s copy of a received delivery', () => {
  it('is purged after its recipient acknowledged it, by the recipient’s own time; fetching it again then answers 410', async () => {
    const { messageId, to } = await t.sendMinutes();
    for (const id of ['politie', 'om', 'rvdk'] as const) await eventually(`${id}'s delivery in its inbox`, async () => ((await partners[id].request('GET', '/v1/inbox')).body.includes(to[id]!) ? true : undefined));
    for (const id of ['politie', 'om'] as const) {
      expect((await fetch(id, to[id]!)).status).toBe(200);
      expect((await partners[id].request('POST', `/v1/inbox/${to[id]}/ack`)).status).toBe(204);
    }
    // Fetched, not acknowledged: the RvdK may still need it.
    expect((await fetch('rvdk', to.rvdk!)).status).toBe(200);

    const gone = await eventually('the politie copy purged', async () => {
      const answer = await fetch('politie', to.politie!);
      return answer.status === 410 ? answer : undefined;
    }, 40_000);
    expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(gone.body)).toMatchObject({ status: 410, type: 'urn:actieoverleg-hub:problem:delivery-purged', detail: expect.stringMatching(/was received; the hub purged its copy at \d{4}-/) });

    const stored = await t.hub.store.getDelivery(to.politie!);
    expect(stored).toMatchObject({ status: 'acknowledged', ciphertextPurgedAt: expect.any(String) });
    expect(stored!.ciphertext).toHaveLength(0);
    // The log still proves what was sent: its digest stays, and the inclusion proof still verifies.
    expect(stored!.ciphertextDigest).toMatch(/^[0-9a-f]{64}$/);
    expect((await partners.politie.request('GET', `/v1/log/proof/${to.politie}`)).status).toBe(200);
    expect(t.logLines.some((l) => l.includes('purged the ciphertext of received deliveries'))).toBe(true);
    // The sender sees the purge among the delivery's events; its status stays acknowledged.
    const vt = await t.partner('vt');
    const status = JSON.parse((await vt.request('GET', `/v1/messages/${messageId}`)).body) as { recipients: { deliveryId: string; status: string; events: { event: string }[] }[] };
    const politie = status.recipients.find((d) => d.deliveryId === to.politie)!;
    expect([politie.status, politie.events.map((e) => e.event).slice(-2)]).toEqual(['acknowledged', ['acknowledged', 'purged']]);

    for (const id of ['om', 'rvdk', 'reclassering'] as const) expect((await fetch(id, to[id]!)).status, id).toBe(200);
    // The other partners still see only their own: the purged delivery is no more theirs than before.
    expect((await fetch('om', to.politie!)).status).toBe(404);
  });
});
