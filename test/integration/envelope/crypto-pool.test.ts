import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as openpgp from 'openpgp';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { inThreadCrypto, keyMaterial, type CryptoKeys, type KeyMaterial } from '../../../src/envelope/crypto.ts';
import { CryptoPool, spawnWorker } from '../../../src/envelope/crypto-pool.ts';
import type { CryptoRequest } from '../../../src/envelope/crypto-protocol.ts';
import { sha256Hex } from '../../../src/envelope/seal.ts';
import { startCrypto } from '../../../src/envelope/start-crypto.ts';
import { HubProblem, Problems } from '../../../src/errors/problem.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { CERTS } from '../../support/hub.ts';

const read = (p: string) => readFileSync(join(CERTS, p), 'utf8');
const privateKey = (id: string) => openpgp.readPrivateKey({ armoredKey: read(`${id}/pgp-private.asc`) });
const hubPrivate = await privateKey('hub');
const policePrivate = await privateKey('partners/politie');
const omPrivate = await privateKey('partners/om');
const keys: CryptoKeys = {
  hubPrivateKeys: [hubPrivate],
  hubKeys: [{ key: hubPrivate, publicKey: hubPrivate.toPublic() }],
  partnerKeys: new Map([
    ['politie', [{ key: policePrivate.toPublic() }]],
    ['om', [{ key: omPrivate.toPublic() }]],
  ]),
};
const inThread = inThreadCrypto(keys);
const pools: CryptoPool[] = [];

function pool(options: { size: number; spawn?: (m: KeyMaterial) => Worker; onLost?: (reason: string) => void }): CryptoPool {
  const p = new CryptoPool(keyMaterial(keys), options);
  pools.push(p);
  return p;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function toHub(text: string, signer: openpgp.PrivateKey, compress = false): Promise<string> {
  const config = { aeadProtect: false, ...(compress ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib } : {}) };
  return openpgp.encrypt({ message: await openpgp.createMessage({ text }), encryptionKeys: hubPrivate.toPublic(), signingKeys: signer, config });
}

async function refusal(promise: Promise<unknown>): Promise<HubProblem> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof HubProblem)) throw new Error(`expected a HubProblem, got ${String(err)}`);
  return err;
}

/** Limits on the decompressed size alone. */
const bytes = (decompressedBytes: number) => ({ decompressedBytes, jsonValues: 100_000 });

