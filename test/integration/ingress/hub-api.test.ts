import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf, issuerToPem } from '../../../src/pki/x509.ts';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { storedRows } from '../../support/db.ts';
import { CERTS, startTestHub, type TestHub } from '../../support/hub.ts';
import { UUID_V7, uuidMillis } from '../../support/uuid.ts';

let t: TestHub;
let politie: SimulatedPartner;
let om: SimulatedPartner;
let vt: SimulatedPartner;
const fixture = stalkingCase();
const submission = () => envelope('submission', 'intake', fixture.caseRef, fixture.submission);

beforeAll(async () => {
  t = await startTestHub();
  [politie, om, vt] = await Promise.all([t.partner('politie'), t.partner('om'), t.partner('vt')]);
});
afterAll(async () => t.stop());

function json(body: string): Record<string, unknown> {
  return JSON.parse(body);
}

/** Submits and checks that a refusal left nothing behind: no rows, and the hub still answers. */
async function refused(partner: SimulatedPartner, body: string, contentType = 'application/pgp-encrypted') {
  const before = await storedRows(t.config.hub.database);
  const answer = await partner.request('POST', '/v1/messages', body, { 'content-type': contentType });
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await storedRows(t.config.hub.database)).toEqual(before);
  expect(answer.body).not.toMatch(/node_modules|\/src\/|at .*\.ts:\d+/);
  expect((await partner.request('GET', '/v1/inbox')).status).toBe(200);
  return { status: answer.status, problem: json(answer.body) };
}

