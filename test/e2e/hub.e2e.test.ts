import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageType } from '../../src/messages/index.ts';
import { envelope, familyCase, stalkingCase } from '../../src/simulator/cases.ts';
import { loadPartnerCredentials, SimulatedPartner, type ReceivedDelivery } from '../../src/simulator/partner.ts';
import { domainViolations, leaves } from '../support/domain-table.ts';
import { CERTS, PARTNER_IDS } from '../support/hub.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';

/**
 * What the independent client of issue 2 does: the hub as `npm start` runs it, in its own process, with
 * the dev PKI's certificates; partners submit and pull over mutual TLS and decrypt with their own keys.
 * (Its scan for plaintext in Redis, the database, the files and the logs is secrets.e2e.test.ts.)
 */
let hub: HubProcess;
const partners = new Map<string, SimulatedPartner>();
const sent: { type: MessageType; purpose: string; sender: string; messageId: string; deliveries: { deliveryId: string; recipient: string }[] }[] = [];
const received = new Map<string, ReceivedDelivery[]>();

async function send(sender: string, type: MessageType, purpose: string, caseRef: string, payload: Record<string, unknown>) {
  const env = envelope(type, purpose, caseRef, payload);
  const answer = await partners.get(sender)!.submit(env);
  expect(answer.status, answer.body).toBe(202);
  const body = JSON.parse(answer.body) as { messageId: string; deliveries: { deliveryId: string; recipient: string }[] };
  expect(body.messageId).toBe(env.messageId);
  sent.push({ type, purpose, sender, messageId: body.messageId, deliveries: body.deliveries });
}

interface DisclosureRow {
  delivery_id: string;
  recipient: string;
  manifest: string;
  ciphertext_digest: string;
  legal_basis: string;
}