describe('the crypto pool', () => {
  it('opens as the calling thread does', async () => {
    const armored = await toHub('{"case":"VT-1"}', policePrivate);
    const [fromPool, local] = await Promise.all([pool({ size: 2 }).open(armored, 'politie', bytes(1024), new Date()), inThread.open(armored, 'politie', bytes(1024), new Date())]);
    expect(fromPool).toEqual(local);
    expect(fromPool.plaintext).toBe('{"case":"VT-1"}');
  });

  it('opens the bytes of a request body as it opens the text, and leaves the caller’s bytes whole', async () => {
    const armored = await toHub('{"case":"VT-2"}', policePrivate);
    // A body that shares its memory with other bytes, as a slice of a socket's read buffer does.
    const shared = Buffer.from(`prefix${armored}suffix`);
    const body = shared.subarray(6, 6 + Buffer.byteLength(armored));
    const [fromBytes, fromText] = await Promise.all([pool({ size: 1 }).open(body, 'politie', bytes(1024), new Date()), inThread.open(armored, 'politie', bytes(1024), new Date())]);
    expect(fromBytes).toEqual(fromText);
    expect(shared.toString()).toBe(`prefix${armored}suffix`);
  });

  it('moves a body that is a buffer of its own to the worker instead of copying it', async () => {
    const armored = await toHub('{"case":"VT-3"}', policePrivate);
    const body = Buffer.allocUnsafeSlow(Buffer.byteLength(armored));
    body.write(armored);
    expect((await pool({ size: 1 }).open(body, 'politie', bytes(1024), new Date())).plaintext).toBe('{"case":"VT-3"}');
    expect(body.byteLength).toBe(0);
  });

  it('seals to the recipient’s key, signed by the hub, with the digest of what it returns', async () => {
    const sealed = await pool({ size: 2 }).seal('{"view":1}', 'om', new Date());
    expect(sealed.digest).toBe(sha256Hex(sealed.ciphertext));
    // The bytes crossed from the worker whole (transferred, not shared with a pool of other buffers).
    expect(sealed.ciphertext.byteLength).toBe(sealed.ciphertext.buffer.byteLength);
    const { data, signatures } = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: Buffer.from(sealed.ciphertext).toString('utf8') }),
      decryptionKeys: omPrivate,
      verificationKeys: hubPrivate.toPublic(),
      expectSigned: true,
    });
    expect(data).toBe('{"view":1}');
    expect(signatures[0]?.keyID.toHex()).toBe(hubPrivate.getKeyID().toHex());
  });

  it('refuses with the same typed problems as the calling thread', async () => {
    const crypto = pool({ size: 1 });
    const forged = await toHub('{}', omPrivate);
    // Compressed, since the limit is on what decompression yields.
    const tooBig = await toHub('x'.repeat(5000), policePrivate, true);
    const cases: [string, number, (typeof Problems)[keyof typeof Problems]][] = [
      [forged, 1024, Problems.badSignature],
      ['not pgp', 1024, Problems.malformedOpenPgp],
      [tooBig, 100, Problems.tooLarge],
    ];
    for (const [armored, limit, kind] of cases) {
      const [a, b] = [await refusal(crypto.open(armored, 'politie', bytes(limit), new Date())), await refusal(inThread.open(armored, 'politie', bytes(limit), new Date()))];
      expect(a).toBeInstanceOf(HubProblem);
      expect(a.kind).toBe(kind);
      expect({ status: a.status, detail: a.detail, errors: a.errors, body: a.toJSON() }).toEqual({ status: b.status, detail: b.detail, errors: b.errors, body: b.toJSON() });
    }
  });

  it('judges keys at the moment it is given, with the periods the keyring gave them', async () => {
    const until = new Date(Date.now() + 60_000);
    const later = new Date(until.getTime() + 1);
    const dated = new CryptoPool(
      keyMaterial({ ...keys, hubKeys: [{ key: hubPrivate, publicKey: hubPrivate.toPublic(), decryptUntil: until }], partnerKeys: new Map([['politie', [{ key: policePrivate.toPublic(), validUntil: until }]], ['om', []]]) }),
      { size: 1 },
    );
    pools.push(dated);
    const armored = await toHub('{"n":2}', policePrivate);
    expect((await dated.open(armored, 'politie', bytes(1024), new Date())).plaintext).toBe('{"n":2}');
    // After the date, the hub key no longer decrypts (a previous key past its decryptUntil) ...
    expect((await refusal(dated.open(armored, 'politie', bytes(1024), later))).kind).toBe(Problems.notEncryptedToHub);
    // ... and a recipient without a key in force gets nothing sealed.
    expect((await refusal(dated.seal('{}', 'om', new Date()))).kind).toBe(Problems.unavailable);
  });

  it('hands seals to the worker before opens that wait, whatever order they were asked in', async () => {
    const handed: string[] = [];
    const crypto = pool({
      size: 1,
      spawn: (material) => {
        const worker = new Worker(new URL('../../../src/envelope/crypto-worker.ts', import.meta.url), { workerData: material });
        const post = worker.postMessage.bind(worker);
        worker.postMessage = (request: CryptoRequest, transfer?: readonly ArrayBuffer[]) => {
          handed.push(request.op);
          post(request, transfer as never);
        };
        return worker;
      },
    });
    const numbers = Array.from({ length: 10 }, (_, i) => i + 1);
    const messages = await Promise.all(numbers.map((n) => toHub(`{"open":${n}}`, policePrivate)));
    const opens = messages.map((m) => crypto.open(m, 'politie', bytes(1024), new Date()));
    const seal = crypto.seal('{"view":1}', 'om', new Date());
    expect((await Promise.all(opens)).map((o) => o.plaintext)).toEqual(numbers.map((n) => `{"open":${n}}`));
    expect(Buffer.from((await seal).ciphertext).toString()).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    // Eight jobs went to the worker at once; the seal went before the opens still waiting.
    expect(handed).toEqual([...Array<string>(8).fill('open'), 'seal', 'open', 'open']);
  });

  it('fails the jobs still waiting when it closes, and takes no new ones', async () => {
    const crypto = new CryptoPool(keyMaterial(keys), { size: 1 });
    const settled = Promise.allSettled(Array.from({ length: 10 }, (_, n) => crypto.seal(`{"n":${n}}`, 'om', new Date())));
    await crypto.close();
    const outcomes = await settled;
    expect(outcomes[9]).toMatchObject({ status: 'rejected', reason: new Error('the crypto pool is closed') });
    await expect(crypto.seal('{}', 'om', new Date())).rejects.toThrow('the crypto pool is closed');
  });

  it('replaces a worker that dies, failing only the job it held', async () => {
    const started: Worker[] = [];
    const lost: string[] = [];
    const crypto = pool({
      size: 1,
      spawn: (material) => {
        const worker = new Worker(new URL('../../../src/envelope/crypto-worker.ts', import.meta.url), { workerData: material });
        started.push(worker);
        return worker;
      },
      onLost: (reason) => lost.push(reason),
    });
    const held = crypto.seal('x'.repeat(4 * 1024 * 1024), 'om', new Date());
    await started[0]!.terminate();
    await expect(held).rejects.toThrow(/crypto worker stopped/);
    expect(lost).toHaveLength(1);
    expect(started).toHaveLength(2);
    const opened = await crypto.open(await toHub('{"after":true}', policePrivate), 'politie', bytes(1024), new Date());
    expect(opened.plaintext).toBe('{"after":true}');
    expect(crypto.size).toBe(1);
  });
});

