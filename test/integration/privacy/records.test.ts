import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DisclosureEntry, ManifestEntry } from '../../../src/disclosure-log/entries.ts';
import { verifyLog } from '../../../src/disclosure-log/verify.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import { appendLogEntries, preManifestEntry } from '../../support/db.ts';
import { DIALECTS } from '../../support/databases.ts';
import { CERTS, startTestHubOn, type TestHub } from '../../support/hub.ts';

describe.each(DIALECTS)('a disclosure record of the log’s old shape, on %s', (dialect) => {
  let t: TestHub;
  let officer: MutualTlsClient;

  beforeAll(async () => {
    t = await startTestHubOn(dialect);
    officer = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), t.url);
  });
  afterAll(async () => {
    officer?.close();
    await t?.stop();
  });

  it('shows the manifest the entry carries itself, as it shows a current record’s from the delivery’s manifest entry', async () => {
    const { to } = await t.sendMinutes();
    const entries = (await t.hub.store.log.entriesOfDelivery(to.politie!)).map((e) => e.entry!);
    const manifest = entries.find((e) => e.kind === 'manifest') as ManifestEntry;
    const current = entries.find((e) => e.kind === 'disclosure') as DisclosureEntry;
    await appendLogEntries(t.config.hub.database, [preManifestEntry(current, manifest, { deliveryId: 'delivery-before-manifest-entries', caseRef: 'VT-2025-000001' })]);
    // Found by its delivery, not as the last record: the workers append status entries meanwhile.
    const [appended] = await t.hub.store.log.entriesOfDelivery('delivery-before-manifest-entries');
    const seq = appended!.seq;
    expect(appended!.entry).not.toHaveProperty('manifestDigest');

    const old = await officer.json('GET', `/privacy/v1/records/${seq}`);
    expect(old.status).toBe(200);
    expect(old.body.record).toMatchObject({ seq, kind: 'disclosure', deliveryId: 'delivery-before-manifest-entries', manifest: manifest.manifest });
    expect(old.body.record.manifest.withheld.length).toBeGreaterThan(0);
    expect(old.body.record.manifestSeq).toBeUndefined();
    expect(old.body.status).toEqual([]);
    const now = await officer.json('GET', `/privacy/v1/records/${current.index + 1}`);
    expect(now.body.record).toMatchObject({ manifest: manifest.manifest, manifestSeq: manifest.index + 1, manifestDigest: current.manifestDigest });
    // Appended as the store appends: the log, old line included, still verifies (the workers may have
    // appended status entries since).
    const verified = await verifyLog(t.hub.store.log.rows(), [], async () => true);
    expect(verified.intact).toBe(true);
    expect(verified.records).toBeGreaterThanOrEqual(seq);
  });
});
