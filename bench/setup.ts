import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import { parse, stringify } from 'yaml';
import { DEV_CA_NAME, ensureDevPki } from '../src/pki/dev-pki.ts';
import { devIdentities } from '../src/pki/identities.ts';
import { CORE_CATEGORIES } from '../src/messages/categories.ts';
import type { KeyType } from './payload.ts';

export const SENDER = 'bench-sender';
export const RECIPIENTS = ['bench-r1', 'bench-r2', 'bench-r3', 'bench-r4', 'bench-r5'];

export interface BenchSetup {
  root: string;
  configDir: string;
  certsDir: string;
  keyType: KeyType;
  /** Points each recipient's push transport at its receiving server. */
  pushTo(urls: Map<string, string>): void;
  remove(): void;
}

const write = (path: string, doc: unknown) => writeFileSync(path, stringify(doc));

function partnerFile(id: string, n: number, certsDir: string, sends: unknown[], adapter: string): Record<string, unknown> {
  return {
    id,
    name: `Bench ${id}`,
    certificate: { issuer: { CN: DEV_CA_NAME }, subject: { serialNumber: `000000990000000009${String(n).padStart(2, '0')}` } },
    pgpPublicKeys: [join(certsDir, 'partners', id, 'pgp-public.asc')],
    transport: { kind: 'pull' },
    participant: false,
    adapter,
    sends,
  };
}

/** Every recipient may receive the whole minutes, so that each delivery carries the full payload. */
function policies(): Record<string, unknown> {
  return {
    policies: RECIPIENTS.map((recipient) => ({
      id: `${recipient}-execution`,
      version: 1,
      recipient,
      purpose: 'execution',
      messageTypes: ['minutes'],
      legalBasis: 'benchmark only',
      rules: CORE_CATEGORIES.map((category) => ({ category, action: 'keep' })),
    })),
  };
}

/** Written before the development PKI runs, which keeps keys that exist: so the hub and the partners get this key type. */
async function pgpKey(dir: string, id: string, keyType: KeyType): Promise<void> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    ...(keyType === 'rsa3072' ? { type: 'rsa' as const, rsaBits: 3072 } : { type: 'ecc' as const, curve: 'curve25519Legacy' as const }),
    userIDs: [{ name: id, email: `${id}@bench.test` }],
    format: 'armored',
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'pgp-public.asc'), publicKey);
  writeFileSync(join(dir, 'pgp-private.asc'), privateKey, { mode: 0o600 });
}

/**
 * A configuration of its own in a temporary folder: the shipped hub.yaml pointed at a new PKI with OpenPGP
 * keys of `keyType`, a sender and five recipients on `options.adapter` (the canonical vocabulary by default), and their policies.
 */
export async function createSetup(keyType: KeyType, options: { cryptoWorkers?: number | undefined; deliveryConcurrency: number; purgeAfterHours: number; sqliteThread: boolean; adapter: string }): Promise<BenchSetup> {
  const root = mkdtempSync(join(tmpdir(), `aoh-bench-${keyType}-`));
  const configDir = join(root, 'config');
  const certsDir = join(root, 'certs');
  mkdirSync(join(configDir, 'partners'), { recursive: true });
  mkdirSync(join(configDir, 'policies'));

  const hubFile = parse(readFileSync(resolve('config/hub.yaml'), 'utf8')) as { hub: Record<string, unknown>; chair: string; routes: unknown[] };
  const cert = (p: string) => join(certsDir, p);
  Object.assign(hubFile.hub, {
    tls: { ca: cert('ca.crt'), cert: cert('hub/server.crt'), key: cert('hub/server.key'), clientCert: cert('hub/client.crt'), clientKey: cert('hub/client.key') },
    pgp: { publicKey: cert('hub/pgp-public.asc'), privateKey: cert('hub/pgp-private.asc') },
    pseudonymKey: cert('hub/pseudonym.key'),
    database: { path: join(root, 'hub.db'), thread: options.sqliteThread },
    // A hub past its retention purges as much ciphertext as it receives: purging at once (0) puts that work in the measurement.
    delivery: { backoffSeconds: 1, maxBackoffSeconds: 5, maxAgeHours: 1, pushTimeoutSeconds: 15, concurrency: options.deliveryConcurrency, purgeCiphertextAfterHours: options.purgeAfterHours },
    ...(options.cryptoWorkers === undefined ? {} : { crypto: { workers: options.cryptoWorkers } }),
    // The default submit limit (600 a minute) would answer 429 once a faster hub used up its burst: the bench measures the hub, not its limiter.
    rateLimits: { submit: { max: 1_000_000, perSeconds: 1 } },
  });
  hubFile.chair = SENDER;
  hubFile.routes = [{ type: 'minutes', purpose: 'execution', recipients: [RECIPIENTS[0]] }];
  write(join(configDir, 'hub.yaml'), hubFile);
  const partners = [SENDER, ...RECIPIENTS];
  partners.forEach((id, n) =>
    write(join(configDir, 'partners', `${id}.yaml`), partnerFile(id, n, certsDir, id === SENDER ? [{ type: 'minutes', purposes: ['execution'] }] : [], options.adapter)),
  );
  write(join(configDir, 'policies', 'bench.yaml'), policies());

  await Promise.all([pgpKey(cert('hub'), 'hub', keyType), ...partners.map((id) => pgpKey(cert(`partners/${id}`), id, keyType))]);
  await ensureDevPki(certsDir, devIdentities(configDir));
  return {
    root,
    configDir,
    certsDir,
    keyType,
    pushTo(urls) {
      for (const [id, url] of urls) {
        const file = join(configDir, 'partners', `${id}.yaml`);
        write(file, { ...(parse(readFileSync(file, 'utf8')) as object), transport: { kind: 'push', url } });
      }
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
