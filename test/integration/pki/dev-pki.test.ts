import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summariseCrl } from '../../../src/pki/crl.ts';
import { ensureDevPki, revokeDevCertificate } from '../../../src/pki/dev-pki.ts';

const dir = mkdtempSync(join(tmpdir(), 'aoh-pki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const identity = { folder: 'partners/test', name: 'Test', subject: { CN: 'test' }, pgp: false };
const crl = () => summariseCrl(readFileSync(join(dir, 'ca.crl'), 'utf8'));

describe('development PKI revocation', () => {
  it('writes an empty CRL of the CA, valid for weeks, and keeps it on the next run', async () => {
    const first = await ensureDevPki(dir, [identity]);
    expect(first.created).toContain('ca.crl');
    expect(crl()).toMatchObject({ issuer: 'CN=Actieoverleg Hub Development CA\nO=Actieoverleg Hub (development)', serials: [] });
    expect(crl().nextUpdate!.getTime()).toBeGreaterThan(Date.now() + 20 * 86_400_000);
    expect((await ensureDevPki(dir, [identity])).kept).toContain('ca.crl');
  });

  it('revokes a certificate into the CRL, moves it aside, and issues a new one on the next run', async () => {
    const old = new X509Certificate(readFileSync(join(dir, 'partners/test/client.crt')));
    const serial = revokeDevCertificate(dir, 'partners/test');
    expect(serial).toBe(old.serialNumber.toLowerCase());
    expect(crl().serials).toEqual([old.serialNumber]);
    expect(existsSync(join(dir, `partners/test/client.revoked-${serial}.crt`))).toBe(true);
    expect(existsSync(join(dir, 'partners/test/client.crt'))).toBe(false);
    await ensureDevPki(dir, [identity]);
    const renewed = new X509Certificate(readFileSync(join(dir, 'partners/test/client.crt')));
    expect(renewed.serialNumber).not.toBe(old.serialNumber);
    expect(crl().serials).toEqual([old.serialNumber]);
  });

  it('writes the CRL again when it is unreadable, keeping the revocations', async () => {
    const serials = crl().serials;
    writeFileSync(join(dir, 'ca.crl'), 'garbage');
    expect((await ensureDevPki(dir, [identity])).created).toEqual(['ca.crl']);
    expect(crl().serials).toEqual(serials);
  });

  it('refuses to revoke what does not exist', () => {
    expect(() => revokeDevCertificate(dir, 'partners/nobody')).toThrow(/does not exist/);
  });
});
