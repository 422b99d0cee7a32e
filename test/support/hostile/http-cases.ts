import { gzipSync } from 'node:zlib';
import type { Policy } from '../../../src/config/schema.ts';
import { familyCase } from '../../../src/simulator/cases.ts';
import { expectProblem, PGP, Problems, submission, type Caller, type Expected, type HostileCase } from './types.ts';

type Json = Record<string, unknown>;

const notFound = expectProblem(Problems.notFound);
const malformed = expectProblem(Problems.malformedRequest);
const unsupported = expectProblem(Problems.unsupportedMediaType);
const tooLarge = expectProblem(Problems.tooLarge);
const invalidPolicy = expectProblem(Problems.invalidPolicy);

/** Query strings that break a parameter, each with the parameter the answer must name. */
const BAD_LIMITS: [string, string][] = [
  ['limit=-5', 'limit'],
  ['limit=0', 'limit'],
  ['limit=abc', 'limit'],
  ['limit=0x10', 'limit'],
  ['limit=1e2', 'limit'],
  ['limit=%205', 'limit'],
  ['limit=5.5', 'limit'],
  ['limit=', 'limit'],
  ['limit=5&limit=6', 'limit'],
  ['limit=99999999999999999999', 'limit'],
  ['unknown=1', 'unknown'],
  ['__proto__=1', '__proto__'],
  ['limit=5&sql=1%3B%20DROP%20TABLE%20log_entries', 'sql'],
];

/** Every query case on a path: a malformed-request naming the parameter. */
function queryCases(caller: Caller, method: string, path: string, queries: [string, string][]): HostileCase[] {
  return queries.map(([query, parameter]) => request(caller, method, `${path}?${query}`, expectProblem(Problems.malformedRequest, parameter)));
}

/** Ids an attacker tries in a path: traversal, encodings, injection, sheer length, prototype names. */
export const HOSTILE_IDS = [
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fhub.db',
  '..%5C..%5Cwindows',
  '%00',
  '%2500',
  "1'%20OR%20'1'='1",
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '*',
  '__proto__',
  'constructor',
  'x'.repeat(4000),
  '%F0%9F%92%A9',
  '00000000-0000-0000-0000-000000000000',
];

function request(caller: Caller, method: string, path: string, expect: Expected, body?: string | Buffer, headers?: Record<string, string>): HostileCase {
  return { name: `${caller} ${method} ${path.slice(0, 80)}${body === undefined ? '' : ` ${String(body).slice(0, 60)}`}`, caller, method, path, expect, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) };
}

/** Content types, sizes and encodings of the submission request itself. */
export function requestCases(validArmored: string, requestLimit: number): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const type of ['application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/pgp-signature', 'application/pgp-encrypted-x', 'text/html', '*/*']) {
    cases.push(submission(`content type ${type}`, validArmored, unsupported, { 'content-type': type }));
  }
  cases.push(submission('no content type', validArmored, unsupported, {}));
  cases.push(submission('an unknown charset', validArmored, unsupported, { 'content-type': 'application/pgp-encrypted; charset=x-bogus' }));
  cases.push(submission('an unsupported content encoding', validArmored, unsupported, { ...PGP, 'content-encoding': 'compress' }));
  cases.push(submission('gzip that is not gzip', validArmored, malformed, { ...PGP, 'content-encoding': 'gzip' }));
  cases.push(submission('an empty body', '', expectProblem(Problems.malformedOpenPgp)));
  cases.push(submission('a body one byte over the limit', 'A'.repeat(requestLimit + 1), tooLarge));
  cases.push(submission('a body twice the limit', Buffer.alloc(requestLimit * 2, 0x41), tooLarge));
  cases.push(submission('a gzip bomb in Content-Encoding', gzipSync(Buffer.alloc(requestLimit * 4, 0x41)), tooLarge, { ...PGP, 'content-encoding': 'gzip' }));
  return cases;
}

/** Hostile query strings and ids on the inbox, acknowledgement, status and proof endpoints. */
export function partnerEndpointCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const query of ['limit=abc', 'limit=-1', 'limit=0', 'limit=501', 'limit=1.5', 'limit=1e400', 'limit=', 'limit=1&limit=2', 'after=-1', 'after=abc', 'after=99999999999999999999999', 'after=Infinity', 'after=0x10', 'limit[]=1', 'limit=%00']) {
    cases.push(request('politie', 'GET', `/v1/inbox?${query}`, malformed));
  }
  for (const id of HOSTILE_IDS) {
    cases.push(request('politie', 'GET', `/v1/inbox/${id}`, notFound));
    cases.push(request('politie', 'POST', `/v1/inbox/${id}/ack`, notFound));
    cases.push(request('politie', 'GET', `/v1/messages/${id}`, notFound));
    cases.push(request('politie', 'GET', `/v1/log/proof/${id}`, notFound));
  }
  for (const type of ['__proto__', 'constructor', 'toString', '..%2Fsubmission']) cases.push(request('politie', 'GET', `/v1/schemas/${type}`, notFound));
  cases.push(request('politie', 'GET', '/v1/inbox/%E0%A4%A', malformed));
  cases.push(request('politie', 'GET', '/v1/../admin/v1/partners', expectProblem(Problems.wrongRole)));
  cases.push(request('politie', 'GET', '/v1/inbox/..', notFound));
  return cases;
}

