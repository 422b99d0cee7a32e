import { afterEach, describe, expect, it } from 'vitest';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { dumpPrefix } from '../../support/redis.ts';
import { eventually, startTestHub, withPartner, type TestHub } from '../../support/hub.ts';

const hubs: TestHub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.stop().catch(() => undefined);
});

describe('the database is the truth; Redis may lose everything', () => {
  it('accepts while Redis is unreachable and delivers once a hub with Redis starts on the same database', async () => {
    const down = await startTestHub((c) => {
      c.hub.redis.url = 'redis://127.0.0.1:1';
    });
    hubs.push(down);
    const politie = await down.partner('politie');
    const fixture = stalkingCase();
    const answer = await politie.submit(envelope('submission', 'intake', fixture.caseRef, fixture.submission));
    expect(answer.status).toBe(202);
    const { messageId } = JSON.parse(answer.body);
    expect(await down.hub.store.pendingDeliveries()).toHaveLength(1);
    const database = down.config.hub.database;
    await down.hub.close();
    hubs.splice(0);

    const up = await startTestHub((c) => {
      c.hub.database = database;
    });
    hubs.push(up);
    const vt = await up.partner('vt');
    const got = await eventually('the reconciled delivery', async () => (await vt.pullAll())[0]);
    expect(got.plaintext.messageId).toBe(messageId);
    expect(await up.hub.store.pendingDeliveries()).toEqual([]);
  });

  it('queues again a delivery whose job Redis lost', async () => {
    const t = await startTestHub((c) => {
      withPartner(c, 'vt', { transport: { kind: 'push', url: 'https://localhost:1/never' } });
      c.hub.delivery = { ...c.hub.delivery, attempts: 50, backoffSeconds: 30 };
    });
    hubs.push(t);
    const politie = await t.partner('politie');
    const fixture = stalkingCase();
    const { deliveries } = JSON.parse((await politie.submit(envelope('submission', 'intake', fixture.caseRef, fixture.submission))).body);
    const deliveryId = deliveries[0].deliveryId;
    await eventually('the job in Redis', async () => ((await dumpPrefix(t.config.hub.redis.prefix)).some((k) => k.endsWith(`:${deliveryId}`)) ? true : undefined));
    const { Redis } = await import('ioredis');
    const redis = new Redis(t.config.hub.redis.url);
    const keys = await redis.keys(`${t.config.hub.redis.prefix}:*`);
    await redis.del(...keys);
    expect(await redis.keys(`${t.config.hub.redis.prefix}:*`)).toEqual([]);
    await eventually('the job queued again by the reconciler', async () => ((await redis.exists(`${t.config.hub.redis.prefix}:deliveries-vt:${deliveryId}`)) ? true : undefined));
    redis.disconnect();
  });
});
