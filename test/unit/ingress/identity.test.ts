import { describe, expect, it } from 'vitest';
import { identify, parseDistinguishedName, type PeerCertificate } from '../../../src/ingress/identity.ts';

const CA = 'CN=Actieoverleg Hub Development CA\nO=Actieoverleg Hub (development)';
const config = {
  partners: [
    { id: 'politie', certificate: { issuer: { CN: 'Actieoverleg Hub Development CA' }, subject: { serialNumber: '00000099000000000002' } } },
    { id: 'om', certificate: { fingerprint256: 'aa:'.repeat(31) + 'aa' } },
  ],
  operators: [{ id: 'admin', role: 'administrator' as const, certificate: { issuer: { CN: 'Actieoverleg Hub Development CA' }, subject: { serialNumber: '101' } } }],
} as unknown as Parameters<typeof identify>[1];

function cert(subject: string, issuer = CA, fingerprint256 = 'BB:'.repeat(31) + 'BB'): PeerCertificate {
  return { subject, issuer, fingerprint256 };
}

describe('identify', () => {
  it('parses Node’s distinguished names', () => {
    expect(parseDistinguishedName('CN=politie\nO=Politie\nserialNumber=0002')).toEqual({ CN: 'politie', O: 'Politie', serialNumber: '0002' });
  });

  it('recognises a partner by issuer plus subject', () => {
    expect(identify(cert('CN=politie\nserialNumber=00000099000000000002'), config)).toEqual({ kind: 'partner', id: 'politie' });
  });

  it('does not recognise the right subject from another issuer', () => {
    expect(identify(cert('CN=politie\nserialNumber=00000099000000000002', 'CN=Other CA'), config)).toBeUndefined();
  });

  it('recognises a partner by pinned fingerprint, whatever the case of its hex', () => {
    expect(identify(cert('CN=anything', CA, 'AA:'.repeat(31) + 'AA'), config)).toEqual({ kind: 'partner', id: 'om' });
  });

  it('recognises operators with their role', () => {
    expect(identify(cert('CN=admin\nserialNumber=101'), config)).toEqual({ kind: 'administrator', id: 'admin' });
  });

  it('recognises nobody else', () => {
    expect(identify(cert('CN=politie\nserialNumber=00000099000000000099'), config)).toBeUndefined();
  });
});
