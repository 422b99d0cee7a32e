import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, familyCase, stalkingCase } from '../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../src/simulator/client.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../src/simulator/partner.ts';
import { allText, queryRows } from '../support/db.ts';
import { databaseEnv, testDatabase, type TestDatabase } from '../support/databases.ts';
import { CERTS, eventually } from '../support/hub.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { bsnsIn, leaked, withMarkers } from '../support/markers.ts';
import { uniquePrefix } from '../support/redis.ts';

/**
 * Two hub processes, as `npm start` runs them, sharing one PostgreSQL database (and one Redis): either
 * takes submissions and serves inboxes, and both append to one disclosure log in one order.
 */
let db: TestDatabase;
let hubs: HubProcess[] = [];
const clients: { close(): unknown }[] = [];
const secrets: string[] = [];

async function partner(id: string, hub: HubProcess): Promise<SimulatedPartner> {
  const p = new SimulatedPartner(await loadPartnerCredentials(CERTS, id), hub.url);
  clients.push(p);
  return p;
}

function verifyCli(): { status: number | null; stdout: string } {
  return spawnSync(process.execPath, ['src/disclosure-log/cli.ts'], { env: { ...process.env, ...databaseEnv(db.settings) }, encoding: 'utf8' });
}

/** Pulls (and acknowledges) at every instance in turn until `count` deliveries have arrived. */
async function pullEverything(id: string, count: number): Promise<string[]> {
  const at = await Promise.all(hubs.map((h) => partner(id, h)));
  const got: string[] = [];
  await eventually(`${count} deliveries for ${id}`, async () => {
    for (const p of at) got.push(...(await p.pullAll()).map((d) => d.deliveryId));
    return got.length >= count ? true : undefined;
  }, 30_000);
  return got;
}

beforeAll(async () => {
  db = await testDatabase('postgres');
  // Both start at once on an empty database: their migrations take turns.
  const shared = { env: databaseEnv(db.settings), redisPrefix: uniquePrefix() };
  hubs = await Promise.all([spawnHub(shared), spawnHub(shared)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const h of hubs) await h.cleanup();
  await db?.remove();
});

describe('the hub on PostgreSQL', () => {
  it('accepts a submission over mutual TLS at one instance, delivers it at the other, and logs it verifiably', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess];
    const stalking = stalkingCase();
    const marked = withMarkers(stalking.submission);
    secrets.push(...marked.markers, ...bsnsIn(stalking.submission));
    const police = await partner('politie', a);
    const answer = await police.submit(envelope('submission', 'intake', stalking.caseRef, marked.value));
    expect(answer.status, answer.body).toBe(202);
    const { messageId, deliveries } = JSON.parse(answer.body) as { messageId: string; deliveries: { deliveryId: string; recipient: string }[] };

    const vt = await partner('vt', b);
    const got = await eventually('the submission in VT’s inbox at the other instance', async () => {
      const pulled = await vt.pullAll();
      return pulled.length > 0 ? pulled : undefined;
    });
    expect(got.map((d) => d.deliveryId)).toEqual(deliveries.map((d) => d.deliveryId));
    expect(got[0]?.plaintext.payload.caseDescription).toMatch(/stalkt .* zz-mark-/s);
    const status = JSON.parse((await police.request('GET', `/v1/messages/${messageId}`)).body);
    expect(status.recipients).toEqual([expect.objectContaining({ recipient: 'vt', status: 'acknowledged' })]);

    const cli = verifyCli();
    expect(cli.status, cli.stdout).toBe(0);
    expect(cli.stdout).toMatch(/^intact, \d+ records, root [0-9a-f]{64}/);
  });

  it('takes submissions at two instances at once into one log with one gapless order, which verifies', async () => {
    const before = Number((await queryRows(db.settings, 'SELECT COUNT(*) AS n FROM log_entries'))[0]?.n);
    const senders = await Promise.all(hubs.flatMap((h) => [partner('vt', h), partner('vt', h), partner('vt', h)]));
    const answers = await Promise.all(
      senders.map(async (vt) => {
        const family = familyCase();
        const marked = withMarkers(family.minutes);
        secrets.push(...marked.markers, ...bsnsIn(family.minutes));
        const answer = await vt.submit(envelope('minutes', 'execution', family.caseRef, marked.value));
        expect(answer.status, answer.body).toBe(202);
        return JSON.parse(answer.body) as { deliveries: { deliveryId: string; recipient: string }[] };
      }),
    );
    const sent = answers.flatMap((a) => a.deliveries);
    expect(sent).toHaveLength(senders.length * 4);
    for (const recipient of ['politie', 'om', 'rvdk', 'reclassering']) {
      const expected = sent.filter((d) => d.recipient === recipient).map((d) => d.deliveryId);
      expect((await pullEverything(recipient, expected.length)).sort()).toEqual(expected.sort());
    }

    // Every delivery is in the log, and the log's sequence has no gap and no duplicate.
    const seqs = (await queryRows(db.settings, 'SELECT seq FROM log_entries ORDER BY seq')).map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(before + sent.length * 4);
    const logged = new Set((await queryRows(db.settings, "SELECT DISTINCT delivery_id FROM log_entries WHERE kind = 'disclosure'")).map((r) => r.delivery_id));
    for (const d of sent) expect(logged.has(d.deliveryId), d.deliveryId).toBe(true);

    // A checkpoint signed by one instance, verified through the other and by the command line.
    const officerA = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), hubs[0]!.url);
    const officerB = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), hubs[1]!.url);
    clients.push(officerA, officerB);
    const signed = await officerA.json('GET', '/privacy/v1/log/verify');
    expect(signed.body).toMatchObject({ intact: true, records: seqs.length, checkpoint: { treeSize: seqs.length } });
    expect((await officerB.json('GET', '/privacy/v1/log/verify')).body).toMatchObject({ intact: true, records: seqs.length, root: signed.body.checkpoint.rootHash });
    const cli = verifyCli();
    expect(cli.status, cli.stdout).toBe(0);
    expect(cli.stdout).toContain(`intact, ${seqs.length} records, root ${signed.body.checkpoint.rootHash} (1 signed checkpoints checked)`);
  });

  it('keeps no plaintext of the payloads anywhere in the PostgreSQL database', async () => {
    expect(secrets.length).toBeGreaterThan(40);
    expect(leaked(await allText(db.settings), secrets)).toEqual([]);
  });
});