describe('a crypto worker thread', () => {
  it('keeps a young generation of 16 MB, where V8 would let it grow to 128 MB under load', async () => {
    const worker = spawnWorker(keyMaterial(keys));
    try {
      await new Promise((resolve) => worker.once('online', resolve));
      expect(worker.resourceLimits?.maxYoungGenerationSizeMb).toBe(16);
    } finally {
      await worker.terminate();
    }
  });
});

describe('hub.crypto.workers', () => {
  it('runs a pool of that many threads, or the calling thread with 0', async () => {
    const log = createLogger({ level: 'silent' });
    const pooled = startCrypto(keys, 3, log);
    const local = startCrypto(keys, 0, log);
    try {
      expect(pooled.crypto).toBeInstanceOf(CryptoPool);
      expect((pooled.crypto as CryptoPool).size).toBe(3);
      expect(local.crypto).not.toBeInstanceOf(CryptoPool);
      const armored = await toHub('{"n":1}', policePrivate);
      expect((await local.crypto.open(armored, 'politie', bytes(1024), new Date())).plaintext).toBe('{"n":1}');
      // A thread still starting has no heap to read yet, and is left out.
      const heaps = await vi.waitFor(
        async () => {
          const all = await pooled.heaps();
          expect(all.map((h) => h.worker)).toEqual([0, 1, 2]);
          return all;
        },
        { timeout: 15_000 },
      );
      for (const h of heaps) {
        expect(h.usedBytes).toBeGreaterThan(0);
        expect(h.totalBytes).toBeGreaterThanOrEqual(h.usedBytes);
      }
      expect(await local.heaps()).toEqual([]);
    } finally {
      await Promise.all([pooled.close(), local.close()]);
    }
  });
});
