import type { CertificateIdentity } from '../config/schema.ts';
import type { HubConfig } from '../config/types.ts';

export type Principal =
  | { kind: 'partner'; id: string }
  | { kind: 'administrator'; id: string }
  | { kind: 'privacy-officer'; id: string };

/** The parts of a peer certificate that identify it, as Node's X509Certificate gives them. */
export interface PeerCertificate {
  fingerprint256: string;
  subject: string;
  issuer: string;
}

/** Parses Node's multi-line distinguished name (`CN=x\nO=y`) into attributes. */
export function parseDistinguishedName(dn: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of dn.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function includes(actual: Record<string, string>, expected: Record<string, string>): boolean {
  return Object.entries(expected).every(([k, v]) => actual[k] === v);
}

export function certificateMatches(identity: CertificateIdentity, cert: PeerCertificate): boolean {
  if (identity.fingerprint256 !== undefined) {
    return identity.fingerprint256.toUpperCase() === cert.fingerprint256.toUpperCase();
  }
  return (
    identity.issuer !== undefined &&
    identity.subject !== undefined &&
    includes(parseDistinguishedName(cert.issuer), identity.issuer) &&
    includes(parseDistinguishedName(cert.subject), identity.subject)
  );
}

/** Who is calling, from a certificate that TLS has already verified; undefined when it is not registered. */
export function identify(cert: PeerCertificate, config: Pick<HubConfig, 'partners' | 'operators'>): Principal | undefined {
  const partner = config.partners.find((p) => certificateMatches(p.certificate, cert));
  if (partner) return { kind: 'partner', id: partner.id };
  const operator = config.operators.find((o) => certificateMatches(o.certificate, cert));
  return operator ? { kind: operator.role, id: operator.id } : undefined;
}
