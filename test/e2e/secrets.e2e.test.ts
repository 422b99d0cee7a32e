import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, payloadJsonSchema, type MessageType } from '../../src/messages/index.ts';
import { envelope, familyCase, stalkingCase } from '../../src/simulator/cases.ts';
import { loadClientTls, MutualTlsClient } from '../../src/simulator/client.ts';
import { loadPartnerCredentials, SimulatedPartner } from '../../src/simulator/partner.ts';
import { copyConfig, type ConfigDir } from '../support/config-dir.ts';
import type { DatabaseSettings } from '../../src/config/schema.ts';
import { allText } from '../support/db.ts';
import { databaseEnv, DIALECTS, testDatabase, type TestDatabase } from '../support/databases.ts';
import { CERTS, eventually, PARTNER_IDS } from '../support/hub.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { bsnsIn, leaked, withMarkers } from '../support/markers.ts';
import { sample } from '../support/payload-samples.ts';
import { dumpKeys } from '../support/redis.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';

/**
 * A full run with a marker in every payload field of every message type, through every way in and out
 * (pull, file drop, refusals, the administrator's preview, the privacy officer's search), by the hub
 * as `npm start` runs it at debug level, with a Redis of its own so that every key in it is the hub's.
 * Afterwards no marker, BSN, e-mail address or phone number may be found in Redis, the database, the
 * log output or any file the hub wrote; nor any private key or certificate in the log output.
 */
const SENDERS: Record<MessageType, [string, string]> = {
  submission: ['politie', 'intake'],
  agenda: ['vt', 'preparation'],
  'enrichment-request': ['vt', 'enrichment'],
  'enrichment-answer': ['rvdk', 'enrichment'],
  minutes: ['vt', 'execution'],
  feedback: ['om', 'feedback'],
};
const FILE_PARTNER = 'om';

/** Every file under a directory, read as bytes and shown as Latin-1 so that any ASCII marker is visible. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path).toString('latin1') }));
}

/** The base64 lines of the private keys (and with `certificates`, the certificates and public keys) in certs/. */
function keyMaterial(certificates: boolean): string[] {
  const kinds = certificates ? /\.(key|crt|asc)$/ : /(\.key|private\.asc)$/;
  return filesUnder(CERTS)
    .filter(({ path }) => kinds.test(path))
    .flatMap(({ text }) => text.split(/\r?\n/).filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l)));
}

