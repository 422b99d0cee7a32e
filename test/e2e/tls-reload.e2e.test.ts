import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCrl } from '../../src/pki/crl.ts';
import { copyConfig, type ConfigDir } from '../support/config-dir.ts';
import { eventually } from '../support/hub.ts';
import { spawnHub, type HubProcess } from '../support/hub-process.ts';
import { clientLeaf, devCa, tlsRequest } from '../support/tls.ts';

const ca = devCa();
const dir = mkdtempSync(join(tmpdir(), 'aoh-sighup-'));
const crlPath = join(dir, 'ca.crl');
const leaf = clientLeaf(ca);
const other = clientLeaf(ca);
const publish = (number: number, revoked: typeof leaf[]) =>
  writeFileSync(crlPath, issueCrl(ca, { number, revoked: revoked.map((l) => ({ serial: l.serial, revokedAt: new Date() })), nextUpdate: new Date(Date.now() + 86_400_000) }));

let config: ConfigDir;
let hub: HubProcess;

beforeAll(async () => {
  publish(1, []);
  config = copyConfig();
  config.edit('hub.yaml', (doc) => {
    ((doc.hub as Record<string, unknown>).tls as Record<string, unknown>).crl = [crlPath];
  });
  hub = await spawnHub({ env: { HUB_CONFIG_DIR: config.dir } });
});
afterAll(async () => {
  await hub?.cleanup();
  config?.remove();
  rmSync(dir, { recursive: true, force: true });
});

const reloads = (what: string) => hub.output().split('\n').filter((l) => l.includes(`"msg":"${what}"`)).length;

describe('npm start with SIGHUP', () => {
  it('picks up a new CRL on SIGHUP without a restart, and keeps it when the next file is broken', async () => {
    const call = () => tlsRequest(hub.url, '/v1/inbox', { cert: leaf.certPem, key: leaf.keyPem });
    expect((await call()).status).toBe(200);

    publish(2, [leaf]);
    hub.signal('SIGHUP');
    await eventually('tls reloaded', async () => (reloads('tls reloaded') === 1 ? true : undefined));
    await expect(call()).rejects.toThrow();
    // The same signal reads the partners' OpenPGP keys again, from the folder the process was started with.
    await eventually('partner keys reloaded', async () => (reloads('partner keys reloaded') === 1 ? true : undefined));

    writeFileSync(crlPath, 'not a CRL');
    hub.signal('SIGHUP');
    await eventually('tls reload failed', async () => (reloads('tls reload failed') === 1 ? true : undefined));
    await expect(call()).rejects.toThrow();
    expect(hub.output()).toContain(`${crlPath}: no PEM X509 CRL in the file`);
    expect((await tlsRequest(hub.url, '/v1/inbox', { cert: other.certPem, key: other.keyPem })).status).toBe(200);
  });
});
