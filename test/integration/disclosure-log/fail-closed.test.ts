import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, familyCase } from '../../../src/simulator/cases.ts';
import { execute, rowCounts } from '../../support/db.ts';
import { DIALECTS } from '../../support/databases.ts';
import { eventually, startTestHubOn, type TestHub } from '../../support/hub.ts';
import { jobsAdded } from '../../support/redis.ts';

// A log write that fails, as a full disk or a lost connection would make it: a trigger of the test's own.
const FAIL_LOG_WRITES = {
  sqlite: {
    on: "CREATE TRIGGER test_fail_log BEFORE INSERT ON log_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
    off: 'DROP TRIGGER test_fail_log;',
  },
  postgres: {
    on: `CREATE FUNCTION test_fail_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
         CREATE TRIGGER test_fail_log BEFORE INSERT ON log_entries FOR EACH ROW EXECUTE FUNCTION test_fail_log();`,
    off: 'DROP TRIGGER test_fail_log ON log_entries; DROP FUNCTION test_fail_log();',
  },
};

// Fail closed (ARCHITECTURE.md invariant 3): no delivery without its disclosure record.
describe.each(DIALECTS)('a disclosure record that cannot be written, on %s', (dialect) => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHubOn(dialect);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('stores, queues and delivers nothing, answers 500, and takes the same message once the log can be written', async () => {
    const vt = await t.partner('vt');
    const fixture = familyCase();
    const sealed = await vt.seal(envelope('minutes', 'execution', fixture.caseRef, fixture.minutes));
    const send = () => vt.request('POST', '/v1/messages', sealed, { 'content-type': 'application/pgp-encrypted' });
    const before = { rows: await rowCounts(t.config.hub.database), jobs: await jobsAdded(t.config.hub.redis.prefix) };

    await execute(t.config.hub.database, FAIL_LOG_WRITES[dialect].on);
    const refused = await send();
    expect([refused.status, JSON.parse(refused.body).type]).toEqual([500, 'urn:actieoverleg-hub:problem:internal']);
    expect(refused.body).not.toContain('disk full');
    expect(await rowCounts(t.config.hub.database)).toEqual(before.rows);
    expect(await jobsAdded(t.config.hub.redis.prefix)).toBe(before.jobs);
    const police = await t.partner('politie');
    expect(JSON.parse((await police.request('GET', '/v1/inbox')).body).deliveries).toEqual([]);

    await execute(t.config.hub.database, FAIL_LOG_WRITES[dialect].off);
    const accepted = await send();
    expect(accepted.status, accepted.body).toBe(202);
    const deliveries = JSON.parse(accepted.body).deliveries.length;
    expect((await rowCounts(t.config.hub.database)).deliveries).toBe(before.rows.deliveries! + deliveries);
    // The same count of jobs would have shown up for the refused message, had it been queued.
    await eventually('the accepted deliveries queued', async () => ((await jobsAdded(t.config.hub.redis.prefix)) >= before.jobs + deliveries ? true : undefined));
  });
});
