import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, stalkingCase } from '../../../src/simulator/cases.ts';
import { storedRows } from '../../support/db.ts';
import { CERTS, eventually, startTestHub, type TestHub } from '../../support/hub.ts';

/**
 * API.md: partners use GnuPG 2.2 as well as OpenPGP.js. A partner system that seals with Debian's gpg is
 * accepted, and what the hub delivers opens and verifies with gpg. Each test uses a GnuPG home of its own.
 */
const GPG = '/usr/bin/gpg';
let t: TestHub;
let home: string;

function gpg(args: string[], input?: string | Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(GPG, ['--homedir', home, '--batch', '--yes', '--trust-model', 'always', ...args], { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** A key's fingerprint as gpg lists it, found by the file it was imported from. */
function fingerprintOf(file: string): string {
  const listed = spawnSync(GPG, ['--homedir', home, '--batch', '--with-colons', '--show-keys', file], { encoding: 'utf8' }).stdout;
  const fpr = listed.split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
  if (!fpr) throw new Error(`gpg lists no key in ${file}`);
  return fpr;
}

beforeAll(async () => {
  if (!existsSync(GPG)) throw new Error(`This test needs Debian's gnupg at ${GPG}: apt-get install -y gnupg`);
  home = mkdtempSync(join(tmpdir(), 'aoh-gnupg-'));
  for (const file of ['partners/politie/pgp-private.asc', 'partners/vt/pgp-private.asc', 'hub/pgp-public.asc']) {
    expect(gpg(['--import', join(CERTS, file)]).status).toBe(0);
  }
  t = await startTestHub();
});
afterAll(async () => {
  await t?.stop();
  spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
  rmSync(home, { recursive: true, force: true });
});

const hubKey = () => fingerprintOf(join(CERTS, 'hub/pgp-public.asc'));
const policeKey = () => fingerprintOf(join(CERTS, 'partners/politie/pgp-private.asc'));

describe('a partner system on GnuPG 2.2', () => {
  it('submits a message gpg signed and encrypted, and opens and verifies with gpg what the hub delivers', async () => {
    const fixture = stalkingCase();
    const plaintext = JSON.stringify(envelope('submission', 'intake', fixture.caseRef, fixture.submission));
    const sealed = gpg(['--armor', '--sign', '--encrypt', '--local-user', policeKey(), '--recipient', hubKey()], plaintext);
    expect(sealed.status, sealed.stderr).toBe(0);
    const police = await t.partner('politie');
    const answer = await police.request('POST', '/v1/messages', sealed.stdout, { 'content-type': 'application/pgp-encrypted' });
    expect(answer.status, answer.body).toBe(202);
    const [delivery] = (JSON.parse(answer.body) as { deliveries: { deliveryId: string; recipient: string }[] }).deliveries;
    expect(delivery?.recipient).toBe('vt');

    const vt = await t.partner('vt');
    const armored = await eventually('the delivery in VT’s inbox', async () => {
      const got = await vt.request('GET', `/v1/inbox/${delivery!.deliveryId}`);
      return got.status === 200 ? got.body : undefined;
    });
    const opened = spawnSync(GPG, ['--homedir', home, '--batch', '--status-fd', '2', '--decrypt'], { input: armored });
    const status = opened.stderr.toString('utf8');
    expect(opened.status, status).toBe(0);
    expect(status).toMatch(new RegExp(`\\[GNUPG:\\] VALIDSIG ${hubKey()} `));
    expect(status).toContain('[GNUPG:] GOODSIG');
    const view = JSON.parse(opened.stdout.toString('utf8')) as { deliveryId: string; sender: string; payload: { caseDescription: string } };
    expect(view).toMatchObject({ deliveryId: delivery!.deliveryId, sender: 'politie', payload: { caseDescription: fixture.submission.caseDescription } });
  });

  it('gets 413 for a bzip2 bomb that gpg compressed, and nothing is stored', async () => {
    const before = await storedRows(t.config.hub.database);
    const zeros = Buffer.alloc(t.config.hub.limits.decompressedBytes + 8 * 1024 * 1024);
    const bomb = gpg(['--armor', '--compress-algo', 'bzip2', '--compress-level', '9', '--sign', '--encrypt', '--local-user', policeKey(), '--recipient', hubKey()], zeros);
    expect(bomb.status, bomb.stderr).toBe(0);
    expect(bomb.stdout.length).toBeLessThan(64 * 1024);
    const police = await t.partner('politie');
    const answer = await police.request('POST', '/v1/messages', bomb.stdout, { 'content-type': 'application/pgp-encrypted' });
    expect([answer.status, JSON.parse(answer.body).type]).toEqual([413, 'urn:actieoverleg-hub:problem:too-large']);
    expect(await storedRows(t.config.hub.database)).toEqual(before);
  });
});
