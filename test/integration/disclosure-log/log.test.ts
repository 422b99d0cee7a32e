import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointSignatureValid } from '../../../src/disclosure-log/checkpoint.ts';
import { manifestDigest } from '../../../src/disclosure-log/entries.ts';
import { verifyConsistency, verifyInclusion } from '../../../src/disclosure-log/merkle.ts';
import type { ConsistencyProof, InclusionProof } from '../../../src/disclosure-log/service.ts';
import type { Checkpoint } from '../../../src/disclosure-log/types.ts';
import { canonicalJson } from '../../../src/submission/canonical-json.ts';
import { envelope, familyCase } from '../../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../../src/simulator/client.ts';
import { allText, queryRows } from '../../support/db.ts';
import { databaseEnv, DIALECTS } from '../../support/databases.ts';
import { CERTS, eventually, startTestHubOn, type TestHub } from '../../support/hub.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

// The whole hub on each kind of database: what it logs, how it verifies, and the privacy officer's API over it.
describe.each(DIALECTS)('on %s', (dialect) => {
  let t: TestHub;
  let officer: MutualTlsClient;
  let hubKey: openpgp.PublicKey;
  const fixture = familyCase();
  let deliveries: { recipient: string; deliveryId: string }[] = [];

  beforeAll(async () => {
    t = await startTestHubOn(dialect, (c) => {
      // One processing activity states its own retention; the others keep the hub's.
      c.policies = c.policies.map((p) => (p.id === 'politie-execution' ? { ...p, retentionDays: 30 } : p));
    });
    officer = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), t.url);
    hubKey = await openpgp.readKey({ armoredKey: readFileSync(resolve(CERTS, 'hub/pgp-public.asc'), 'utf8') });
    const vt = await t.partner('vt');
    const informing = [{ personId: 'p1', status: 'informed', by: 'vt', on: '2026-11-24' }, { personId: 'p2', status: 'postponed', reason: 'Gevaar voor slachtoffer', reviewDate: '2020-01-01' }];
    const answer = await vt.request('POST', '/v1/messages', await vt.seal(envelope('minutes', 'execution', fixture.caseRef, { ...fixture.minutes, informing })), {
      'content-type': 'application/pgp-encrypted',
      traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
    });
    expect(answer.status, answer.body).toBe(202);
    deliveries = JSON.parse(answer.body).deliveries;
    await eventually('every delivery in an inbox', async () => ((await t.hub.store.log.size()) >= 4 * (1 + 4) + 4 ? true : undefined));
    await t.hub.disclosureLog.checkpoint();
  });

  afterAll(async () => {
    officer?.close();
    await t?.stop();
  });

  const person = (id: string) => (fixture.minutes.persons as { personId: string; name: string; dateOfBirth: string; bsn: string }[]).find((p) => p.personId === id)!;

  describe('the disclosure log', () => {
    it('holds the manifest once per delivery, then one entry per person with pseudonyms, the trace, the policy and the manifest’s digest; never a BSN or name', async () => {
      const police = deliveries.find((d) => d.recipient === 'politie')!;
      const entries = (await t.hub.store.log.entriesOfDelivery(police.deliveryId)).map((e) => e.entry!);
      expect(entries[0]?.kind).toBe('manifest');
      const manifests = entries.filter((e) => e.kind === 'manifest');
      expect(manifests).toHaveLength(1);
      expect(manifests[0]!.manifest.disclosed.length).toBeGreaterThan(0);
      const disclosures = entries.filter((e) => e.kind === 'disclosure');
      expect(disclosures).toHaveLength(4);
      for (const d of disclosures) {
        expect(d).toMatchObject({ traceId: TRACE, sender: 'vt', recipient: 'politie', purpose: 'execution', processingActivity: { id: 'politie-execution', version: 1 }, confidentiality: 'confidential' });
        expect(d.subject?.bsn).toMatch(/^[0-9a-f]{64}$/);
        expect(d.manifestDigest).toBe(manifestDigest(manifests[0]!.manifest));
        expect(d).not.toHaveProperty('manifest');
      }
      expect(new Set(disclosures.map((d) => d.spanId)).size).toBe(1);
      expect(entries.some((e) => e.kind === 'status' && e.event === 'available')).toBe(true);
      const text = await allText(t.config.hub.database);
      for (const id of ['p1', 'p2', 'p3', 'p4']) {
        expect(text).not.toContain(person(id).bsn);
        expect(text).not.toContain(person(id).name);
      }
      expect(text).not.toContain('Gevaar voor slachtoffer');
    });

    it('keeps a delivery’s entries for the retention of its processing activity, or the hub’s when its policy states none', async () => {
      for (const [recipient, days] of [['politie', 30], ['om', t.config.hub.log.retentionDays]] as const) {
        const { deliveryId } = deliveries.find((d) => d.recipient === recipient)!;
        const disclosures = (await t.hub.store.log.entriesOfDelivery(deliveryId)).flatMap((e) => (e.entry?.kind === 'disclosure' ? [e.entry] : []));
        expect(disclosures.length).toBeGreaterThan(0);
        for (const d of disclosures) expect(Date.parse(d.retainUntil) - Date.parse(d.occurredAt), recipient).toBe(days * 86_400_000);
        // The purge reads the date from a column that every entry of the delivery carries, its manifest and status too.
        const rows = await queryRows(t.config.hub.database, `SELECT kind, retain_until FROM log_entries WHERE delivery_id = '${deliveryId}'`);
        expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['manifest', 'disclosure', 'status']));
        expect(new Set(rows.map((r) => r.retain_until))).toEqual(new Set([disclosures[0]!.retainUntil]));
      }
    });

    it('verifies as intact, from the API and from npm run log:verify', async () => {
      const size = await t.hub.store.log.size();
      const api = await officer.json('GET', '/privacy/v1/log/verify');
      expect(api.body).toMatchObject({ intact: true, records: size });
      const cli = spawnSync(process.execPath, ['src/disclosure-log/cli.ts'], { env: { ...process.env, ...databaseEnv(t.config.hub.database) }, encoding: 'utf8' });
      expect(cli.status, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(new RegExp(`^intact, ${size} records, root [0-9a-f]{64}`));
    });

    it('gives a recipient an inclusion proof that checks against the signed checkpoint', async () => {
      const om = await t.partner('om');
      const mine = deliveries.find((d) => d.recipient === 'om')!;
      const answer = await om.request('GET', `/v1/log/proof/${mine.deliveryId}`);
      expect(answer.status).toBe(200);
      const proof = JSON.parse(answer.body) as InclusionProof;
      expect(await checkpointSignatureValid(proof.checkpoint, [hubKey])).toBe(true);
      expect(proof.entries.length).toBeGreaterThanOrEqual(1 + 4);
      expect(proof.entries.map((e) => (e.entry as { kind: string }).kind).slice(0, 5)).toEqual(['manifest', 'disclosure', 'disclosure', 'disclosure', 'disclosure']);
      for (const e of proof.entries) {
        // The leaf as the README's procedure has the partner compute it, from the entry and its salt.
        const leaf = createHash('sha256').update(Buffer.of(0)).update(createHash('sha256').update(Buffer.from(e.salt, 'hex')).update(canonicalJson(e.entry)).digest()).digest();
        expect(leaf.toString('hex')).toBe(e.leafHash);
        const ok = verifyInclusion(leaf, e.index, proof.checkpoint.treeSize, e.auditPath.map((h) => Buffer.from(h, 'hex')), Buffer.from(proof.checkpoint.rootHash, 'hex'));
        expect(ok).toBe(true);
      }
      const police = await t.partner('politie');
      expect((await police.request('GET', `/v1/log/proof/${mine.deliveryId}`)).status).toBe(404);
    });

    it('proves to a partner that a later checkpoint only added to one it kept', async () => {
      const om = await t.partner('om');
      const kept = JSON.parse((await om.request('GET', '/v1/log/checkpoint')).body) as Checkpoint;
      // OM takes its delivery: the acknowledgement is a new entry.
      expect((await om.pullAll()).length).toBeGreaterThan(0);
      await eventually('the log grown', async () => ((await t.hub.store.log.size()) > kept.treeSize ? true : undefined));
      const answer = JSON.parse((await om.request('GET', `/v1/log/consistency?from=${kept.treeSize}`)).body) as ConsistencyProof;
      expect(answer.checkpoint.treeSize).toBeGreaterThan(kept.treeSize);
      expect(await checkpointSignatureValid(answer.checkpoint, [hubKey])).toBe(true);
      const hex = (h: string) => Buffer.from(h, 'hex');
      expect(verifyConsistency(kept.treeSize, answer.checkpoint.treeSize, answer.proof.map(hex), hex(kept.rootHash), hex(answer.checkpoint.rootHash))).toBe(true);
      // A root that was not the log's at that size is not consistent with it.
      expect(verifyConsistency(kept.treeSize, answer.checkpoint.treeSize, answer.proof.map(hex), hex('00'.repeat(32)), hex(answer.checkpoint.rootHash))).toBe(false);
      for (const from of ['0', String(answer.checkpoint.treeSize + 1000), 'x']) {
        const refused = await om.request('GET', `/v1/log/consistency?from=${from}`);
        expect([refused.status, JSON.parse(refused.body).errors?.[0]?.path]).toEqual([400, 'from']);
      }
    });
  });

  describe('the privacy officer’s API', () => {
    it('finds a person by BSN or by name and date of birth, and records the search without the BSN', async () => {
      const p2 = person('p2');
      const byBsn = await officer.json('POST', '/privacy/v1/search', { bsn: p2.bsn });
      expect(byBsn.status).toBe(200);
      expect(byBsn.body.disclosures.map((d: { recipient: string }) => d.recipient).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk']);
      expect(byBsn.body.disclosures.every((d: { subject: { role: string } }) => d.subject.role === 'suspect')).toBe(true);
      const byName = await officer.json('POST', '/privacy/v1/search', { name: p2.name.toUpperCase(), dateOfBirth: p2.dateOfBirth });
      expect(byName.body.disclosures.map((d: { seq: number }) => d.seq)).toEqual(byBsn.body.disclosures.map((d: { seq: number }) => d.seq));
      const trail = await officer.json('GET', '/privacy/v1/audit');
      expect(trail.body.audit[0]).toMatchObject({ officer: 'privacy-officer', action: 'search', results: 4 });
      expect(JSON.stringify(trail.body)).not.toContain(p2.bsn);
      expect(await allText(t.config.hub.database)).not.toContain(p2.bsn);
    });

    it('filters by partner, purpose, type and case, exports CSV, and opens a record with its status history', async () => {
      const found = await officer.json('POST', '/privacy/v1/search', { partner: 'rvdk', purpose: 'execution', type: 'minutes', caseRef: fixture.caseRef });
      expect(found.body.disclosures).toHaveLength(4);
      // Each result names what went, so that a sender can match it with what it sent and a recipient with what it got.
      for (const d of found.body.disclosures) {
        const delivery = await t.hub.store.getDelivery(d.deliveryId);
        expect(d).toMatchObject({ messageId: delivery!.messageId, ciphertextDigest: createHash('sha256').update(delivery!.ciphertext).digest('hex'), retainUntil: expect.any(String) });
      }
      const csv = await officer.request('POST', '/privacy/v1/search', JSON.stringify({ partner: 'rvdk' }), { 'content-type': 'application/json', accept: 'text/csv' });
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.body.trim().split('\r\n')).toHaveLength(5);
      const detail = await officer.json('GET', `/privacy/v1/records/${found.body.disclosures[0].seq}`);
      expect(detail.body.record).toMatchObject({ kind: 'disclosure', recipient: 'rvdk', manifest: { disclosed: expect.any(Array), withheld: expect.any(Array) } });
      expect(manifestDigest(detail.body.record.manifest)).toBe(detail.body.record.manifestDigest);
      expect(detail.body.status.map((s: { event: string }) => s.event)).toContain('available');
      expect((await officer.json('GET', '/privacy/v1/records/999999')).status).toBe(404);
    });

    it('reports for a person which recipients received which categories, when, why and on which basis', async () => {
      const report = await officer.json('POST', '/privacy/v1/report', { bsn: person('p1').bsn });
      expect(report.body.disclosures).toHaveLength(4);
      expect(report.body.disclosures[0]).toMatchObject({ from: 'vt', purpose: 'execution', legalBasis: expect.any(String), categories: expect.arrayContaining(['identification']), role: 'victim' });
      expect((await officer.json('POST', '/privacy/v1/report', { name: 'Alleen een naam' })).status).toBe(400);
    });

    it('lists who is overdue to be told, and counts disclosures per partner and purpose', async () => {
      const overdue = await officer.json('GET', '/privacy/v1/informing/overdue');
      expect(overdue.body.overdue).toEqual([expect.objectContaining({ caseRef: fixture.caseRef, role: 'suspect', status: 'postponed', reviewDate: '2020-01-01', reasonGiven: true })]);
      const stats = await officer.json('GET', '/privacy/v1/stats');
      expect(stats.body.series.map((s: { recipient: string; disclosures: number }) => [s.recipient, s.disclosures]).sort()).toEqual([['om', 1], ['politie', 1], ['reclassering', 1], ['rvdk', 1]]);
      expect((await officer.json('GET', '/privacy/v1/stats?from=2000-01-01&to=2000-01-02')).body.series).toEqual([]);
      // A minute from now, written an hour behind UTC: as text it sorts before the disclosures, as a time after them.
      const soonWest = new Date(Date.now() + 60_000 - 3_600_000).toISOString().replace('Z', '-01:00');
      expect((await officer.json('GET', `/privacy/v1/stats?to=${encodeURIComponent(soonWest)}`)).body.series).toHaveLength(4);
      expect((await officer.json('POST', '/privacy/v1/search', { partner: 'rvdk', to: soonWest })).body.disclosures).toHaveLength(4);
      const soonEast = new Date(Date.now() + 60_000 + 3_600_000).toISOString().replace('Z', '+01:00');
      expect((await officer.json('POST', '/privacy/v1/search', { partner: 'rvdk', from: soonEast })).body.disclosures).toHaveLength(0);
      expect((await officer.json('GET', '/privacy/v1/stats?from=yesterday')).status).toBe(400);
    });

    it('is for privacy officers only', async () => {
      const police = await t.partner('politie');
      expect((await police.request('POST', '/privacy/v1/search', '{}', { 'content-type': 'application/json' })).status).toBe(403);
      const admin = new MutualTlsClient(loadClientTls(CERTS, 'admin'), t.url);
      expect((await admin.json('GET', '/privacy/v1/log/verify')).status).toBe(403);
      admin.close();
      expect((await officer.json('GET', '/admin/v1/policies')).status).toBe(403);
    });
  });
});