// On each kind of database: the SQLite file by default, and PostgreSQL as several instances would share it.
describe.each(DIALECTS)('on %s', (dialect) => {
  let redis: RedisServer;
  let config: ConfigDir;
  let dropDir: string;
  let hub: HubProcess;
  let db: TestDatabase | undefined;
  const partners = new Map<string, SimulatedPartner>();
  const secrets: string[] = [];
  const expected = new Map<string, number>();
  const received = new Map<string, number>();

  function marked(payload: Record<string, unknown>): Record<string, unknown> {
    const m = withMarkers(payload);
    secrets.push(...m.markers, ...bsnsIn(payload));
    return m.value;
  }

  async function send(type: MessageType, caseRef: string, payload: Record<string, unknown>): Promise<void> {
    const [sender, purpose] = SENDERS[type];
    const answer = await partners.get(sender)!.submit(envelope(type, purpose, caseRef, marked(payload)));
    expect(answer.status, `${type}: ${answer.body}`).toBe(202);
    for (const d of (JSON.parse(answer.body) as { deliveries: { recipient: string }[] }).deliveries) expected.set(d.recipient, (expected.get(d.recipient) ?? 0) + 1);
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    config = copyConfig();
    dropDir = mkdtempSync(join(tmpdir(), 'aoh-drop-'));
    config.edit(`partners/${FILE_PARTNER}.yaml`, (doc) => (doc.transport = { kind: 'file', directory: dropDir }));
    db = dialect === 'postgres' ? await testDatabase('postgres') : undefined;
    hub = await spawnHub({ env: { HUB_CONFIG_DIR: config.dir, ...(db ? databaseEnv(db.settings) : {}) }, redisUrl: redis.url });
    for (const id of PARTNER_IDS) partners.set(id, new SimulatedPartner(await loadPartnerCredentials(CERTS, id), hub.url));

    // Realistic cases, and for every type a message with every optional field present.
    for (const fixture of [stalkingCase(), familyCase()]) {
      await send('submission', fixture.caseRef, fixture.submission);
      await send('agenda', fixture.caseRef, fixture.agenda);
      await send('minutes', fixture.caseRef, fixture.minutes);
    }
    for (const type of MESSAGE_TYPES) await send(type, 'VT-2026-000999', sample(payloadJsonSchema(type)) as Record<string, unknown>);

    // Content that goes no further than a refusal, a preview or a search must not stay behind either.
    const police = partners.get('politie')!;
    const refused = marked(stalkingCase().submission);
    const unknownKey = `zz-mark-refused-${Date.now()}`;
    secrets.push(unknownKey);
    const refusal = await police.submit(envelope('submission', 'intake', 'VT-2026-000998', { ...refused, [unknownKey]: 'x', caseDescription: 'x'.repeat(10_001) }));
    expect(refusal.status).toBe(422);
    const admin = new MutualTlsClient(loadClientTls(CERTS, 'admin'), hub.url);
    const preview = await admin.json('POST', '/admin/v1/preview', { sender: 'vt', type: 'minutes', purpose: 'execution', payload: marked(familyCase().minutes) });
    expect(preview.status).toBe(200);
    admin.close();
    const officer = new MutualTlsClient(loadClientTls(CERTS, 'privacy-officer'), hub.url);
    const searchedName = `zz-mark-search-${Date.now()}`;
    secrets.push(searchedName);
    expect((await officer.json('POST', '/privacy/v1/search', { name: searchedName, dateOfBirth: '1988-03-14' })).status).toBe(200);
    officer.close();

    // Every delivery reaches its recipient: pulled and acknowledged, or written to the drop directory.
    await eventually('every delivery received', async () => {
      for (const [id, partner] of partners) {
        if (id === FILE_PARTNER) received.set(id, readdirSync(dropDir).filter((f) => f.endsWith('.asc')).length);
        else received.set(id, (received.get(id) ?? 0) + (await partner.pullAll()).length);
      }
      return [...expected].every(([id, n]) => received.get(id) === n) ? true : undefined;
    }, 30_000);
    expect(await hub.stop('SIGTERM')).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...partners.values()].map((p) => p.close()));
    await hub?.cleanup();
    await redis?.kill();
    config?.remove();
    rmSync(dropDir, { recursive: true, force: true });
    await db?.remove();
  });

  /** The database the hub wrote: its file in its data directory, or the PostgreSQL database it was given. */
  const database = (): DatabaseSettings => db?.settings ?? { kind: 'sqlite', path: hub.databasePath };

  describe('secrets and plaintext after a full run', () => {
    it('sent markers in every field of every message type, through pull and file drop', async () => {
      expect(secrets.length).toBeGreaterThan(150);
      expect(expected.get(FILE_PARTNER)).toBeGreaterThan(0);
      expect(received).toEqual(expected);
      // What lies in the drop directory is what the partner can open: encrypted to it, signed by the hub.
      const file = readdirSync(dropDir).find((f) => f.endsWith('.asc'))!;
      const opened = await partners.get(FILE_PARTNER)!.open(readFileSync(join(dropDir, file), 'utf8'));
      expect(leaked(JSON.stringify(opened.payload), secrets).length).toBeGreaterThan(0);
    });

    it('leaves none of them in any key or value of its Redis', async () => {
      const everything = (await dumpKeys('*', redis.url)).join('\n');
      expect(everything.length).toBeGreaterThan(0);
      expect(leaked(everything, secrets)).toEqual([]);
    });

    it('puts no private key into Redis, the database or its data directory', async () => {
      const stored = [(await dumpKeys('*', redis.url)).join('\n'), await allText(database()), ...filesUnder(hub.dir).map((f) => f.text)].join('\n');
      const material = keyMaterial(false);
      expect(material.length).toBeGreaterThan(10);
      expect(material.filter((line) => stored.includes(line))).toEqual([]);
    });

    it('leaves none of them in any table of the database, nor in any file in its data directory', async () => {
      const tables = await allText(database());
      expect(tables).toContain('"sender":"vt"');
      expect(leaked(tables, secrets)).toEqual([]);
      const files = filesUnder(hub.dir);
      if (!db) expect(files.map((f) => f.path)).toContain(hub.databasePath);
      for (const { path, text } of files) expect(leaked(text, secrets), path).toEqual([]);
    });

    it('leaves none of them in the drop directory outside the encryption', () => {
      for (const { path, text } of filesUnder(dropDir)) {
        expect(text, path).toMatch(/^-----BEGIN PGP MESSAGE-----[\s\S]*-----END PGP MESSAGE-----\s*$/);
        expect(leaked(text, secrets), path).toEqual([]);
      }
    });

    it('logs none of them at debug level, and no private key or certificate', () => {
      const output = hub.output();
      expect(output).toContain('delivery moved');
      expect(leaked(output, secrets)).toEqual([]);
      expect(output).not.toContain('-----BEGIN');
      const material = keyMaterial(true);
      expect(material.length).toBeGreaterThan(20);
      expect(material.filter((line) => output.includes(line))).toEqual([]);
    });
  });
});
