import { ConfigError } from '../errors/problem.ts';
import type { CertificateIdentity } from './schema.ts';

/** Where a certificate identity is configured, to name it in an error. */
export interface PlacedIdentity {
  file: string;
  field: string;
  identity: CertificateIdentity;
}

/** Two sets of attributes that one name could hold together: no attribute is given two different values. */
function compatible(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === undefined || b[k] === v);
}

/**
 * Whether one certificate could match both identities. A fingerprint and an issuer plus subject cannot be
 * compared without the certificate, so only like with like is judged: the same fingerprint, or issuer
 * and subject criteria that do not contradict each other (identical ones, or one a subset of the other).
 */
export function identitiesOverlap(a: CertificateIdentity, b: CertificateIdentity): boolean {
  if (a.fingerprint256 !== undefined || b.fingerprint256 !== undefined) {
    return a.fingerprint256?.toUpperCase() === b.fingerprint256?.toUpperCase();
  }
  return compatible(a.issuer ?? {}, b.issuer ?? {}) && compatible(a.subject ?? {}, b.subject ?? {});
}

/**
 * Refuses a configuration in which a certificate could identify two callers: the first would silently
 * win, so that a partner could act as another one or as an operator.
 */
export function refuseOverlappingIdentities(placed: PlacedIdentity[]): void {
  placed.forEach((later, i) => {
    const earlier = placed.slice(0, i).find((p) => identitiesOverlap(p.identity, later.identity));
    if (earlier) {
      throw new ConfigError(later.file, [
        { path: later.field, message: `one certificate could match both this identity and ${earlier.field} in ${earlier.file}: make them distinct (another fingerprint256, or issuer and subject attributes that differ)` },
      ]);
    }
  });
}
