import { afterEach, describe, expect, it } from 'vitest';
import { envelope, familyCase } from '../../../src/simulator/cases.ts';
import { eventually, startTestHub, type TestHub } from '../../support/hub.ts';
import { freePort } from '../../support/net.ts';

let t: TestHub | undefined;

afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function ops(path: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`http://127.0.0.1:${t!.hub.opsPort}${path}`, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/** The value of one sample in Prometheus text format, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the operations port', () => {
  it('answers /healthz and /readyz with Redis and the database reachable', async () => {
    t = await startTestHub();
    expect(await ops('/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    const ready = await ops('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', checks: { redis: 'ok', database: 'ok', crl: 'ok' } });
    expect((await ops('/readyz', 'POST')).status).toBe(405);
    expect(await ops('/nope')).toMatchObject({ status: 404, type: 'application/problem+json' });
  });

  it('is not ready while Redis is unreachable, though it stays alive', async () => {
    const closed = await freePort();
    t = await startTestHub((c) => {
      c.hub.redis.url = `redis://127.0.0.1:${closed}`;
    });
    expect((await ops('/healthz')).status).toBe(200);
    const ready = await ops('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'not ready', checks: { redis: 'failing', database: 'ok', crl: 'ok' } });
  });

  it('counts submissions by outcome, deliveries by state and their latency, and shows queue depths', async () => {
    t = await startTestHub();
    const vt = await t.partner('vt');
    const fixture = familyCase();
    expect((await vt.submit(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes))).status).toBe(202);
    expect((await vt.request('POST', '/v1/messages', 'not openpgp', { 'content-type': 'application/pgp-encrypted' })).status).toBe(400);
    const text = await eventually('four deliveries in the inbox', async () => {
      const body = (await ops('/metrics')).body;
      return ['politie', 'om', 'rvdk', 'reclassering'].every((p) => sample(body, `aoh_delivery_events_total{partner="${p}",event="available"}`) === 1) ? body : undefined;
    });
    expect(sample(text, 'aoh_submissions_total{outcome="accepted",problem=""}')).toBe(1);
    expect(sample(text, 'aoh_submissions_total{outcome="refused",problem="malformed-openpgp"}')).toBe(1);
    expect(sample(text, 'aoh_delivery_latency_seconds_count{partner="politie",transport="pull"}')).toBe(1);
    expect(sample(text, 'aoh_queue_jobs{partner="politie",state="waiting"}')).toBe(0);
    expect(sample(text, 'aoh_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'aoh_crypto_worker_heap_bytes{worker="0",space="used"}')).toBeGreaterThan(0);
    expect(sample(text, 'aoh_store_thread_heap_bytes{space="used"}')).toBeGreaterThan(0);
    // Labels carry partner ids, states and problem types, never content.
    expect(text).not.toContain(fixture.caseRef);
  });
});
