import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLeaf, issuerFromPem } from '../../../src/pki/x509.ts';
import { loadClientTls, MutualTlsClient, type HttpAnswer } from '../../../src/simulator/client.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { validSubmission } from '../../support/hostile/corpus.ts';
import { CERTS, startTestHub, type TestHub } from '../../support/hub.ts';
import { rawRequest } from '../../support/raw-http.ts';
import { expectSecurityHeaders, internalDetails } from '../../support/security-headers.ts';

/**
 * Helmet's headers on every kind of answer the hub gives, successes included, and no internal detail
 * in any body: answers of routes, of the 404 fallback, of body parsers, of the authentication that
 * runs before any route, and of Node's own HTTP parser.
 */
let t: TestHub;
let police: SimulatedPartner;
let admin: MutualTlsClient;
let stranger: MutualTlsClient;
const answers = new Map<string, HttpAnswer>();

beforeAll(async () => {
  t = await startTestHub();
  police = await t.partner('politie');
  admin = new MutualTlsClient(loadClientTls(CERTS, 'admin'), t.url);
  // A certificate from the hub's own CA that no partner or operator is registered with.
  const ca = issuerFromPem(readFileSync(join(CERTS, 'ca.crt'), 'utf8'), readFileSync(join(CERTS, 'ca.key'), 'utf8'));
  const leaf = issueLeaf(ca, { subject: { CN: 'unregistered', O: 'Nobody' }, usage: 'client' });
  stranger = new MutualTlsClient({ ca: readFileSync(join(CERTS, 'ca.crt'), 'utf8'), cert: leaf.certPem, key: leaf.keyPem }, t.url);

  const env = validSubmission();
  const sent = await police.submit(env);
  answers.set('202 accepted submission', sent);
  answers.set('200 repeated submission', await police.submit(env));
  answers.set('200 hub key', await police.request('GET', '/v1/hub-key'));
  answers.set('200 inbox', await police.request('GET', '/v1/inbox'));
  answers.set('200 schema', await police.request('GET', '/v1/schemas/minutes'));
  answers.set('200 OpenAPI document', await police.request('GET', '/openapi.json'));
  answers.set('200 message status', await police.request('GET', `/v1/messages/${String(env.messageId)}`));
  answers.set('200 admin partners', await admin.request('GET', '/admin/v1/partners'));
  answers.set('200 HEAD of the inbox', await police.request('HEAD', '/v1/inbox'));
  answers.set('200 OPTIONS of messages', await police.request('OPTIONS', '/v1/messages'));
  answers.set('404 unknown route', await police.request('GET', '/wp-admin/install.php'));
  answers.set('404 unknown method on a route', await police.request('DELETE', '/v1/messages'));
  answers.set('404 unknown admin route', await admin.request('GET', '/admin/v1/secrets'));
  answers.set('413 from the JSON body parser', await admin.request('PUT', '/admin/v1/policies/politie-execution', Buffer.alloc(t.config.hub.limits.requestBytes + 1, 0x20), { 'content-type': 'application/json' }));
  answers.set('413 from the text body parser', await police.request('POST', '/v1/messages', Buffer.alloc(t.config.hub.limits.requestBytes + 1, 0x41), { 'content-type': 'application/pgp-encrypted' }));
  answers.set('400 from the JSON body parser', await admin.request('PUT', '/admin/v1/policies/politie-execution', '{"id":', { 'content-type': 'application/json' }));
  answers.set('400 from the router’s URL decoding', await police.request('GET', '/v1/inbox/%E0%A4%A'));
  answers.set('403 from authentication, before any route', await stranger.request('GET', '/v1/inbox'));
  answers.set('403 from the role check', await admin.request('GET', '/v1/inbox'));
  const tls = loadClientTls(CERTS, join('partners', 'politie'));
  answers.set('400 from Node’s parser: a garbled request line', await rawRequest(tls, t.hub.port, 'GARBAGE /\r\n\r\n'));
  answers.set('431 from Node’s parser: oversized headers', await rawRequest(tls, t.hub.port, `GET /v1/inbox HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`));
  answers.set('400 from Node’s parser: Content-Length and chunked together', await rawRequest(tls, t.hub.port, 'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'));
});

afterAll(async () => {
  admin?.close();
  stranger?.close();
  await t?.stop();
});

describe('security headers and error bodies', () => {
  it('got the answers it meant to provoke', () => {
    // Each answer is named after the status it must have.
    for (const [what, answer] of answers) expect(answer.status, what).toBe(Number(what.slice(0, 3)));
  });

  it('sends helmet’s headers with every answer, successes and failures alike', () => {
    for (const [what, answer] of answers) expectSecurityHeaders(answer.headers, what);
  });

  it('answers every failure as problem+json without stack traces or internal paths', () => {
    for (const [what, answer] of answers) {
      expect(internalDetails(answer.body), what).toEqual([]);
      if (answer.status < 400) continue;
      expect(String(answer.headers['content-type']), what).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.body), what).toMatchObject({ status: answer.status, type: expect.stringMatching(/^urn:actieoverleg-hub:problem:/) });
    }
  });
});
