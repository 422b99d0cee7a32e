import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MutualTlsClient, loadClientTls, type HttpAnswer } from '../../../src/simulator/client.ts';
import type { SimulatedPartner } from '../../../src/simulator/partner.ts';
import { allRowCounts } from '../../support/db.ts';
import { hostileCorpus, validSubmission, type HostileCase } from '../../support/hostile/corpus.ts';
import type { Caller } from '../../support/hostile/types.ts';
import { CERTS, eventually, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';
import { MESSAGE_TYPES, PURPOSES } from '../../../src/messages/envelope.ts';
import { jobsAdded } from '../../support/redis.ts';
import { expectSecurityHeaders, internalDetails } from '../../support/security-headers.ts';

/**
 * A fuzzer's and a penetration tester's inputs against a running hub (real TLS, real OpenPGP, real
 * Redis): each must get its own 4xx problem, none a 5xx, and none may leave a trace.
 */
let t: TestHub;
let police: SimulatedPartner;
let operators: Record<Exclude<Caller, 'politie'>, MutualTlsClient>;
const clientOf = (caller: Caller) => (caller === 'politie' ? police : operators[caller]);
let corpus: HostileCase[];
const answers: { c: HostileCase; answer: HttpAnswer }[] = [];
const before: { rows: Record<string, number>; jobs: number; logLines: number } = { rows: {}, jobs: 0, logLines: 0 };

beforeAll(async () => {
  // The corpus is about what a message holds, so the police may send every type and purpose here, and
  // as often as the corpus needs: permissions and rate limits have tests of their own.
  t = await startTestHub((c) => {
    withPartner(c, 'politie', { sends: MESSAGE_TYPES.map((type) => ({ type, purposes: [...PURPOSES] })) });
    c.hub.rateLimits.submit = { max: 100_000, perSeconds: 1 };
  });
  police = await t.partner('politie');
  operators = {
    admin: new MutualTlsClient(loadClientTls(CERTS, 'admin'), t.url),
    'privacy-officer': new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), t.url),
  };
  corpus = await hostileCorpus(CERTS, t.config);
  // One valid message first, so the tables and queues are not trivially empty.
  const first = await police.submit(validSubmission());
  expect(first.status).toBe(202);
  // ... and once its delivery is in the inbox, so that no event of it lands between the counts.
  const { deliveries } = JSON.parse(first.body) as { deliveries: { deliveryId: string }[] };
  await eventually('the first delivery available', async () => ((await t.events(deliveries[0]!.deliveryId)).some((e) => e.event === 'available') ? true : undefined));
  before.rows = await allRowCounts(t.config.hub.database);
  before.jobs = await jobsAdded(t.config.hub.redis.prefix);
  before.logLines = t.logLines.length;
  // Four at a time, as several partner systems would; the answers are checked one by one below.
  const queue = [...corpus];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        answers.push({ c, answer: await clientOf(c.caller).request(c.method, c.path, c.body, c.headers ?? {}) });
      }
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(operators ?? {})) client.close();
  await t?.stop();
});

function problemOf(answer: HttpAnswer): { type?: string; errors?: { path: string }[] } {
  try {
    return JSON.parse(answer.body);
  } catch {
    return {};
  }
}

describe('a corpus of hostile inputs', () => {
  it('holds at least 300 generated inputs', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(answers.length).toBe(corpus.length);
  });

  it('answers each with its specific 4xx problem, and never with a 5xx', () => {
    const wrong = answers.flatMap(({ c, answer }) => {
      const problem = problemOf(answer);
      const pathNamed = c.expect.errorPath === undefined || (problem.errors ?? []).some((e) => e.path === c.expect.errorPath);
      const right = answer.status === c.expect.status && problem.type === c.expect.type && pathNamed && /^application\/problem\+json/.test(String(answer.headers['content-type']));
      return right ? [] : [{ case: c.name, expected: c.expect, got: { status: answer.status, body: answer.body.slice(0, 300) } }];
    });
    expect(wrong).toEqual([]);
    expect(answers.filter(({ answer }) => answer.status >= 500)).toEqual([]);
  });

  it('stores, queues and logs nothing for any of them', async () => {
    expect(await allRowCounts(t.config.hub.database)).toEqual(before.rows);
    expect(await jobsAdded(t.config.hub.redis.prefix)).toBe(before.jobs);
    const during = t.logLines.slice(before.logLines).join('');
    expect(during).not.toContain('"message accepted"');
    expect(during).not.toContain('"unexpected error"');
    // The corpus posts armour, private keys and plaintext; none of it may reach the log.
    expect(during).not.toContain('-----BEGIN');
    expect(during).not.toContain('Lindelaan');
  });

  it('sends the security headers and no internal detail with every answer', () => {
    for (const { c, answer } of answers) {
      expectSecurityHeaders(answer.headers, c.name);
      expect(internalDetails(answer.body), c.name).toEqual([]);
    }
  });

  it('leaves Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'urgent')).toBe(false);
  });

  it('stays healthy: /healthz answers and a valid submission is still accepted', async () => {
    const health = await fetch(`http://127.0.0.1:${t.hub.opsPort}/healthz`);
    expect(health.status).toBe(200);
    const answer = await police.submit(validSubmission());
    expect(answer.status, answer.body).toBe(202);
  });
});