const DEEP = '['.repeat(100_000) + ']'.repeat(100_000);

/** What every JSON endpoint gets: bodies that are not JSON, not an object, nested too deep or too large. */
function jsonBodies(send: (name: string, body: string | Buffer, expect: Expected) => HostileCase, wrongShape: Expected, limit: number): HostileCase[] {
  return [
    send('invalid JSON', '{"id":', malformed),
    send('null', 'null', malformed),
    send('a string', '"text"', malformed),
    send('a number', '42', malformed),
    send('an array', '[]', wrongShape),
    send('100 000 nested arrays', DEEP, DEEP.length > limit ? tooLarge : wrongShape),
    send('a body one byte over the limit', Buffer.alloc(limit + 1, 0x20), tooLarge),
  ];
}

/** Hostile policy documents, ids and queries for the administrator's endpoints. */
export function adminCases(policy: Policy, requestLimit: number): HostileCase[] {
  const { version: _v, ...base } = policy;
  const put = (name: string, body: string | Buffer, expect: Expected, id = policy.id, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    ({ ...request('admin', 'PUT', `/admin/v1/policies/${id}`, expect, body, headers), name: `policy PUT: ${name}` });
  const doc = (change: (d: Json) => void) => {
    const d = structuredClone(base) as Json;
    change(d);
    return JSON.stringify(d);
  };
  const cases: HostileCase[] = [
    ...jsonBodies((name, body, expect) => put(name, body, expect), invalidPolicy, requestLimit),
    put('an empty object', '{}', invalidPolicy),
    put('If-Match that names no version', doc(() => undefined), malformed, policy.id, { 'content-type': 'application/json', 'if-match': '"latest"' }),
  ];
  const wrong: [string, (d: Json) => void][] = [
    ['id of the wrong type', (d) => (d.id = 42)],
    ['version of the wrong type', (d) => (d.version = 'next')],
    ['recipient of the wrong type', (d) => (d.recipient = ['politie'])],
    ['an unknown recipient', (d) => (d.recipient = 'nobody')],
    ['an unknown purpose', (d) => (d.purpose = 'everything')],
    ['messageTypes not an array', (d) => (d.messageTypes = 'minutes')],
    ['an unknown message type', (d) => (d.messageTypes = ['minutes', 'secrets'])],
    ['an empty legal basis', (d) => (d.legalBasis = '')],
    ['rules not an array', (d) => (d.rules = { 0: {} })],
    ['a rule with an unknown action', (d) => (d.rules = [{ category: 'medical', action: 'publish' }])],
    ['a rule with a traversal path', (d) => (d.rules = [{ path: '/../../etc/passwd', action: 'keep' }])],
    ['a rule with a path no schema has', (d) => (d.rules = [{ path: '/persons/*/password', action: 'keep' }])],
    ['a rule with an unknown category', (d) => (d.rules = [{ category: 'everything', action: 'keep' }])],
    ['an unknown field', (d) => (d.unexpected = true)],
    ['a comment of 3000 characters', (d) => (d.comment = 'x'.repeat(3000))],
    ['a __proto__ key', (d) => Object.defineProperty(d, '__proto__', { value: { polluted: true }, enumerable: true })],
    ['a constructor key', (d) => Object.assign(d, { constructor: { prototype: { polluted: true } } })],
    ['a __proto__ key in a rule', (d) => (d.rules = [JSON.parse('{"__proto__":{"action":"keep"},"category":"medical"}')])],
  ];
  for (const [name, change] of wrong) cases.push(put(name, doc(change), invalidPolicy));
  cases.push(put('an id in the document other than the path', doc((d) => (d.id = 'other-policy')), invalidPolicy));
  for (const id of ['..%2F..%2Fetc%2Fpasswd', '__proto__', 'constructor', '%00']) {
    cases.push(put(`a hostile id ${id}`, doc((d) => (d.id = decodeURIComponent(id))), invalidPolicy, id));
    cases.push(request('admin', 'GET', `/admin/v1/policies/${id}`, notFound));
    cases.push(request('admin', 'GET', `/admin/v1/policies/${id}/versions`, notFound));
    cases.push(request('admin', 'GET', `/admin/v1/partners/${id}`, notFound));
    cases.push(request('admin', 'POST', `/admin/v1/deliveries/${id}/retry`, notFound));
  }
  cases.push(request('admin', 'GET', `/admin/v1/policies/${policy.id}/versions/__proto__`, notFound));
  for (const query of ['status=bogus', 'status=available', 'limit=0', 'limit=abc', 'limit=100000', 'status=__proto__']) {
    cases.push(request('admin', 'GET', `/admin/v1/deliveries?${query}`, malformed));
  }
  cases.push(...queryCases('admin', 'GET', '/admin/v1/deliveries', [...BAD_LIMITS, ['limit=1001', 'limit'], ['status=dead&status=failed', 'status']]));
  cases.push(...queryCases('admin', 'GET', '/admin/v1/Deliveries/', [['limit=-5', 'limit']]));
  for (const [method, path] of [['GET', '/admin/v1/partners'], ['GET', '/admin/v1/partners/politie'], ['GET', `/admin/v1/policies/${policy.id}`], ['GET', `/admin/v1/policies/${policy.id}/versions`], ['GET', '/admin/v1/tls'], ['POST', '/admin/v1/tls/reload'], ['POST', '/admin/v1/preview']] as const) {
    cases.push(...queryCases('admin', method, path, [['limit=10', 'limit'], ['verbose', 'verbose']]));
  }
  const previewProblem = expectProblem(Problems.schemaViolation);
  const postPreview = (name: string, body: string | Buffer, expect: Expected) => ({ ...request('admin', 'POST', '/admin/v1/preview', expect, body, { 'content-type': 'application/json' }), name: `preview: ${name}` });
  cases.push(...jsonBodies(postPreview, previewProblem, requestLimit));
  const minutes = JSON.stringify(familyCase().minutes);
  cases.push(postPreview('a __proto__ key beside valid minutes', `{"sender":"vt","type":"minutes","purpose":"execution","payload":{"__proto__":{"x":1},${minutes.slice(1)}}`, expectProblem(Problems.schemaViolation, '/payload')));
  cases.push(postPreview('a constructor key in a person', `{"sender":"vt","type":"minutes","purpose":"execution","payload":${minutes.replace('"personId"', '"constructor":{},"personId"')}}`, expectProblem(Problems.schemaViolation, '/payload/persons/0')));
  cases.push(postPreview('a sender of the wrong type', '{"sender":1}', previewProblem));
  return cases;
}

// The privacy API reads at most 16 kB (src/privacy/routes.ts).
const PRIVACY_BODY_LIMIT = 16 * 1024;

/** Hostile search bodies and record ids for the privacy officer's endpoints. */
export function privacyCases(): HostileCase[] {
  const search = (name: string, body: string | Buffer, expect: Expected) => ({ ...request('privacy-officer', 'POST', '/privacy/v1/search', expect, body, { 'content-type': 'application/json' }), name: `privacy search: ${name}` });
  const cases: HostileCase[] = [
    ...jsonBodies(search, malformed, PRIVACY_BODY_LIMIT),
    search('a BSN as a number', '{"bsn":123456782}', malformed),
    search('a BSN of the wrong length', '{"bsn":"12345"}', malformed),
    search('a name without a date of birth', '{"name":"Jansen"}', malformed),
    search('a limit of the wrong type', '{"limit":"all"}', malformed),
    search('a negative limit', '{"limit":-1}', malformed),
    search('an unknown field', '{"sql":"1; DROP TABLE log_entries"}', malformed),
    search('a __proto__ key', '{"__proto__":{"limit":100000}}', malformed),
    search('a constructor key', '{"constructor":{"prototype":{"x":1}}}', malformed),
    search('a date that is no date', '{"from":"yesterday"}', malformed),
    search('a name over the 16 kB body limit', `{"name":"${'x'.repeat(PRIVACY_BODY_LIMIT)}","dateOfBirth":"2000-01-01"}`, tooLarge),
  ];
  for (const id of ['abc', '-1', '1.5', '1e400', '..%2F..%2Fetc', '__proto__', '99999999999999999999']) {
    cases.push(request('privacy-officer', 'GET', `/privacy/v1/records/${id}`, notFound));
  }
  cases.push(...queryCases('privacy-officer', 'GET', '/privacy/v1/audit', [...BAD_LIMITS, ['limit=1001', 'limit']]));
  const dates: [string, string][] = [['from=yesterday', 'from'], ['to=2026-13-45', 'to'], ['from=2026-01-01T10:00:00', 'from'], ['from=2026-01-01&from=2026-01-02', 'from'], ['to=1700000000', 'to'], ['limit=5', 'limit']];
  cases.push(...queryCases('privacy-officer', 'GET', '/privacy/v1/stats', dates));
  for (const [method, path] of [['GET', '/privacy/v1/log/verify'], ['GET', '/privacy/v1/informing/overdue'], ['GET', '/privacy/v1/records/1'], ['POST', '/privacy/v1/search'], ['POST', '/privacy/v1/report']] as const) {
    cases.push(...queryCases('privacy-officer', method, path, [['limit=10', 'limit'], ['bsn=123456782', 'bsn']]));
  }
  return cases;
}
