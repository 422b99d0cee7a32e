import { describe, expect, it } from 'vitest';
import { checkSigner, decryptionKeys, signerProblem, type Keyring } from '../../../src/envelope/keyring.ts';
import { HubProblem } from '../../../src/errors/problem.ts';
import { newKeyPair } from '../../support/pgp.ts';

async function slugOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (err) {
    if (err instanceof HubProblem) return err.kind.slug;
    throw err;
  }
}

describe('registered key periods', () => {
  it('accepts a key from validFrom on and until just before validUntil', async () => {
    const { publicKey } = await newKeyPair('Partner');
    const keyId = publicKey.getKeyID().toHex();
    const keys = [{ key: publicKey, validFrom: new Date('2027-01-01T00:00:00Z'), validUntil: new Date('2027-02-01T00:00:00Z') }];
    expect(await slugOf(() => checkSigner(keys, keyId, new Date('2026-12-31T23:59:59Z')))).toBe('bad-signature');
    expect(await slugOf(() => checkSigner(keys, keyId, new Date('2027-01-01T00:00:00Z')))).toBeUndefined();
    expect(await slugOf(() => checkSigner(keys, keyId, new Date('2027-01-31T23:59:59Z')))).toBeUndefined();
    expect(await slugOf(() => checkSigner(keys, keyId, new Date('2027-02-01T00:00:00Z')))).toBe('key-expired');
  });

  it('knows no key it was not given', async () => {
    const [{ publicKey }, other] = await Promise.all([newKeyPair('Partner'), newKeyPair('Other')]);
    expect(await slugOf(() => checkSigner([{ key: publicKey }], other.publicKey.getKeyID().toHex(), new Date()))).toBe('bad-signature');
    expect((await signerProblem([publicKey], other.publicKey.getKeyID().toHex(), new Date())).kind.slug).toBe('bad-signature');
  });

  it('judges OpenPGP expiry at the moment given, not at key creation', async () => {
    const { publicKey } = await newKeyPair('Short', { expiresAfterSeconds: 3600 });
    const keyId = publicKey.getKeyID().toHex();
    expect(await slugOf(() => checkSigner([{ key: publicKey }], keyId, new Date()))).toBeUndefined();
    expect(await slugOf(() => checkSigner([{ key: publicKey }], keyId, new Date(Date.now() + 7200_000)))).toBe('key-expired');
  });
});

describe('hub decryption keys', () => {
  it('keeps a previous key until its decryptUntil, and the current one always', async () => {
    const [current, previous] = await Promise.all([newKeyPair('Now'), newKeyPair('Before')]);
    const until = new Date('2027-02-01T00:00:00Z');
    const keyring = { hubKeys: [{ key: current.privateKey, publicKey: current.publicKey }, { key: previous.privateKey, publicKey: previous.publicKey, decryptUntil: until }] } as unknown as Keyring;
    expect(decryptionKeys(keyring, new Date(until.getTime() - 1))).toEqual([current.privateKey, previous.privateKey]);
    expect(decryptionKeys(keyring, until)).toEqual([current.privateKey]);
  });
});
