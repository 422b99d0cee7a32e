import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { deliverySettingsFor } from '../../../src/delivery/retry.ts';
import { ConfigError } from '../../../src/errors/problem.ts';

let dir: string;

function copyConfig(): string {
  dir = mkdtempSync(join(tmpdir(), 'aoh-config-'));
  cpSync(resolve('config'), dir, { recursive: true });
  return dir;
}

function edit(file: string, change: (text: string) => string): void {
  const path = join(dir, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

function failure(): ConfigError {
  try {
    loadConfig(dir, {});
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('loads the shipped configuration: five partners, pull by default, a policy per purpose', () => {
    const config = loadConfig(copyConfig(), {});
    expect(config.partners.map((p) => p.id).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk', 'vt']);
    expect(config.partners.every((p) => p.transport.kind === 'pull')).toBe(true);
    expect(config.partners.every((p) => p.pgpKeys[0]?.armored.includes('BEGIN PGP PUBLIC KEY BLOCK'))).toBe(true);
    expect(config.policies.length).toBe(13);
  });

  it('takes from a partner’s own delivery settings only what it names; the rest stays the hub’s', () => {
    copyConfig();
    edit('hub.yaml', (t) => t.replace('maxAgeHours: 48', 'maxAgeHours: 24').replace('purgeCiphertextAfterHours: 168', 'purgeCiphertextAfterHours: 2'));
    edit('partners/om.yaml', (t) => `${t}\ndelivery: { concurrency: 1 }\n`);
    const config = loadConfig(dir, {});
    const om = config.partners.find((p) => p.id === 'om')!;
    expect(om.delivery).toEqual({ concurrency: 1 });
    expect(deliverySettingsFor(config.hub.delivery, om)).toMatchObject({ concurrency: 1, maxAgeHours: 24, purgeCiphertextAfterHours: 2, backoffSeconds: 5 });
  });

  it('applies environment overrides', () => {
    const config = loadConfig(copyConfig(), { HUB_PORT: '9443', HUB_REDIS_URL: 'redis://10.0.0.1:6380', HUB_DATABASE_PATH: '/tmp/x.db' });
    expect(config.hub.listen.port).toBe(9443);
    expect(config.hub.redis.url).toBe('redis://10.0.0.1:6380');
    expect(config.hub.database).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
  });

  it('reads a bare database path as SQLite, a postgres kind with its pool, and HUB_DATABASE_URL as PostgreSQL', () => {
    copyConfig();
    edit('hub.yaml', (t) => t.replace(/kind: sqlite\n\s+/, ''));
    expect(loadConfig(dir, {}).hub.database).toEqual({ kind: 'sqlite', path: 'data/hub.db' });
    edit('hub.yaml', (t) => t.replace(/path: data\/hub\.db/, '{ kind: postgres, url: "postgres://hub@db.example:5432/hub", poolSize: 20 }').replace(/database:\s+\{/, 'database: {'));
    expect(loadConfig(dir, {}).hub.database).toEqual({ kind: 'postgres', url: 'postgres://hub@db.example:5432/hub', poolSize: 20 });
    expect(loadConfig(dir, { HUB_DATABASE_URL: 'postgresql://other/hub' }).hub.database).toEqual({ kind: 'postgres', url: 'postgresql://other/hub', poolSize: 20 });
    expect(loadConfig(dir, { HUB_DATABASE_PATH: '/tmp/x.db' }).hub.database).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
  });

  it('keeps a SQLite file on the event loop when the file says so, also at a path from the environment', () => {
    copyConfig();
    edit('hub.yaml', (t) => t.replace(/path: data\/hub\.db/, 'path: data/hub.db\n    thread: false'));
    expect(loadConfig(dir, {}).hub.database).toEqual({ kind: 'sqlite', path: 'data/hub.db', thread: false });
    expect(loadConfig(dir, { HUB_DATABASE_PATH: '/tmp/x.db' }).hub.database).toEqual({ kind: 'sqlite', path: '/tmp/x.db', thread: false });
    edit('hub.yaml', (t) => t.replace('thread: false', 'thread: sometimes'));
    expect(failure().issues).toEqual([expect.objectContaining({ path: 'hub.database.thread' })]);
  });

  it('names the database field that is wrong, in the file or in the environment', () => {
    copyConfig();
    edit('hub.yaml', (t) => t.replace(/kind: sqlite\n(\s+)path: data\/hub\.db/, 'kind: postgres\n$1url: mysql://hub'));
    expect(failure().issues).toEqual([expect.objectContaining({ path: 'hub.database.url' })]);
    edit('hub.yaml', (t) => t.replace('kind: postgres\n', 'kind: oracle\n'));
    expect(failure().issues).toEqual([expect.objectContaining({ path: 'hub.database.kind' })]);
    copyConfig();
    expect(() => loadConfig(dir, { HUB_DATABASE_URL: 'not a url' })).toThrow(/Invalid configuration in HUB_DATABASE_URL/);
  });

  it('names the file and the field of a wrong value', () => {
    copyConfig();
    edit('partners/om.yaml', (t) => t.replace('transport: { kind: pull }', 'transport: { kind: carrier-pigeon }'));
    const err = failure();
    expect(err.file).toBe(join(dir, 'partners/om.yaml'));
    expect(err.message).toMatch(/partners\/om\.yaml/);
    expect(err.issues[0]?.path).toBe('transport.kind');
  });

  it('names a missing required field', () => {
    copyConfig();
    edit('hub.yaml', (t) => t.replace(/^ {4}cert: certs\/hub\/server\.crt\n/m, ''));
    const err = failure();
    expect(err.file).toBe(join(dir, 'hub.yaml'));
    expect(err.issues.map((i) => i.path)).toContain('hub.tls.cert');
  });

  it('refuses a key file that does not exist, naming the field', () => {
    copyConfig();
    edit('partners/rvdk.yaml', (t) => t.replace('certs/partners/rvdk/pgp-public.asc', 'certs/partners/rvdk/missing.asc'));
    const err = failure();
    expect(err.issues[0]).toMatchObject({ path: 'pgpPublicKeys.0' });
    expect(err.issues[0]?.message).toMatch(/missing\.asc does not exist/);
  });

  it('refuses a policy rule for a field or category that does not exist', () => {
    copyConfig();
    edit('policies/om.yaml', (t) => t.replace('- { category: criminal-justice, action: keep }', '- { category: horoscope, action: keep }\n      - { path: /step2/nonsense, action: keep }'));
    const err = failure();
    expect(err.file).toMatch(/policies\/om\.yaml$/);
    expect(err.issues.map((i) => i.message)).toEqual(expect.arrayContaining(['unknown category horoscope', expect.stringMatching(/no field \/step2\/nonsense in minutes/)]));
    expect(err.issues[0]?.path).toMatch(/^om-execution\.rules\.\d+$/);
  });

  it('reads a policy’s own retention, and names it when it is not a positive whole number of days', () => {
    copyConfig();
    edit('policies/om.yaml', (t) => t.replace('id: om-execution', 'id: om-execution\n    retentionDays: 3650'));
    const config = loadConfig(dir, {});
    expect(config.policies.find((p) => p.id === 'om-execution')?.retentionDays).toBe(3650);
    expect(config.policies.find((p) => p.id === 'om-preparation')?.retentionDays).toBeUndefined();
    edit('policies/om.yaml', (t) => t.replace('retentionDays: 3650', 'retentionDays: 0'));
    const err = failure();
    expect(err.file).toBe(join(dir, 'policies/om.yaml'));
    expect(err.issues[0]?.path).toBe('policies.1.retentionDays');
  });

  it('refuses two policies for the same recipient, purpose and type', () => {
    copyConfig();
    edit('policies/om.yaml', (t) => t.replace('id: om-preparation', 'id: om-preparation-bis\n    version: 1\n    recipient: om\n    purpose: execution\n    messageTypes: [minutes]\n    legalBasis: x\n    rules: []\n  - id: om-preparation'));
    expect(failure().issues[0]?.message).toMatch(/om\/execution\/minutes is already covered/);
  });

  it('refuses YAML that does not parse, naming the file', () => {
    copyConfig();
    edit('hub.yaml', (t) => t + '\n  : : [\n');
    const err = failure();
    expect(err.file).toBe(join(dir, 'hub.yaml'));
    expect(err.issues[0]?.message).toMatch(/not valid YAML/);
  });
});

describe('loadConfig: keys, rotation and CRLs', () => {
  it('reads partner keys in both forms: a plain file, and a file with its period', () => {
    copyConfig();
    edit('partners/politie.yaml', (t) =>
      t.replace('  - certs/partners/politie/pgp-public.asc', '  - { file: certs/partners/politie/pgp-public.asc, validUntil: "2027-01-31T00:00:00Z" }\n  - { file: certs/partners/om/pgp-public.asc, validFrom: "2027-01-01T00:00:00+01:00" }'),
    );
    const politie = loadConfig(dir, {}).partners.find((p) => p.id === 'politie')!;
    expect(politie.pgpKeys.map((k) => [k.validFrom, k.validUntil])).toEqual([
      [undefined, '2027-01-31T00:00:00Z'],
      ['2027-01-01T00:00:00+01:00', undefined],
    ]);
    expect(loadConfig(dir, {}).partners.find((p) => p.id === 'om')!.pgpKeys).toEqual([{ file: 'certs/partners/om/pgp-public.asc', armored: expect.stringContaining('BEGIN PGP PUBLIC KEY BLOCK') }]);
  });

  it('refuses a key period that is not a date with time zone, and a missing key file in the object form', () => {
    copyConfig();
    edit('partners/politie.yaml', (t) => t.replace('  - certs/partners/politie/pgp-public.asc', '  - { file: certs/partners/politie/pgp-public.asc, validUntil: "next spring" }'));
    expect(failure().issues.map((i) => i.path)).toContain('pgpPublicKeys.0.validUntil');
    edit('partners/politie.yaml', (t) => t.replace('validUntil: "next spring"', 'validUntil: "2027-01-31T00:00:00Z"').replace('politie/pgp-public.asc', 'politie/gone.asc'));
    expect(failure().issues[0]).toMatchObject({ path: 'pgpPublicKeys.0.file' });
  });

  it('names a previous hub key or a CRL file that does not exist', () => {
    copyConfig();
    edit('hub.yaml', (t) => t.replace('    # passphraseEnv: HUB_PGP_PASSPHRASE', '    previousKeys:\n      - { privateKey: certs/hub/retired.asc, decryptUntil: "2027-02-01T00:00:00Z" }'));
    expect(failure().issues[0]).toMatchObject({ path: 'hub.pgp.previousKeys.0.privateKey' });
    copyConfig();
    edit('hub.yaml', (t) => t.replace('      - certs/ca.crl', '      - certs/nowhere.crl'));
    expect(failure().issues[0]).toMatchObject({ path: 'hub.tls.crl.0', message: expect.stringMatching(/nowhere\.crl does not exist/) });
  });

  describe('certificate identities that one certificate could match twice', () => {
    const FP = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
    const politie = 'subject: { serialNumber: "00000099000000000002" }';

    function overlapBetween(): { file: string; path: string; message: string } {
      const err = failure();
      return { file: err.file, path: err.issues[0]!.path, message: err.issues[0]!.message };
    }

    it('refuses the same pinned fingerprint for two partners, in either letter case', () => {
      copyConfig();
      edit('partners/om.yaml', (t) => t.replace(/certificate:\n  issuer: .*\n  subject: .*\n/, `certificate: { fingerprint256: "${FP}" }\n`));
      edit('partners/politie.yaml', (t) => t.replace(/certificate:\n  issuer: .*\n  subject: .*\n/, `certificate: { fingerprint256: "${FP.toLowerCase()}" }\n`));
      const overlap = overlapBetween();
      expect(overlap.file).toBe(join(dir, 'partners/politie.yaml'));
      expect(overlap.path).toBe('certificate');
      expect(overlap.message).toContain(`certificate in ${join(dir, 'partners/om.yaml')}`);
    });

    it('refuses identical issuer and subject criteria for two partners', () => {
      copyConfig();
      edit('partners/rvdk.yaml', (t) => t.replace('subject: { serialNumber: "00000099000000000004" }', politie));
      const overlap = overlapBetween();
      expect([overlap.file, overlap.path]).toEqual([join(dir, 'partners/rvdk.yaml'), 'certificate']);
      expect(overlap.message).toContain(join(dir, 'partners/politie.yaml'));
    });

    it('refuses criteria that are a subset of another’s: a partner matching every certificate of the operators’ CA', () => {
      copyConfig();
      edit('partners/vt.yaml', (t) => t.replace('subject: { serialNumber: "00000099000000000001" }', 'subject: { O: Veilig Thuis }'));
      const overlap = overlapBetween();
      expect([overlap.file, overlap.path]).toEqual([join(dir, 'partners/vt.yaml'), 'certificate']);
      expect(overlap.message).toContain(`operators.0.certificate in ${join(dir, 'hub.yaml')}`);
    });

    it('refuses an operator whose criteria another operator’s include', () => {
      copyConfig();
      edit('hub.yaml', (t) => t.replace('subject: { serialNumber: "00000099000000000102" }', 'subject: { serialNumber: "00000099000000000101", CN: officer }'));
      const overlap = overlapBetween();
      expect([overlap.file, overlap.path]).toEqual([join(dir, 'hub.yaml'), 'operators.1.certificate']);
      expect(overlap.message).toContain(`operators.0.certificate in ${join(dir, 'hub.yaml')}`);
    });

    it('accepts criteria that differ in an attribute (another OIN, another issuer), and a fingerprint beside criteria', () => {
      copyConfig();
      edit('partners/rvdk.yaml', (t) => t.replace('issuer: { CN: Actieoverleg Hub Development CA }', 'issuer: { CN: Another CA }').replace('subject: { serialNumber: "00000099000000000004" }', politie));
      edit('partners/om.yaml', (t) => t.replace(/certificate:\n  issuer: .*\n  subject: .*\n/, `certificate: { fingerprint256: "${FP}" }\n`));
      expect(loadConfig(dir, {}).partners.map((p) => p.id).sort()).toEqual(['om', 'politie', 'reclassering', 'rvdk', 'vt']);
    });
  });
});
