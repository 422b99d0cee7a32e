import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSignatureValid } from '../../../src/disclosure-log/checkpoint.ts';
import { appendLogEntries, disclosureEntry, queryRows } from '../../support/db.ts';
import { CERTS, eventually, startTestHub, type TestHub } from '../../support/hub.ts';

// What the hub does to its log on its own, every hub.log.checkpointSeconds: sign the grown tree, purge what has expired.
describe('the log’s upkeep on a timer', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub((c) => {
      c.hub.log.checkpointSeconds = 0.2;
    });
  });
  afterAll(async () => t?.stop());

  it('signs a checkpoint of the grown log without being asked', async () => {
    await t.sendMinutes();
    const size = await t.hub.store.log.size();
    const signed = await eventually('a checkpoint of the whole log', async () => (await t.hub.store.log.checkpoints()).find((c) => c.treeSize >= size));
    const hubKey = await openpgp.readKey({ armoredKey: readFileSync(resolve(CERTS, 'hub/pgp-public.asc'), 'utf8') });
    expect(await checkpointSignatureValid(signed, [hubKey])).toBe(true);
  });

  it('purges an entry once its retention has passed, and the log still verifies', async () => {
    const { to } = await t.sendMinutes();
    const line = (await disclosureEntry(t.config.hub.database, to.om!))!;
    const { index: _, ...unplaced } = line;
    await appendLogEntries(t.config.hub.database, [{ ...unplaced, retainUntil: '2020-01-01T00:00:00.000Z' }]);
    // Found by its date: workers may append status entries after it at any moment.
    const [{ seq } = { seq: 0 }] = await queryRows(t.config.hub.database, "SELECT seq FROM log_entries WHERE retain_until = '2020-01-01T00:00:00.000Z'");
    expect(seq).toBeGreaterThan(1);
    await eventually('the expired entry purged', async () => ((await t.hub.store.log.entryAt(Number(seq)))?.entry === null ? true : undefined));
    expect((await t.hub.store.log.entryAt(Number(seq) - 1))?.entry).not.toBeNull();
    const v = await t.hub.disclosureLog.verify();
    expect(v, JSON.stringify(v)).toMatchObject({ intact: true });
  });
});
