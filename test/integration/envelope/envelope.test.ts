import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { openEnvelope } from '../../../src/envelope/open.ts';
import { seal } from '../../../src/envelope/seal.ts';
import { HubProblem } from '../../../src/errors/problem.ts';
import { CERTS } from '../../support/hub.ts';

const read = (p: string) => readFileSync(join(CERTS, p), 'utf8');
const hubPrivate = await openpgp.readPrivateKey({ armoredKey: read('hub/pgp-private.asc') });
const hubPublic = await openpgp.readKey({ armoredKey: read('hub/pgp-public.asc') });
const policePrivate = await openpgp.readPrivateKey({ armoredKey: read('partners/politie/pgp-private.asc') });
const policePublic = await openpgp.readKey({ armoredKey: read('partners/politie/pgp-public.asc') });
const omPrivate = await openpgp.readPrivateKey({ armoredKey: read('partners/om/pgp-private.asc') });
const omPublic = await openpgp.readKey({ armoredKey: read('partners/om/pgp-public.asc') });

async function encrypt(text: string, options: { to?: openpgp.PublicKey; signer?: openpgp.PrivateKey | openpgp.PrivateKey[]; compress?: boolean } = {}) {
  return openpgp.encrypt({
    message: await openpgp.createMessage({ text }),
    encryptionKeys: options.to ?? hubPublic,
    ...(options.signer === undefined ? {} : { signingKeys: options.signer }),
    config: options.compress ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib } : {},
  });
}

/** Limits on the decompressed size alone. */
const bytes = (decompressedBytes: number) => ({ decompressedBytes, jsonValues: 100_000 });

async function problem(armored: string, limit = 1024 * 1024): Promise<string> {
  try {
    await openEnvelope(armored, [hubPrivate], [policePublic], bytes(limit));
  } catch (err) {
    if (err instanceof HubProblem) return `${err.status} ${err.kind.slug}`;
    throw err;
  }
  return 'accepted';
}

describe('openEnvelope', () => {
  it('opens a message encrypted to the hub and signed by the calling partner', async () => {
    const opened = await openEnvelope(await encrypt('{"a":1}', { signer: policePrivate }), [hubPrivate], [policePublic], bytes(1024));
    expect(opened.plaintext).toBe('{"a":1}');
    expect(opened.signingKeyId).toBe(policePrivate.getKeyID().toHex());
  });

  it('refuses an unsigned message (403)', async () => {
    expect(await problem(await encrypt('{}'))).toBe('403 unsigned-message');
  });

  it('refuses a message signed by another partner’s key (403)', async () => {
    expect(await problem(await encrypt('{}', { signer: omPrivate }))).toBe('403 bad-signature');
  });

  it('accepts up to 8 signatures, and refuses more before verifying any, naming the count (400)', async () => {
    const signedBy = (n: number) => encrypt('{"a":1}', { signer: Array.from({ length: n }, () => policePrivate) });
    expect((await openEnvelope(await signedBy(8), [hubPrivate], [policePublic], bytes(1024))).plaintext).toBe('{"a":1}');
    for (const n of [9, 2000]) {
      const refused = await openEnvelope(await signedBy(n), [hubPrivate], [policePublic], bytes(1024)).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(HubProblem);
      expect([(refused as HubProblem).kind.slug, (refused as HubProblem).detail]).toEqual(['malformed-openpgp', `The OpenPGP message carries ${n} signatures; at most 8 are accepted`]);
    }
  });

  it('refuses a message encrypted to a key that is not the hub’s (400)', async () => {
    expect(await problem(await encrypt('{}', { to: omPublic, signer: policePrivate }))).toBe('400 not-encrypted-to-hub');
  });

  it('refuses garbage, truncated and bit-flipped messages as malformed OpenPGP (400)', async () => {
    const good = await encrypt('{"a":1}', { signer: policePrivate });
    expect(await problem('hello')).toBe('400 malformed-openpgp');
    expect(await problem(good.slice(0, good.length / 2))).toBe('400 malformed-openpgp');
    const lines = good.split('\n');
    const body = lines[3]!;
    lines[3] = body.slice(0, 10) + (body[10] === 'A' ? 'B' : 'A') + body.slice(11);
    expect(await problem(lines.join('\n'))).toMatch(/^(400 malformed-openpgp|403 bad-signature|400 not-encrypted-to-hub)$/);
  });

  it('refuses a message that decompresses beyond the limit (413), an OpenPGP compression bomb', async () => {
    const bomb = await encrypt(JSON.stringify({ pad: 'A'.repeat(2 * 1024 * 1024) }), { signer: policePrivate, compress: true });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await problem(bomb, 1024 * 1024)).toBe('413 too-large');
  });
});

describe('seal', () => {
  it('encrypts to the recipient and signs with the hub key, readable and verifiable by the recipient only', async () => {
    const sealed = await seal('{"view":true}', [omPublic], [hubPrivate]);
    expect(sealed.digest).toMatch(/^[0-9a-f]{64}$/);
    const { data, signatures } = await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: new TextDecoder().decode(sealed.ciphertext) }), decryptionKeys: omPrivate, verificationKeys: hubPublic, expectSigned: true });
    expect(data).toBe('{"view":true}');
    expect(await signatures[0]?.verified).toBe(true);
    await expect(openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: new TextDecoder().decode(sealed.ciphertext) }), decryptionKeys: policePrivate })).rejects.toThrow();
  });
});
