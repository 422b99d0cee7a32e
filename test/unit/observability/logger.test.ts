import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import * as openpgp from 'openpgp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { createCa, issuerToPem } from '../../../src/pki/x509.ts';

/** The logger's redaction, by field name and by content, on real keys, certificates and armour. */
let pemKey: string;
let certificate: string;
let pgpPrivate: string;
let pgpMessage: string;

/** Lines of a PEM or armour block's base64 body: the material itself, which must not appear. */
function material(block: string): string[] {
  return block.split('\n').filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l.trim()));
}

function capture(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
  return { log: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

function expectClean(text: string): void {
  expect(text).not.toContain('-----BEGIN');
  for (const block of [pemKey, certificate, pgpPrivate, pgpMessage]) for (const line of material(block)) expect(text).not.toContain(line);
}

beforeAll(async () => {
  pemKey = (generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).trim();
  certificate = issuerToPem(createCa('redaction test')).certPem.trim();
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'redaction' }], format: 'object' });
  pgpPrivate = privateKey.armor().trim();
  pgpMessage = await openpgp.encrypt({ message: await openpgp.createMessage({ text: 'geheim' }), encryptionKeys: privateKey.toPublic() });
  expect(material(pemKey).length + material(certificate).length + material(pgpPrivate).length + material(pgpMessage).length).toBeGreaterThan(8);
});

describe('log redaction', () => {
  it('redacts content and key fields by name at any depth, whatever their spelling', () => {
    const { log, text } = capture();
    log.info({ deliveryId: 'd-1', payload: { name: 'Jansen' }, deep: { deeper: [{ private_key: 'k', Certificate: 'c', body: 'b', plaintext: 'p' }] } }, 'sent');
    const line = JSON.parse(text());
    expect(line.deliveryId).toBe('d-1');
    expect(line.payload).toBe('[redacted]');
    expect(line.deep.deeper[0]).toEqual({ private_key: '[redacted]', Certificate: '[redacted]', body: '[redacted]', plaintext: '[redacted]' });
    expect(text()).not.toContain('Jansen');
  });

  it('redacts PEM blocks and OpenPGP armour inside any string, under any name', () => {
    const { log, text } = capture();
    log.warn({ detail: `could not load ${pemKey} from disk`, nested: { list: [`peer ${certificate}`] }, note: pgpMessage }, 'loaded');
    log.info(`a message with a key in it: ${pgpPrivate}`);
    log.debug({ partial: pgpMessage.slice(0, pgpMessage.length / 2) }, 'an armour cut off before its END line');
    const multipart = (part: string) => pgpMessage.replaceAll('PGP MESSAGE', `PGP MESSAGE, PART ${part}`);
    log.info({ parts: [multipart('1/2'), multipart('2')] }, 'a multi-part armour, whose label holds a comma and a slash');
    expectClean(text());
    expect(JSON.parse(text().split('\n')[0]!).detail).toBe('could not load [redacted private key] from disk');
  });

  it('redacts errors: message and stack, passed first or nested, and keeps what says what went wrong', () => {
    const { log, text } = capture();
    const err = new Error(`bad key ${pgpPrivate}`);
    log.error(err);
    log.error({ err, context: { cause: new TypeError(`bad certificate ${certificate}`) } }, 'failed');
    expectClean(text());
    const [first, second] = text().trim().split('\n').map((l) => JSON.parse(l));
    expect(first.err.message).toBe('bad key [redacted pgp private key block]');
    expect(first.msg).toBe('bad key [redacted pgp private key block]');
    expect(second.context.cause).toMatchObject({ type: 'TypeError', message: 'bad certificate [redacted certificate]' });
  });

  it('redacts a child logger’s bindings and survives cycles without changing the caller’s object', () => {
    const { log, text } = capture();
    const circular: Record<string, unknown> = { deliveryId: 'd-2', cert: certificate };
    circular.self = circular;
    log.child({ peer: certificate }).child({ again: { certificate: 'x', note: pgpPrivate } }).info(circular, 'cycle');
    expectClean(text());
    expect(circular.cert).toBe(certificate);
    expect(JSON.parse(text()).self).toBe('[circular]');
  });
});
