import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Issuer {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface LeafRequest {
  subject: Record<string, string>;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays?: number;
  /** 2048 by default; tests issue weaker keys on purpose. */
  keyBits?: number;
  /** An explicit validity period, for certificates that are expired or not yet valid on purpose (tests). */
  notBefore?: Date;
  notAfter?: Date;
}

const ATTRIBUTE_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  C: '2.5.4.6',
  L: '2.5.4.7',
  serialNumber: '2.5.4.5',
};

function attributes(subject: Record<string, string>): forge.pki.CertificateField[] {
  return Object.entries(subject).map(([name, value]) => {
    const type = ATTRIBUTE_OIDS[name];
    if (!type) throw new TypeError(`unsupported subject attribute ${name}`);
    return { type, value };
  });
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey, days: number, period: { notBefore?: Date; notAfter?: Date } = {}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: the leading byte keeps the high bit clear.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = period.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = period.notAfter ?? new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  return cert;
}

function rsaKeys(bits = 2048): forge.pki.rsa.KeyPair {
  // node-forge delegates to Node's native key generation when it is available.
  return forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
}

/**
 * A development CA, signed with SHA-256 (Node refuses SHA-1 signatures): self-signed, or an
 * intermediate CA when a parent issuer is given.
 */
export function createCa(commonName: string, validDays = 3650, parent?: Issuer): Issuer {
  const keys = rsaKeys();
  const cert = baseCertificate(keys.publicKey, validDays);
  const name = attributes({ CN: commonName, O: 'Actieoverleg Hub (development)' });
  cert.setSubject(name);
  cert.setIssuer(parent ? parent.cert.subject.attributes : name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...(parent ? [{ name: 'authorityKeyIdentifier', keyIdentifier: parent.cert.generateSubjectKeyIdentifier().getBytes() }] : []),
  ]);
  cert.sign(parent?.key ?? keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

export interface IssuedLeaf {
  certPem: string;
  keyPem: string;
  /** Hex, as a CRL names it. */
  serial: string;
}

export function issueLeaf(issuer: Issuer, request: LeafRequest): IssuedLeaf {
  const keys = rsaKeys(request.keyBits);
  const cert = baseCertificate(keys.publicKey, request.validDays ?? 825, request);
  cert.setSubject(attributes(request.subject));
  cert.setIssuer(issuer.cert.subject.attributes);
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(request.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: request.usage === 'server', clientAuth: request.usage === 'client' },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes() },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(issuer.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey), serial: cert.serialNumber };
}

export function issuerToPem(issuer: Issuer): { certPem: string; keyPem: string } {
  return { certPem: forge.pki.certificateToPem(issuer.cert), keyPem: forge.pki.privateKeyToPem(issuer.key) };
}

export function issuerFromPem(certPem: string, keyPem: string): Issuer {
  return { cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey };
}