/** One disclosure per delivery, from the first of its per-person log entries (the others differ only in the person) and its manifest entry. */
function disclosures(): DisclosureRow[] {
  const db = new DatabaseSync(hub.databasePath, { readOnly: true });
  try {
    const entries = (db.prepare("SELECT entry FROM log_entries WHERE kind IN ('manifest', 'disclosure') ORDER BY seq").all() as { entry: string }[]).map((r) => JSON.parse(r.entry));
    const manifests = new Map(entries.filter((e) => e.kind === 'manifest').map((e) => [e.deliveryId, JSON.stringify(e.manifest)]));
    const first = new Map<string, DisclosureRow>();
    for (const e of entries.filter((e) => e.kind === 'disclosure')) {
      if (!first.has(e.deliveryId)) first.set(e.deliveryId, { delivery_id: e.deliveryId, recipient: e.recipient, manifest: manifests.get(e.deliveryId)!, ciphertext_digest: e.ciphertextDigest, legal_basis: e.legalBasis });
    }
    return [...first.values()];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  hub = await spawnHub();
  for (const id of PARTNER_IDS) partners.set(id, new SimulatedPartner(await loadPartnerCredentials(CERTS, id), hub.url));
  const stalking = stalkingCase();
  const family = familyCase();
  await send('politie', 'submission', 'intake', stalking.caseRef, stalking.submission);
  await send('vt', 'agenda', 'preparation', stalking.caseRef, stalking.agenda);
  await send('vt', 'minutes', 'execution', stalking.caseRef, stalking.minutes);
  await send('vt', 'minutes', 'execution', family.caseRef, family.minutes);
  // Deliveries are queued and made available by the worker; pull until every expected one has arrived.
  const expected = new Map<string, number>();
  for (const m of sent) for (const d of m.deliveries) expected.set(d.recipient, (expected.get(d.recipient) ?? 0) + 1);
  const deadline = Date.now() + 20_000;
  for (const [id, partner] of partners) {
    const got: ReceivedDelivery[] = [];
    while (got.length < (expected.get(id) ?? 0) && Date.now() < deadline) {
      got.push(...(await partner.pullAll()));
      if (got.length < (expected.get(id) ?? 0)) await new Promise((r) => setTimeout(r, 100));
    }
    received.set(id, got);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([...partners.values()].map((p) => p.close()));
  await hub?.cleanup();
});

describe('the hub end to end, as a separate process', () => {
  it('routes each message to the recipients DOMAIN.md names', () => {
    const recipients = (type: string) => sent.filter((m) => m.type === type).map((m) => m.deliveries.map((d) => d.recipient).sort());
    expect(recipients('submission')).toEqual([['vt']]);
    expect(recipients('agenda')).toEqual([['om', 'politie', 'reclassering', 'rvdk']]);
    expect(recipients('minutes')).toEqual([['om', 'politie', 'reclassering', 'rvdk'], ['om', 'politie', 'reclassering', 'rvdk']]);
  });

  it('gives every partner exactly its deliveries, decrypted with its own key and signed by the hub', () => {
    for (const id of PARTNER_IDS) {
      const expected = sent.flatMap((m) => m.deliveries.filter((d) => d.recipient === id).map((d) => d.deliveryId)).sort();
      expect((received.get(id) ?? []).map((d) => d.deliveryId).sort(), id).toEqual(expected);
    }
  });

  it('discloses to each recipient only what DOMAIN.md’s table allows for the purpose', () => {
    for (const [id, deliveries] of received) {
      for (const d of deliveries) {
        const type = d.plaintext.type as MessageType;
        const purpose = d.plaintext.purpose as string;
        expect(domainViolations(type, purpose, id, d.plaintext.payload), `${id} ${type}`).toEqual([]);
        expect(leaves(d.plaintext.payload).length, `${id} ${type} is not empty`).toBeGreaterThan(0);
      }
    }
    // VT, the intake's recipient, receives the whole submission, not-for-client and medical included.
    const intake = received.get('vt')!.find((d) => d.plaintext.type === 'submission')!;
    expect(intake.plaintext.payload.caseDescription).toEqual(expect.stringContaining('stalkt'));
    // The police get their own interventions from the minutes, and the scenario they are part of.
    const policeMinutes = received.get('politie')!.filter((d) => d.plaintext.type === 'minutes');
    for (const m of policeMinutes) {
      const step2 = m.plaintext.payload.step2 as { interventions: { partner: string }[]; scenarios: unknown[] };
      expect(step2.interventions.length).toBeGreaterThan(0);
      expect(step2.scenarios.length).toBeGreaterThan(0);
    }
    // Probation has no scenario in either case and criminal-justice information is not for it.
    for (const m of received.get('reclassering')!.filter((d) => d.plaintext.type === 'minutes')) {
      expect(m.plaintext.payload.criminalJustice).toBeUndefined();
      expect(m.plaintext.payload.notForClient).toBeUndefined();
    }
  });

  it('refuses another partner’s delivery and another sender’s message status with 404', async () => {
    const policeDelivery = sent.flatMap((m) => m.deliveries).find((d) => d.recipient === 'politie')!;
    const om = partners.get('om')!;
    expect((await om.request('GET', `/v1/inbox/${policeDelivery.deliveryId}`)).status).toBe(404);
    expect((await om.request('POST', `/v1/inbox/${policeDelivery.deliveryId}/ack`)).status).toBe(404);
    const submission = sent.find((m) => m.type === 'submission')!;
    const notTheSender = await partners.get('vt')!.request('GET', `/v1/messages/${submission.messageId}`);
    expect(notTheSender.status).toBe(404);
    expect(notTheSender.headers['content-type']).toMatch(/application\/problem\+json/);
    const theSender = JSON.parse((await partners.get('politie')!.request('GET', `/v1/messages/${submission.messageId}`)).body);
    expect(theSender.recipients).toEqual([expect.objectContaining({ recipient: 'vt', status: 'acknowledged' })]);
  });

  it('records one disclosure per delivery, with the fields disclosed and the ciphertext digest, and its status', () => {
    const rows = disclosures();
    const deliveries = sent.flatMap((m) => m.deliveries);
    expect(rows.map((r) => r.delivery_id).sort()).toEqual(deliveries.map((d) => d.deliveryId).sort());
    for (const row of rows) {
      const delivery = [...received.values()].flat().find((d) => d.deliveryId === row.delivery_id)!;
      const manifest = JSON.parse(row.manifest) as { disclosed: { path: string }[]; withheld: { path: string }[] };
      // The manifest names source paths (array indices of the sender's message, since elements may be
      // withheld); every field the recipient holds is one disclosed entry, and nothing else is.
      const shape = (path: string) => path.replace(/\/\d+(?=\/|$)/g, '/*');
      const held = leaves(delivery.plaintext.payload);
      expect(manifest.disclosed.map((d) => shape(d.path)).sort(), row.recipient).toEqual(held.map((l) => shape(l.path)).sort());
      if (delivery.plaintext.type === 'minutes') expect(manifest.withheld.length, row.recipient).toBeGreaterThan(0);
      expect(row.ciphertext_digest).toMatch(/^(sha256:)?[0-9a-f]{64}$/);
      expect(row.legal_basis.length).toBeGreaterThan(0);
    }
    const db = new DatabaseSync(hub.databasePath, { readOnly: true });
    const acknowledged = db.prepare("SELECT COUNT(DISTINCT delivery_id) AS n FROM delivery_events WHERE event = 'acknowledged'").get() as { n: number };
    db.close();
    expect(Number(acknowledged.n)).toBe(rows.length);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await hub.stop('SIGTERM')).toBe(0);
  });
});
