import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as openpgp from 'openpgp';
import { issueCrl, summariseCrl } from './crl.ts';
import { createCa, issueLeaf, issuerFromPem, issuerToPem, type Issuer } from './x509.ts';

export const DEV_CA_NAME = 'Actieoverleg Hub Development CA';

export interface DevIdentity {
  /** Folder under the PKI directory, such as `partners/politie` or `admin`. */
  folder: string;
  name: string;
  subject: Record<string, string>;
  pgp: boolean;
}

const CRL_VALID_MS = 30 * 86_400_000;
const CRL_RENEW_MS = 7 * 86_400_000;

interface Revocations {
  /** The number of the last CRL written. */
  number: number;
  revoked: { serial: string; folder: string; revokedAt: string }[];
}

export interface DevPkiResult {
  created: string[];
  kept: string[];
}

function writeSecret(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
}

function writePublic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, content, { mode: 0o644 });
}

class DevPki {
  readonly result: DevPkiResult = { created: [], kept: [] };
  private readonly dir: string;
  private issuer: Issuer | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  private missing(...files: string[]): boolean {
    const paths = files.map((f) => join(this.dir, f));
    if (paths.every((p) => existsSync(p))) {
      this.result.kept.push(...files);
      return false;
    }
    this.result.created.push(...files);
    return true;
  }

  ca(): Issuer {
    if (this.issuer) return this.issuer;
    const certPath = join(this.dir, 'ca.crt');
    const keyPath = join(this.dir, 'ca.key');
    if (this.missing('ca.crt', 'ca.key')) {
      this.issuer = createCa(DEV_CA_NAME);
      const pem = issuerToPem(this.issuer);
      writePublic(certPath, pem.certPem);
      writeSecret(keyPath, pem.keyPem);
    } else {
      this.issuer = issuerFromPem(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'));
    }
    return this.issuer;
  }

  certificate(folder: string, base: string, request: Parameters<typeof issueLeaf>[1]): void {
    if (!this.missing(`${folder}/${base}.crt`, `${folder}/${base}.key`)) return;
    const { certPem, keyPem } = issueLeaf(this.ca(), request);
    writePublic(join(this.dir, folder, `${base}.crt`), certPem);
    writeSecret(join(this.dir, folder, `${base}.key`), keyPem);
  }

  async pgpKey(folder: string, name: string, email: string): Promise<void> {
    if (!this.missing(`${folder}/pgp-public.asc`, `${folder}/pgp-private.asc`)) return;
    // Version 4 keys with Curve25519 ("legacy" ECC), which GnuPG 2.2 can use.
    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name, email }],
      format: 'armored',
    });
    writePublic(join(this.dir, folder, 'pgp-public.asc'), publicKey);
    writeSecret(join(this.dir, folder, 'pgp-private.asc'), privateKey);
  }

  /**
   * The CA's CRL, `ca.crl`, from the revocations in `revoked.json`: written when missing, changed or due
   * (a CRL past its nextUpdate makes OpenSSL refuse every certificate of the CA).
   */
  crl(force = false): void {
    const path = join(this.dir, 'ca.crl');
    if (!force && !crlDue(path)) {
      this.result.kept.push('ca.crl');
      return;
    }
    const state = this.revocations();
    state.number += 1;
    writePublic(join(this.dir, 'revoked.json'), JSON.stringify(state, null, 2) + '\n');
    const revoked = state.revoked.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt) }));
    writePublic(path, issueCrl(this.ca(), { revoked, number: state.number, nextUpdate: new Date(Date.now() + CRL_VALID_MS) }));
    this.result.created.push('ca.crl');
  }

  revocations(): Revocations {
    const path = join(this.dir, 'revoked.json');
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Revocations) : { number: 0, revoked: [] };
  }

  /** Revokes `<folder>/<base>.crt` and moves it aside, so that the next run issues a new one. */
  revoke(folder: string, base: string): string {
    const certPath = join(this.dir, folder, `${base}.crt`);
    if (!existsSync(certPath)) throw new TypeError(`${certPath} does not exist`);
    const serial = new X509Certificate(readFileSync(certPath)).serialNumber.toLowerCase();
    const state = this.revocations();
    state.revoked.push({ serial, folder, revokedAt: new Date().toISOString() });
    writePublic(join(this.dir, 'revoked.json'), JSON.stringify(state, null, 2) + '\n');
    for (const ext of ['crt', 'key']) renameSync(join(this.dir, folder, `${base}.${ext}`), join(this.dir, folder, `${base}.revoked-${serial}.${ext}`));
    this.crl(true);
    return serial;
  }

  secret(file: string): void {
    if (!this.missing(file)) return;
    writeSecret(join(this.dir, file), randomBytes(32).toString('hex') + '\n');
  }
}

/** A CRL that is missing, unreadable or close to its nextUpdate is written again. */
function crlDue(path: string): boolean {
  try {
    return (summariseCrl(readFileSync(path, 'utf8')).nextUpdate?.getTime() ?? 0) <= Date.now() + CRL_RENEW_MS;
  } catch {
    return true;
  }
}

/**
 * Creates the development CA, the hub's certificates and keys, and a client certificate (and OpenPGP
 * key pair where asked) for every identity, in the layout of API.md. Keeps whatever already exists.
 */
export async function ensureDevPki(dir: string, identities: DevIdentity[]): Promise<DevPkiResult> {
  const pki = new DevPki(dir);
  pki.ca();
  pki.crl();
  pki.certificate('hub', 'server', {
    subject: { CN: 'localhost', O: 'Actieoverleg Hub' },
    usage: 'server',
    dnsNames: ['localhost', 'hub'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  pki.certificate('hub', 'client', { subject: { CN: 'hub', O: 'Actieoverleg Hub', OU: 'hub' }, usage: 'client' });
  await pki.pgpKey('hub', 'Actieoverleg Hub', 'hub@actieoverleg.test');
  pki.secret('hub/pseudonym.key');
  for (const identity of identities) {
    pki.certificate(identity.folder, 'client', { subject: identity.subject, usage: 'client' });
    if (identity.pgp) {
      const id = identity.folder.split('/').pop() ?? identity.folder;
      await pki.pgpKey(identity.folder, identity.name, `${id}@actieoverleg.test`);
    }
  }
  // Simulated partners that accept pushes need a server certificate of their own.
  for (const identity of identities.filter((i) => i.pgp)) {
    pki.certificate(identity.folder, 'server', {
      subject: { CN: 'localhost', O: identity.name },
      usage: 'server',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
  }
  return pki.result;
}

/**
 * Revokes a development certificate (`npm run pki:dev -- revoke partners/politie`): its serial goes into
 * `ca.crl`, and the certificate is renamed `client.revoked-<serial>.crt` so that `npm run pki:dev` issues
 * a new one. The hub sees the new CRL after `kill -HUP` or `POST /admin/v1/tls/reload`.
 */
export function revokeDevCertificate(dir: string, folder: string, base = 'client'): string {
  return new DevPki(dir).revoke(folder, base);
}
