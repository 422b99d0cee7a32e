import { describe, expect, it } from 'vitest';
import { crlBlocks, issueCrl, summariseCrl } from '../../../src/pki/crl.ts';
import { createCa } from '../../../src/pki/x509.ts';

describe('CRLs', () => {
  const ca = createCa('CRL Test CA', 30);

  it('round-trips the revoked serials (a high first bit gets its sign byte), the dates and the issuer', () => {
    const nextUpdate = new Date('2030-01-02T03:04:05Z');
    const pem = issueCrl(ca, { revoked: [{ serial: '8f00aa', revokedAt: new Date() }, { serial: '01bb', revokedAt: new Date() }], number: 7, thisUpdate: new Date('2030-01-01T00:00:00Z'), nextUpdate });
    expect(summariseCrl(pem)).toEqual({ issuer: 'CN=CRL Test CA\nO=Actieoverleg Hub (development)', thisUpdate: new Date('2030-01-01T00:00:00Z'), nextUpdate, serials: ['8F00AA', '01BB'] });
  });

  it('finds every CRL of a bundle, and refuses what is not one', () => {
    const one = issueCrl(ca, { revoked: [], number: 1, nextUpdate: new Date(Date.now() + 1000) });
    expect(crlBlocks(`${one}\n${one}`)).toHaveLength(2);
    expect(crlBlocks('nothing here')).toEqual([]);
    expect(() => summariseCrl('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/not a PEM X509 CRL/);
  });
});