describe('POST /v1/messages', () => {
  it('accepts a signed and encrypted submission with 202 and one delivery per recipient, its id a time-ordered UUID', async () => {
    const before = Date.now();
    const answer = await politie.submit(submission());
    expect(answer.status).toBe(202);
    const body = json(answer.body);
    expect(body.deliveries).toEqual([{ deliveryId: expect.stringMatching(UUID_V7), recipient: 'vt', status: 'queued' }]);
    const idTime = uuidMillis((body.deliveries as { deliveryId: string }[])[0]!.deliveryId);
    expect(idTime).toBeGreaterThanOrEqual(before);
    expect(idTime).toBeLessThanOrEqual(Date.now());
    expect(answer.headers['strict-transport-security']).toBeDefined();
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a repeat with 200 and the same deliveries, and a reuse with other content with 409', async () => {
    const env = submission();
    const first = json((await politie.submit(env)).body);
    const again = await politie.submit(env);
    expect(again.status).toBe(200);
    expect(json(again.body).deliveries).toEqual((first.deliveries as { deliveryId: string }[]).map((d) => expect.objectContaining({ deliveryId: d.deliveryId })));
    const conflict = await refused(politie, await politie.seal({ ...env, caseRef: 'VT-OTHER' }));
    expect(conflict.status).toBe(409);
    expect(conflict.problem.type).toBe('urn:actieoverleg-hub:problem:message-id-conflict');
  });

  it('refuses what is not OpenPGP (400) and what is not sent as application/pgp-encrypted (415)', async () => {
    expect((await refused(politie, 'hello')).problem).toMatchObject({ status: 400, type: 'urn:actieoverleg-hub:problem:malformed-openpgp' });
    expect((await refused(politie, await politie.seal(submission()), 'application/json')).status).toBe(415);
  });

  it('takes the armour in a charset that reads ASCII as ASCII, and refuses one that does not (415)', async () => {
    for (const charset of ['utf-8', 'US-ASCII', '"iso-8859-1"']) {
      const answer = await politie.request('POST', '/v1/messages', await politie.seal(submission()), { 'content-type': `application/pgp-encrypted; charset=${charset}` });
      expect(answer.status).toBe(202);
    }
    const utf16 = await refused(politie, await politie.seal(submission()), 'application/pgp-encrypted; charset=utf-16');
    expect(utf16.problem).toMatchObject({ status: 415, detail: 'Unsupported charset utf-16: send the armoured message as utf-8 or us-ascii' });
  });

  it('refuses valid OpenPGP around invalid JSON (400)', async () => {
    const notJson = await refused(politie, await politie.sealText('{"messageId": '));
    expect(notJson.problem).toMatchObject({ status: 400, type: 'urn:actieoverleg-hub:problem:malformed-json' });
  });

  it('refuses a schema violation with 422 naming every bad field', async () => {
    const bad = envelope('submission', 'intake', fixture.caseRef, { ...fixture.submission, urgent: 'yes', unexpected: 1 });
    const { status, problem } = await refused(politie, await politie.seal(bad));
    expect(status).toBe(422);
    expect((problem.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['/payload', '/payload/urgent']);
  });

  it('refuses a non-VT submission without its Veilig Thuis report reference (422)', async () => {
    const { vtReportReference: _r, ...payload } = fixture.submission;
    const { status, problem } = await refused(politie, await politie.seal(envelope('submission', 'intake', fixture.caseRef, payload)));
    expect(status).toBe(422);
    expect(problem.errors).toEqual([{ path: '/payload/vtReportReference', message: expect.any(String) }]);
  });

  it('refuses a replayed createdAt outside the window (422)', async () => {
    const old = { ...submission(), createdAt: '2026-01-01T00:00:00Z' };
    expect((await refused(politie, await politie.seal(old))).problem).toMatchObject({ status: 422, type: 'urn:actieoverleg-hub:problem:outside-accepted-window' });
  });

  it('refuses a message signed by another partner than the certificate’s (403)', async () => {
    expect((await refused(politie, await om.seal(submission()))).problem).toMatchObject({ status: 403, type: 'urn:actieoverleg-hub:problem:bad-signature' });
  });

  it('refuses a type or purpose the partner may not send (403)', async () => {
    const minutes = envelope('minutes', 'execution', fixture.caseRef, fixture.minutes);
    expect((await refused(politie, await politie.seal(minutes))).problem).toMatchObject({ status: 403, type: 'urn:actieoverleg-hub:problem:type-or-purpose-not-allowed' });
  });

  it('refuses a body over the limit (413)', async () => {
    const big = '-----BEGIN PGP MESSAGE-----\n' + 'A'.repeat(t.config.hub.limits.requestBytes + 10);
    expect((await refused(politie, big)).status).toBe(413);
  });

  it('tells the sender which named recipients receive nothing, and refuses when nobody may (422)', async () => {
    const some = await vt.submit(envelope('enrichment-request', 'enrichment', fixture.caseRef, { persons: [(fixture.submission.persons as object[])[0]], question: 'Bekend?' }, { recipients: ['rvdk', 'om'] }));
    expect(some.status).toBe(202);
    expect(json(some.body).refused).toEqual([{ recipient: 'om', reason: 'no-policy' }]);
    const none = await refused(vt, await vt.seal(envelope('enrichment-request', 'enrichment', fixture.caseRef, { persons: [(fixture.submission.persons as object[])[0]], question: 'Bekend?' }, { recipients: ['om'] })));
    expect(none.problem).toMatchObject({ status: 422, type: 'urn:actieoverleg-hub:problem:no-permitted-recipient' });
  });
});

describe('who sees what', () => {
  it('lets a partner see only its own inbox, deliveries and message status (404 otherwise)', async () => {
    const answer = json((await politie.submit(submission())).body) as { messageId: string; deliveries: { deliveryId: string }[] };
    const deliveryId = answer.deliveries[0]!.deliveryId;
    for (const path of [`/v1/inbox/${deliveryId}`, `/v1/messages/${answer.messageId}`]) {
      const other = await om.request('GET', path);
      expect(other.status).toBe(404);
      expect(other.body).not.toContain('vt');
    }
    expect((await om.request('POST', `/v1/inbox/${deliveryId}/ack`)).status).toBe(404);
    expect((await politie.request('GET', `/v1/messages/${answer.messageId}`)).status).toBe(200);
    expect(((await vt.request('GET', `/v1/inbox/${deliveryId}`)).status)).toBe(200);
  });

  it('refuses operator certificates on partner endpoints (403)', async () => {
    const admin = await clientWith(join(CERTS, 'admin/client.crt'), join(CERTS, 'admin/client.key'), join(CERTS, 'ca.crt'));
    const answer = await admin('GET', '/v1/inbox');
    expect(answer.status).toBe(403);
    expect(json(answer.body).type).toBe('urn:actieoverleg-hub:problem:wrong-role');
  });

  it('refuses at the handshake a client certificate from another CA, and a client without one', async () => {
    const otherCa = createCa('Some Other CA');
    const leaf = issueLeaf(otherCa, { subject: { CN: 'politie', serialNumber: '00000099000000000002' }, usage: 'client' });
    const stranger = await clientWith(leaf.certPem, leaf.keyPem, join(CERTS, 'ca.crt'), true);
    await expect(stranger('GET', '/v1/inbox')).rejects.toThrow();
    const anonymous = await clientWith(undefined, undefined, join(CERTS, 'ca.crt'));
    await expect(anonymous('GET', '/v1/inbox')).rejects.toThrow();
    expect(issuerToPem(otherCa).certPem).toContain('BEGIN CERTIFICATE');
  });

  it('answers unknown paths with a problem, not an HTML page', async () => {
    const answer = await politie.request('GET', '/v1/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/problem\+json/);
  });

  it('serves the payload schemas with their data categories', async () => {
    const answer = await politie.request('GET', '/v1/schemas/minutes');
    expect(answer.status).toBe(200);
    expect(json(answer.body).properties).toHaveProperty('notForClient.x-category', 'not-for-client');
    expect((await politie.request('GET', '/v1/schemas/gossip')).status).toBe(404);
  });

  it('serves an OpenAPI 3.1 document with the generated payload schema of every type', async () => {
    const answer = await politie.request('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const doc = json(answer.body) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/messages', '/v1/inbox/{deliveryId}/ack', '/admin/v1/policies/{id}', '/admin/v1/preview']));
    for (const name of ['SubmissionPayload', 'AgendaPayload', 'EnrichmentRequestPayload', 'EnrichmentAnswerPayload', 'MinutesPayload', 'FeedbackPayload']) {
      expect(doc.components.schemas[name]?.properties, name).toBeDefined();
    }
    expect(doc.components.schemas.MinutesPayload?.properties).toHaveProperty('notForClient.x-category', 'not-for-client');
  });
});

async function clientWith(cert: string | undefined, key: string | undefined, caPath: string, pem = false) {
  const certPem = cert && (pem ? cert : readFileSync(cert, 'utf8'));
  const keyPem = key && (pem ? key : readFileSync(key, 'utf8'));
  const ca = readFileSync(caPath, 'utf8');
  return (method: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(new URL(path, t.url), { method, ca, ...(certPem ? { cert: certPem, key: keyPem } : {}) }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
}
